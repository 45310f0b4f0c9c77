"""Oversized and malformed HTTP requests against the API process: each is refused with a 4xx (or the connection
is closed), never a 5xx, and the API keeps answering. The data is unchanged afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.security.conftest import System, raw_http

pytestmark = pytest.mark.e2e

LIMIT = 65_536  # T2T_MAX_REQUEST_BYTES's default


@dataclass(frozen=True)
class HttpCase:
    id: str
    send: Callable[[System], int | None]  # the status answered, or None when the server closed without one
    expected: frozenset[int] | None = None  # None: any 4xx or a closed connection


def _post(path: str, **kwargs: object) -> Callable[[System], int | None]:
    def send(system: System) -> int | None:
        with httpx.Client(base_url=system.api.url, timeout=60) as client:
            return client.post(path, **kwargs).status_code  # type: ignore[arg-type]

    return send


def _request(method: str, path: str, **kwargs: object) -> Callable[[System], int | None]:
    def send(system: System) -> int | None:
        with httpx.Client(base_url=system.api.url, timeout=60) as client:
            return client.request(method, path, **kwargs).status_code  # type: ignore[arg-type]

    return send


def _raw(payload: bytes) -> Callable[[System], int | None]:
    def send(system: System) -> int | None:
        answer = raw_http(system.api.port, payload)
        if not answer.startswith(b"HTTP/1."):
            return None
        return int(answer.split(b" ", 2)[1])

    return send


def _chunks(total: int) -> Iterator[bytes]:
    yield b'{"query": "'
    for _ in range(total // 8192):
        yield b"x" * 8192
    yield b'"}'


JSON = {"content-type": "application/json"}
CASES: tuple[HttpCase, ...] = (
    HttpCase("body-1mb", _post("/api/query", json={"query": "x" * 1_000_000}), frozenset({413})),
    HttpCase("body-just-over-limit", _post("/api/query", json={"query": "x" * LIMIT}), frozenset({413})),
    HttpCase("chunked-body-1mb", _post("/api/query", content=_chunks(1_000_000), headers=JSON), frozenset({413})),
    HttpCase(
        "content-length-10gb-no-body",
        _raw(
            b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000000\r\n\r\n"
        ),
        frozenset({413}),
    ),
    HttpCase("question-over-limit", _post("/api/query", json={"query": "q" * 5_000}), frozenset({422})),
    HttpCase("invalid-json", _post("/api/query", content=b'{"query": ', headers=JSON), frozenset({422})),
    HttpCase("json-array", _post("/api/query", json=["how many products"]), frozenset({422})),
    HttpCase("json-string", _post("/api/query", json="how many products"), frozenset({422})),
    HttpCase("json-null", _post("/api/query", content=b"null", headers=JSON), frozenset({422})),
    HttpCase("empty-body", _post("/api/query", content=b"", headers=JSON), frozenset({422})),
    HttpCase("query-is-object", _post("/api/query", json={"query": {"$ne": ""}}), frozenset({422})),
    HttpCase(
        "query-is-huge-number", _post("/api/query", content=b'{"query": 1e999999}', headers=JSON), frozenset({422})
    ),
    HttpCase(
        "deeply-nested-json",
        _post("/api/query", content=b'{"query": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", headers=JSON),
        frozenset({422}),
    ),
    HttpCase("nul-in-question", _post("/api/query", json={"query": "how many\x00products"}), frozenset({422})),
    HttpCase("invalid-utf8", _post("/api/query", content=b'{"query": "\xff\xfe\xfd"}', headers=JSON), frozenset({422})),
    HttpCase(
        "lone-surrogate",
        _post("/api/query", content=b'{"query": "\\ud800 products"}', headers=JSON),
        frozenset({200, 422}),
    ),
    HttpCase(
        "text-plain",
        _post("/api/query", content=b'{"query": "how many products"}', headers={"content-type": "text/plain"}),
        frozenset({200, 415, 422}),
    ),
    HttpCase("form-encoded", _post("/api/query", data={"query": "how many products"}), frozenset({422})),
    HttpCase(
        "extra-field", _post("/api/query", json={"query": "how many", "sql": "DROP TABLE sales"}), frozenset({422})
    ),
    HttpCase(
        "duplicate-keys",
        _post("/api/query", content=b'{"query": "how many", "query": "DROP TABLE sales"}', headers=JSON),
        frozenset({200, 422}),
    ),
    HttpCase("sql-as-question", _post("/api/query", json={"query": "'; DROP TABLE sales; --"}), frozenset({200, 422})),
    HttpCase(
        "unicode-question",
        _post("/api/query", json={"query": "\u202e\u0301\U0001f4a3 how many products?"}),
        frozenset({200, 422}),
    ),
    HttpCase("stream-invalid-body", _post("/api/query/stream", content=b"{]", headers=JSON), frozenset({422})),
    HttpCase("stream-oversized", _post("/api/query/stream", json={"query": "x" * 200_000}), frozenset({413})),
    HttpCase("chat-garbage", _post("/v1/chat/completions", content=b"\x00\x01\x02", headers=JSON), frozenset({422})),
    HttpCase(
        "chat-oversized",
        _post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x" * 200_000}]}),
        frozenset({413}),
    ),
    HttpCase("get-query", _request("GET", "/api/query"), frozenset({405})),
    HttpCase("put-query", _request("PUT", "/api/query", json={"query": "x"}), frozenset({405})),
    HttpCase("delete-query", _request("DELETE", "/api/query"), frozenset({405})),
    HttpCase("path-traversal", _raw(b"GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")),
    HttpCase("encoded-traversal", _request("GET", "/%2e%2e/%2e%2e/etc/passwd"), frozenset({404})),
    HttpCase("url-100k", _raw(b"GET /api/servers?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")),
    HttpCase("header-100k", _raw(b"GET /api/servers HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100_000 + b"\r\n\r\n")),
    HttpCase(
        "thousand-headers",
        _raw(
            b"GET /api/servers HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(1_000)) + b"\r\n"
        ),
    ),
    HttpCase("garbage-bytes", _raw(b"\x00\xff\xfe GARBAGE \r\n\r\n")),
    HttpCase("http-0.9", _raw(b"GET /\r\n\r\n")),
    HttpCase("bad-method-token", _raw(b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n")),
    HttpCase(
        "smuggling-cl-and-te",
        _raw(
            b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n"
        ),
    ),
    HttpCase(
        "bad-chunk-size",
        _raw(b"POST /api/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
    ),
    HttpCase("truncated-headers", _raw(b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Le")),
    HttpCase(
        "body-shorter-than-declared",
        _raw(
            b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Type: "
            b'application/json\r\nContent-Length: 100\r\n\r\n{"query": '
        ),
    ),
)


def _outcome(case: HttpCase, system: System) -> str | None:
    """None when the reply is acceptable, else what was wrong."""
    try:
        status = case.send(system)
    except httpx.HTTPError as exc:
        status = None
        if case.expected is not None:
            return f"{type(exc).__name__}: {exc}"
    if status is None:
        return None if case.expected is None else "closed without a status"
    if status >= 500:
        return f"HTTP {status}"
    if case.expected is not None and status not in case.expected:
        return f"HTTP {status}, expected {sorted(case.expected)}"
    if case.expected is None and status < 400:
        return f"HTTP {status}, expected a refusal"
    return None


@pytest.mark.parametrize("system", ["sqlite"], indirect=True)
def test_oversized_and_malformed_requests_are_refused_without_a_server_error_and_the_api_keeps_answering(
    unchanged: System,
) -> None:
    wrong = {case.id: problem for case in CASES if (problem := _outcome(case, unchanged))}
    assert not wrong, json.dumps(wrong, indent=1)
