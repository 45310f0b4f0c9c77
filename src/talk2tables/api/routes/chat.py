"""OpenAI-compatible /v1/chat/completions: point an existing chat client at Talk 2 Tables."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from talk2tables.api.markdown import answer_markdown
from talk2tables.api.schemas import (
    ChatChoice,
    ChatChoiceMessage,
    ChatCompletionRequest,
    ChatCompletionResponse,
    ChatMessage,
)
from talk2tables.errors import InvalidQuestionError
from talk2tables.workflow.outcome import failure_result
from talk2tables.workflow.service import QuestionService

router = APIRouter(prefix="/v1", tags=["openai-compatible"])
MODEL_ID = "talk2tables"


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return "\n".join(str(p.get("text", "")) for p in parts if isinstance(p, dict) and p.get("type") == "text")


def _last_user_question(body: ChatCompletionRequest) -> str:
    for message in reversed(body.messages):
        if message.role == "user":
            return _text(message)
    raise InvalidQuestionError("No user message: the last message with role 'user' is the question.")


@router.get("/models", summary="Models (OpenAI-compatible)")
async def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "talk2tables"}]}


@router.post(
    "/chat/completions",
    response_model=ChatCompletionResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or chunks when stream is true"}},
    summary="Chat completion (OpenAI-compatible)",
)
async def chat_completions(body: ChatCompletionRequest, request: Request) -> Any:
    """Answers the last user message as Markdown (explanation, table, SQL); `stream: true` is supported.

    Chat clients show HTTP errors poorly, so a question that cannot be answered — even an empty one — is
    an assistant message saying what failed and what to do; the QueryResult rides along in `talk2tables`."""
    service: QuestionService = request.app.state.questions
    try:
        question = _last_user_question(body)
    except InvalidQuestionError as exc:
        result = failure_result("", exc)
    else:  # an empty or too long question comes back as a failed result too: a message, not an HTTP error
        result = await service.answer(question, endpoint="chat_completions")
    content = answer_markdown(result)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if body.stream:
        return StreamingResponse(_chunks(completion_id, created, content), media_type="text/event-stream")
    # A failed question is still an answer for a chat client: a readable message saying what failed and what
    # to do (chat clients show a non-200 as a bare error). The QueryResult rides along in `talk2tables`.
    return ChatCompletionResponse(
        id=completion_id,
        created=created,
        model=MODEL_ID,
        choices=[ChatChoice(message=ChatChoiceMessage(content=content))],
        talk2tables=result.model_dump(mode="json"),
    )


async def _chunks(completion_id: str, created: int, content: str) -> AsyncIterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(payload)}\n\n"

    yield chunk({"role": "assistant", "content": content}, None)
    yield chunk({}, "stop")
    yield "data: [DONE]\n\n"
