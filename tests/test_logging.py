"""Structured JSON logs shared by every component, and no secret ever in a log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from talk2tables.logging import bound_request, configure_logging, get_logger, redact_text


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    configure_logging("INFO", stream=out)
    yield out
    configure_logging("WARNING")


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_events_are_json_with_request_id_and_duration(stream: io.StringIO) -> None:
    with bound_request("req-123"):
        get_logger("t2t.test").info("mcp.read", server="database", duration_ms=1.5, outcome="ok")
    (event,) = lines(stream)
    assert event["event"] == "mcp.read"
    assert event["request_id"] == "req-123"
    assert event["duration_ms"] == 1.5
    assert event["level"] == "info"
    assert "timestamp" in event


def test_an_llm_calls_token_counts_are_logged_but_a_token_never_is(stream: io.StringIO) -> None:
    log = get_logger("t2t.test")
    log.info("llm_call", input_tokens=6281, output_tokens=43, token="sk-live-123", output_tokens_note="sk-x")
    log.info("llm_call", input_tokens="sk-live-456")
    first, second = lines(stream)
    assert (first["input_tokens"], first["output_tokens"]) == (6281, 43)
    assert first["token"] == first["output_tokens_note"] == "***"
    assert second["input_tokens"] == "***"  # only a number passes under a count's name


def test_standard_library_loggers_come_out_as_json_too(stream: io.StringIO) -> None:
    logging.getLogger("some.library").warning("listening on %s", "127.0.0.1")
    assert lines(stream)[0]["event"] == "listening on 127.0.0.1"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("postgresql://reader:hunter2@db/x", "hunter2"),
        ("postgresql://:hunter2@db/x", "hunter2"),
        ("postgresql://u@db/x?password=hunter2&sslmode=require", "hunter2"),
        ("Authorization: Bearer sk-abc.def", "sk-abc.def"),
        ("Settings(api_key='sk-live-123')", "sk-live-123"),
        ('{"token": "t0ps3cret"}', "t0ps3cret"),
    ],
)
def test_secrets_in_free_text_are_redacted(text: str, secret: str) -> None:
    assert secret not in redact_text(text)
    assert "***" in redact_text(text)


def test_secret_fields_and_nested_values_are_redacted(stream: io.StringIO) -> None:
    get_logger("t2t.test").info(
        "start", api_token="abc123", headers={"Authorization": "Bearer xyz789"}, url="http://u:pw1@h/"
    )
    raw = stream.getvalue()
    for secret in ("abc123", "xyz789", "pw1"):
        assert secret not in raw


def test_tracebacks_are_redacted_from_structlog_and_stdlib(stream: io.StringIO) -> None:
    def fail() -> None:
        raise RuntimeError("could not connect to postgresql://app:hunter2@db/x with Bearer tok-999")

    try:
        fail()
    except RuntimeError:
        get_logger("t2t.test").exception("failed")
        logging.getLogger("some.library").exception("failed too")
    raw = stream.getvalue()
    assert "hunter2" not in raw
    assert "tok-999" not in raw
    assert raw.count("RuntimeError") >= 2  # the traceback itself is kept


def test_level_filters(stream: io.StringIO) -> None:
    get_logger("t2t.test").debug("hidden")
    assert lines(stream) == []
