"""A scripted OpenAI-compatible LLM server for tests: the one part of the system that is not real.

It speaks `/v1/chat/completions` and `/v1/models` like OpenAI, llama.cpp or vLLM, so the product's real
provider code (pydantic-ai and the OpenAI SDK over HTTP) is exercised. It answers from a script:

    rules:
      - match: "abracadabra"            # case-insensitive substring of the conversation's first user message
        responses:                       # one per turn of that conversation (the last one repeats)
          - content: {sql: "SELECT nope FROM products", resolved_entities: [], explanation: "", confidence: 0.2}
          - content: {sql: "SELECT 1", resolved_entities: [], explanation: "ok", confidence: 0.9}
      - match: "broken"
        responses: [{status: 500}, {raw: "not json"}, {hang: true}, {delay_ms: 200, content: "..."}]
      - match: "candidates"
        responses:                       # `sampled`: the answer to a request at a temperature above 0
          - {content: {sql: "SELECT 1"}, sampled: {content: {sql: "SELECT 2"}}}
    delay_ms: 0                          # added before every answer

The turn of a conversation is the number of assistant messages already in it, so "first answer bad SQL,
second good" works per question without any server-side state. A request that offers tools gets its
`content` back as a call of the first tool (tool output); any other request gets it as message text
(prompted or native output). Run it in process (`ScriptedLLMServer`, used by the pytest fixtures) or as
`python -m tests.support.scripted_llm --port P --script FILE [--delay-ms N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.processes import free_port

MODEL_ID = "scripted"
HANG_LIMIT_SECONDS = 600.0


def answer(
    sql: str,
    *,
    entities: Sequence[Mapping[str, Any]] = (),
    explanation: str = "Scripted answer.",
    confidence: float = 0.9,
    server: str = "database",
    reason: str = "",
) -> dict[str, Any]:
    """A response that answers both of the product's asks: the SQL (GeneratedSQL, with `reason` when the SQL is
    empty) and, once it has run, the notes (AnswerNotes: entities, explanation, confidence); each reads its own
    fields. `server` is read only when the registry has several databases (the RoutedSQL shape)."""
    return {
        "content": {
            "server": server,
            "sql": sql,
            "reason": reason,
            "resolved_entities": [[e["term"], e["resolved_to"], e["kind"], e["source_server"]] for e in entities],
            "explanation": explanation,
            "confidence": confidence,
        }
    }


def entity(
    term: str, resolved_to: str, kind: str = "product", source_server: str = "Product Metadata MCP"
) -> dict[str, str]:
    return {"term": term, "resolved_to": resolved_to, "kind": kind, "source_server": source_server}


@dataclass
class Rule:
    match: str
    responses: list[dict[str, Any]]

    def response_for(self, turn: int) -> dict[str, Any]:
        return self.responses[min(turn, len(self.responses) - 1)]


@dataclass
class Script:
    rules: list[Rule] = field(default_factory=list)
    delay_ms: int = 0

    @classmethod
    def from_data(cls, data: Any) -> Script:
        """Accept a list of rules or `{"rules": [...], "delay_ms": N}` (as loaded from YAML or JSON)."""
        if isinstance(data, list):
            data = {"rules": data}
        if not isinstance(data, dict):
            raise ValueError("a script is a list of rules or a mapping with 'rules'")
        rules = []
        for raw in data.get("rules") or []:
            responses = raw.get("responses")
            if not isinstance(raw.get("match"), str) or not isinstance(responses, list) or not responses:
                raise ValueError(f"each rule needs 'match' (a string) and a non-empty 'responses' list: {raw!r}")
            rules.append(Rule(raw["match"], [dict(r) for r in responses]))
        return cls(rules=rules, delay_ms=int(data.get("delay_ms") or 0))

    @classmethod
    def load(cls, path: Path) -> Script:
        return cls.from_data(yaml.safe_load(path.read_text(encoding="utf-8")))

    def rule_for(self, question: str) -> Rule | None:
        lowered = question.lower()
        return next((rule for rule in self.rules if rule.match.lower() in lowered), None)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": "..."}]
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _completion(body: dict[str, Any], message: dict[str, Any], finish_reason: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-scripted-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", MODEL_ID),
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _error(status: int, message: str, kind: str = "server_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": None}}, status_code=status)


class ScriptedLLM:
    """The ASGI app plus its script and a record of every request body it received."""

    def __init__(self, script: Script | None = None, *, api_key: str | None = None, record: bool = True) -> None:
        self.script = script or Script()
        self.api_key = api_key
        self.record = record  # False: keep no request bodies (long benchmark and soak runs)
        self.requests: list[dict[str, Any]] = []
        # The first user message of each request whose client went away while it was still being "generated"
        # (a delay or a hang): what a real server sees when a caller stops its work.
        self.abandoned: list[str] = []
        self._lock = threading.Lock()
        # release_hangs() ends every hang in progress (the generation moves on, so a hang that was waiting sees
        # it even if a new script re-arms hangs at once) and answers later hangs at once until set_script().
        self._hang_generation = 0
        self._released = False
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )

    def set_script(self, rules: Iterable[Mapping[str, Any]] | Script, *, delay_ms: int = 0) -> None:
        """Replace the script (between tests); also forget recorded requests and un-release hangs."""
        script = rules if isinstance(rules, Script) else Script.from_data({"rules": list(rules), "delay_ms": delay_ms})
        with self._lock:
            self.script = script
            self.requests = []
            self.abandoned = []
            self._released = False

    def release_hangs(self) -> None:
        with self._lock:
            self._hang_generation += 1
            self._released = True

    def conversations(self) -> list[list[dict[str, Any]]]:
        """The `messages` of each request received, in order."""
        with self._lock:
            return [list(r.get("messages", [])) for r in self.requests]

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": MODEL_ID, "object": "model", "owned_by": "tests"}]})

    async def _chat(self, request: Request) -> Response:
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_request_error")
        body = await request.json()
        with self._lock:
            if self.record:
                self.requests.append(body)
            script = self.script
        if body.get("stream"):
            return _error(400, "the scripted LLM does not stream", "invalid_request_error")
        messages = body.get("messages") or []
        users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
        question = users[0] if users else ""
        rule = script.rule_for(question)
        if rule is None:
            return _error(400, f"scripted LLM: no rule matches {question[:200]!r}", "invalid_request_error")
        turn = sum(1 for m in messages if m.get("role") == "assistant")
        response = rule.response_for(turn)
        if body.get("temperature") and isinstance(response.get("sampled"), dict):
            response = response["sampled"]
        delay = script.delay_ms + int(response.get("delay_ms") or 0)
        if delay:
            until = time.monotonic() + delay / 1000
            if not await self._work(request, question, lambda: time.monotonic() < until):
                return _error(499, "the client went away")
        return await self._respond(request, question, body, response)

    async def _work(self, request: Request, question: str, busy: Any) -> bool:
        """Wait while `busy()`; False (and the question recorded as abandoned) if the client goes away first."""
        while busy():
            if await request.is_disconnected():
                with self._lock:
                    self.abandoned.append(question)
                return False
            await asyncio.sleep(0.05)
        return True

    async def _respond(
        self, request: Request, question: str, body: dict[str, Any], response: dict[str, Any]
    ) -> Response:
        if response.get("hang"):
            deadline = time.monotonic() + HANG_LIMIT_SECONDS
            generation = self._hang_generation
            await self._work(request, question, lambda: (
                not self._released and self._hang_generation == generation and time.monotonic() < deadline
            ))  # fmt: skip
            return _error(503, "scripted hang released")
        if "status" in response:
            return _error(int(response["status"]), str(response.get("message", "scripted server error")))
        if "raw" in response:
            return JSONResponse(_completion(body, {"role": "assistant", "content": str(response["raw"])}, "stop"))
        content = response.get("content")
        text = content if isinstance(content, str) else json.dumps(content)
        tools = body.get("tools") or []
        if tools:
            name = tools[0]["function"]["name"]
            call = {
                "id": f"call_{time.monotonic_ns()}",
                "type": "function",
                "function": {"name": name, "arguments": text},
            }
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
            return JSONResponse(_completion(body, message, "tool_calls"))
        return JSONResponse(_completion(body, {"role": "assistant", "content": text}, "stop"))


class ScriptedLLMServer:
    """Serve a ScriptedLLM with uvicorn in a background thread on a free loopback port."""

    def __init__(self, llm: ScriptedLLM | None = None, *, port: int | None = None) -> None:
        self.llm = llm or ScriptedLLM()
        self.port = port or free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """What OPENAI_BASE_URL should be."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, *, timeout: float = 15.0) -> ScriptedLLMServer:
        config = uvicorn.Config(
            self.llm.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"scripted-llm-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the scripted LLM did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.llm.release_hangs()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)

    def __enter__(self) -> ScriptedLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Scripted OpenAI-compatible LLM server for Talk 2 Tables tests.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--script", type=Path, required=True, help="YAML or JSON script (see the module docstring)")
    parser.add_argument("--delay-ms", type=int, default=None, help="delay before every answer (overrides the script)")
    parser.add_argument("--api-key", default=None, help="refuse requests without this bearer key (HTTP 401)")
    parser.add_argument("--no-record", action="store_true", help="keep no request bodies (for long runs)")
    args = parser.parse_args(argv)
    script = Script.load(args.script)
    if args.delay_ms is not None:
        script.delay_ms = args.delay_ms
    llm = ScriptedLLM(script, api_key=args.api_key, record=not args.no_record)
    uvicorn.run(llm.app, host=args.host, port=args.port, log_level="warning", lifespan="off", ws="none")


if __name__ == "__main__":
    main()

__all__ = ["MODEL_ID", "Rule", "Script", "ScriptedLLM", "ScriptedLLMServer", "answer", "entity"]
