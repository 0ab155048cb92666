"""Request and error bodies of the HTTP API, with the configured limits in the schema itself, so
the OpenAPI document says exactly what the code accepts."""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, create_model, model_validator

from .guardrails import NO_CONTROL_CHARACTERS
from .settings import Settings

# at least one visible character, no control characters (tab and newlines allowed)
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
SESSION_ID = r"^[0-9a-f]{32}$"
REQUEST_ID = r"^[0-9a-f]{32}$"
# a session id and a non-empty history together are refused (which one would be the truth?)
_SESSION_AND_HISTORY: dict[str, Any] = {
    "required": ["session_id", "history"],
    "properties": {"session_id": {"type": "string"}, "history": {"minItems": 1}},
}


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. invalid_request")
    message: str
    details: list[dict[str, str]] | None = None
    reasons: list[str] | None = Field(default=None, description="guardrail rule families")


class ErrorBody(BaseModel):
    """Every error: no stack trace, the request id to quote."""

    error: ErrorDetail
    request_id: str


def error_responses(*statuses: int, by_reference: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the error statuses a route can return. A route whose
    own media type is not JSON (the event stream) names the JSON error body by reference."""
    meaning = {
        400: "input rejected by the guardrails, or a body that cannot be parsed",
        401: "missing or invalid credentials",
        403: "credentials without the required scope, role or client",
        404: "unknown document, request or session",
        409: "different feedback was already given for this request",
        413: "request body over APP_MAX_BODY_BYTES",
        422: "the body does not match this schema, or breaks a limit it states",
        429: "rate limit reached; see Retry-After",
        502: "the model provider failed; retry later",
    }
    if by_reference:
        json = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        return {s: {"description": meaning[s], "content": json} for s in statuses}
    return {s: {"model": ErrorBody, "description": meaning[s]} for s in statuses}


@dataclass(frozen=True)
class RequestModels:
    ChatTurn: type[BaseModel]
    ChatRequest: type[BaseModel]
    TextBody: Any
    FeedbackRequest: type[BaseModel]


def _text_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "doc_id" if "doc_id" in value else "text" if "text" in value else None
    return "doc_id" if hasattr(value, "doc_id") else "text"


def request_models(settings: Settings) -> RequestModels:
    """The request bodies, bounded by this deployment's settings."""
    s = settings

    class ChatTurnIn(BaseModel):
        """One earlier message of the conversation, sent by the client."""

        model_config = ConfigDict(title="ChatTurn", extra="forbid")
        role: Literal["user", "assistant"]
        content: str = Field(min_length=1, max_length=s.max_turn_chars, pattern=_TEXT)

    class ChatRequest(BaseModel):
        """A question, with either the id of a server-side session or an explicit history."""

        model_config = ConfigDict(
            title="ChatRequest",
            extra="forbid",
            json_schema_extra={"not": _SESSION_AND_HISTORY},
        )
        question: str = Field(min_length=1, max_length=s.max_question_chars, pattern=_TEXT)
        history: list[ChatTurnIn] = Field(
            default_factory=list,
            max_length=s.max_history_turns,
            description=f"earlier messages; with the question at most {s.max_input_chars} "
            "characters in all",
        )
        session_id: str | None = Field(
            default=None,
            pattern=SESSION_ID,
            description="continue this conversation (from an earlier answer); not with history",
        )
        new_session: bool = Field(default=False, description="start a server-side conversation")

        @model_validator(mode="after")
        def _bounded(self) -> "ChatRequest":
            if self.session_id and self.history:
                raise ValueError("send either session_id or history, not both")
            total = len(self.question) + sum(len(t.content) for t in self.history)
            if total > s.max_input_chars:
                raise ValueError(f"question and history exceed {s.max_input_chars} characters")
            return self

    chat_request: type[BaseModel] = ChatRequest
    if s.ui_prompt_variants:  # only when the settings let clients pick one
        variants: Any = Literal[tuple(s.ui_prompt_variants)]
        chat_request = create_model(
            "ChatRequest",
            __base__=ChatRequest,
            prompt_variant=(variants | None, Field(default=None, description="prompt variant")),
        )

    class TextInput(BaseModel):
        model_config = ConfigDict(title="TextInput", extra="forbid")
        text: str = Field(min_length=1, max_length=s.max_text_chars, pattern=_TEXT)

    class DocumentInput(BaseModel):
        model_config = ConfigDict(title="DocumentInput", extra="forbid")
        doc_id: str = Field(
            min_length=1,
            max_length=300,
            pattern=r"^[A-Za-z0-9._/-]+$",
            description="a document under data/docs, path without extension",
        )

    text_body = Annotated[
        Annotated[TextInput, Tag("text")] | Annotated[DocumentInput, Tag("doc_id")],
        Discriminator(_text_kind),
    ]

    class FeedbackRequest(BaseModel):
        model_config = ConfigDict(title="FeedbackRequest", extra="forbid")
        request_id: str = Field(pattern=REQUEST_ID, description="from the answer")
        rating: int = Field(ge=1, le=5, description="1 (bad) to 5 (good); thumbs are 1 and 5")
        comment: str = Field(default="", max_length=2000, pattern=NO_CONTROL_CHARACTERS)

    return RequestModels(ChatTurnIn, chat_request, text_body, FeedbackRequest)
