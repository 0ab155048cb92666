"""The deployed store: Azure Table Storage through the async SDK, keyless by default.

The app's managed identity (``APP_AZURE_CLIENT_ID``) needs "Storage Table Data Contributor" on
the account; the tables ``requests``, ``feedback`` and ``sessions`` are created by the IaC (and
here if missing). Keys: a request is ``(request_id, "request")``, its feedback
``(request_id, "feedback")`` and a session ``(session_id, "session")``, so every read is a point
read and "insert once" is the service's own ``create_entity`` conflict (409).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import Any

from ..settings import Settings
from .base import (
    TABLES,
    DuplicateId,
    FeedbackConflict,
    FeedbackRecord,
    RequestRecord,
    SessionConflict,
    SessionRecord,
    UnknownRequest,
    new_id,
    same_feedback,
)

log = logging.getLogger(__name__)
_REQUEST_FIELDS = [f.name for f in dataclasses.fields(RequestRecord)]


class AzureTableStore:
    def __init__(self, service: Any) -> None:
        self.service = service  # azure.data.tables.aio.TableServiceClient
        self._ready = False
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> AzureTableStore:
        try:
            from azure.data.tables.aio import TableServiceClient
        except ImportError as exc:
            raise RuntimeError("store_backend=azure_tables needs: uv sync --extra azure") from exc
        secret = settings.azure_tables_connection_string
        if secret is not None:
            return cls(TableServiceClient.from_connection_string(secret.get_secret_value()))
        from ..providers import azure_credential

        endpoint = str(settings.azure_tables_endpoint)
        return cls(TableServiceClient(endpoint, credential=azure_credential(settings)))

    async def _table(self, name: str) -> Any:
        if not self._ready:
            async with self._lock:
                if not self._ready:
                    await self._create_tables()
                    self._ready = True
        return self.service.get_table_client(name)

    async def _create_tables(self) -> None:
        from azure.core.exceptions import HttpResponseError, ResourceExistsError

        for name in TABLES:
            try:
                await self.service.create_table(name)
            except ResourceExistsError:
                pass
            except HttpResponseError as exc:  # e.g. 403: the IaC owns the tables
                log.info("cannot create table %s (%s); assuming it exists", name, exc.status_code)

    async def close(self) -> None:
        await self.service.close()
        credential = getattr(self.service, "credential", None)
        if credential is not None and hasattr(credential, "close"):
            await credential.close()

    # --- requests -----------------------------------------------------------------------------
    async def add_request(self, record: RequestRecord) -> None:
        from azure.core.exceptions import ResourceExistsError

        entity = dataclasses.asdict(record)
        entity["created_at"] = record.created_at or time.time()
        entity.update(PartitionKey=record.request_id, RowKey="request")
        try:
            await (await self._table("requests")).create_entity(entity)
        except ResourceExistsError:
            raise DuplicateId(record.request_id) from None

    async def get_request(self, request_id: str) -> RequestRecord | None:
        entity = await self._get("requests", request_id, "request")
        if entity is None:
            return None
        return RequestRecord(**{k: entity[k] for k in _REQUEST_FIELDS if k in entity})

    async def _get(self, table: str, partition: str, row: str) -> Any:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return await (await self._table(table)).get_entity(partition, row)
        except ResourceNotFoundError:
            return None

    # --- feedback -----------------------------------------------------------------------------
    async def add_feedback(
        self, request_id: str, rating: int, comment: str
    ) -> tuple[FeedbackRecord, bool]:
        from azure.core.exceptions import ResourceExistsError

        if await self._get("requests", request_id, "request") is None:
            raise UnknownRequest(request_id)
        record = FeedbackRecord(new_id(), request_id, rating, comment, time.time())
        entity = {"PartitionKey": request_id, "RowKey": "feedback", **dataclasses.asdict(record)}
        try:
            await (await self._table("feedback")).create_entity(entity)
            return record, True
        except ResourceExistsError:
            stored = await self._feedback(request_id)
            if stored is None or not same_feedback(stored, rating, comment):
                raise FeedbackConflict(request_id) from None
            return stored, False

    async def _feedback(self, request_id: str) -> FeedbackRecord | None:
        e = await self._get("feedback", request_id, "feedback")
        if e is None:
            return None
        return FeedbackRecord(
            e["feedback_id"], e["request_id"], int(e["rating"]), e["comment"], e["created_at"]
        )

    async def feedback_for(self, request_id: str) -> list[FeedbackRecord]:
        found = await self._feedback(request_id)
        return [found] if found else []

    # --- sessions -----------------------------------------------------------------------------
    async def get_session(self, session_id: str) -> SessionRecord | None:
        e = await self._get("sessions", session_id, "session")
        if e is None:
            return None
        record = SessionRecord(
            session_id=session_id,
            owner=e["owner"],
            messages=e["messages"],
            updated_at=e["updated_at"],
            expires_at=e["expires_at"],
            version=e.metadata["etag"],
        )
        return None if record.expired() else record

    async def put_session(self, record: SessionRecord) -> SessionRecord:
        from azure.core import MatchConditions
        from azure.core.exceptions import HttpResponseError, ResourceExistsError

        table = await self._table("sessions")
        entity = {
            "PartitionKey": record.session_id,
            "RowKey": "session",
            "owner": record.owner,
            "messages": record.messages,
            "updated_at": record.updated_at,
            "expires_at": record.expires_at,
        }
        try:
            if not record.version:
                meta = await table.create_entity(entity)
            else:
                meta = await table.update_entity(
                    entity,
                    mode="replace",
                    etag=record.version,
                    match_condition=MatchConditions.IfNotModified,
                )
        except ResourceExistsError:
            raise SessionConflict(record.session_id) from None
        except HttpResponseError as exc:
            if exc.status_code == 412:  # the ETag moved: someone else wrote first
                raise SessionConflict(record.session_id) from None
            raise
        return dataclasses.replace(record, version=str(meta["etag"]))
