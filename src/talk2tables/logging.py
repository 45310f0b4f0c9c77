"""Structured JSON logging shared by every component (structlog), with secrets redacted.

Every event carries `event`, `level`, `timestamp`, and whatever is bound in the context
(`request_id`, `stage`, `server`); operations add `duration_ms` and `outcome`.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog

_SECRET_KEY = re.compile(r"(token|secret|password|passwd|api[_-]?key|authorization|credential)", re.I)
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@\s]+)@", re.I)
_BEARER = re.compile(r"(bearer\s+)[A-Za-z0-9._~+/=-]+", re.I)
# `password=…` in a URL's query string, a repr or a message: `?password=x`, `token: 'x'`, `api_key="x"`
_ASSIGNED = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd|token|secret|api[_-]?key)\b['\"]?\s*[=:]\s*['\"]?)[^'\"\s&,;)}]+", re.I
)
REDACTED = "***"
# Counts of an LLM call's tokens: numbers, never a credential, though their names say "token".
_TOKEN_COUNT = re.compile(r"^(input|output|prompt|completion|total)_tokens$")


def redact_text(text: str) -> str:
    """Hide passwords embedded in URLs and bearer tokens inside free text."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    text = _ASSIGNED.sub(lambda m: f"{m['key']}{REDACTED}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


def redact_value(key: str, value: Any) -> Any:
    """`value` as it may be shown under the name `key`: hidden when the name says secret, else redacted text."""
    is_count = _TOKEN_COUNT.match(key) is not None and type(value) is int
    if _SECRET_KEY.search(key) and value not in (None, "", False) and not is_count:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    return value


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: no secret reaches a log line."""
    for key in list(event_dict):
        event_dict[key] = redact_value(key, event_dict[key])
    return event_dict


def add_process_id(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    event_dict["pid"] = os.getpid()
    return event_dict


def configure_logging(level: str = "INFO", *, stream: Any = None, process_id: bool = False) -> None:
    """Route structlog and the standard library (uvicorn, mcp, httpx) through one JSON renderer.

    `process_id` adds `pid` to every line: several API workers write to the same stream."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,  # tracebacks become text before redaction sees them
        redact_secrets,
        *([add_process_id] if process_id else []),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(default=str),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    for noisy in ("httpx", "httpcore", "httpx2", "uvicorn.access", "mcp", "sse_starlette"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextmanager
def bound_request(request_id: str) -> Iterator[None]:
    """Bind `request_id` to every log event emitted inside the block (contextvars: task-safe)."""
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        yield


class Timer:
    """Milliseconds since creation; `elapsed_ms` is read once an operation ends."""

    def __init__(self) -> None:
        self._start = time.perf_counter()

    @property
    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self._start) * 1000, 2)
