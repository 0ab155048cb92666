"""Feedback on an answer, tied to its server-made request id and stored once."""

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel

from ..deps import CallerDep, app_state
from ..guardrails import redact
from ..schemas import RequestModels, error_responses
from ..store import FeedbackConflict, UnknownRequest
from ..telemetry import emit_feedback


class FeedbackStored(BaseModel):
    status: Literal["stored", "already_stored"]
    feedback_id: str
    request_id: str


def build(models: RequestModels, auth_statuses: tuple[int, ...]) -> APIRouter:
    router = APIRouter(tags=["feedback"])
    Body: Any = models.FeedbackRequest

    @router.post(
        "/feedback",
        status_code=201,
        responses={
            200: {"model": FeedbackStored, "description": "the same feedback was stored before"},
            **error_responses(400, *auth_statuses, 404, 409, 413, 422),
        },
    )
    async def feedback(
        body: Body, request: Request, response: Response, who: CallerDep
    ) -> FeedbackStored:
        """Rate an answer once; sending the same rating again changes nothing."""
        store = app_state(request).store
        unknown = HTTPException(404, f"unknown request id {body.request_id!r}")
        if who.kind != "anonymous":
            stored = await store.get_request(body.request_id)
            if stored is None or stored.caller != who.id:
                raise unknown
        try:
            record, created = await store.add_feedback(
                body.request_id, body.rating, redact(body.comment)
            )
        except UnknownRequest:
            raise unknown from None
        except FeedbackConflict:
            raise HTTPException(409, "different feedback was already given") from None
        if created:  # stored once, so one event
            emit_feedback(record.request_id, body.rating, record.feedback_id)
        else:
            response.status_code = 200
        return FeedbackStored(
            status="stored" if created else "already_stored",
            feedback_id=record.feedback_id,
            request_id=record.request_id,
        )

    return router
