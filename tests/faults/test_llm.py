"""The LLM failing: HTTP 500s, garbage instead of JSON, no answer at all, a dropped connection, bytes that are not
HTTP. Each question ends in a whole failure that names the LLM, within the LLM deadline, and the next question is
answered normally (the pipeline tests cover each error's translation; these run the whole system over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.faults.conftest import LLM_TIMEOUT_SECONDS, start_api
from tests.faults.helpers import ask, assert_whole_failure, fault_rules
from tests.faults.raw_llm import RawLLMServer
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.system import InProcessApi, McpServers

pytestmark = pytest.mark.e2e

QUESTION = "llm fault: how many products?"
# The LLM deadline plus the generator's last-resort margin (5 s) and slack for a busy machine.
BOUND_SECONDS = LLM_TIMEOUT_SECONDS + 5 + 8


@pytest.mark.parametrize(
    ("response", "status", "needle"),
    [
        ({"status": 500, "message": "the model is overloaded"}, 503, "the model is overloaded"),
        ({"status": 429, "message": "rate limit reached"}, 503, "rate limit reached"),
        ({"hang": True}, 504, f"did not answer within {LLM_TIMEOUT_SECONDS} s"),
        ({"raw": "Sure! Here you go: <b>SELECT</b> everything"}, 422, "could not be answered after 3 attempts"),
        ({"raw": ""}, 422, "could not be answered after 3 attempts"),
    ],
    ids=["http-500", "http-429", "hang", "garbage", "empty"],
)
def test_an_llm_failure_ends_the_question_whole_naming_the_llm_and_the_next_is_answered(
    api: InProcessApi, llm: ScriptedLLMServer, response: dict[str, Any], status: int, needle: str
) -> None:
    llm.llm.set_script([{"match": "llm fault", "responses": [response]}, *fault_rules()])
    reply = ask(api.url, QUESTION)
    llm.llm.release_hangs()
    assert_whole_failure(reply, {status}, needle)
    assert "LLM" in reply.body["error"]
    assert reply.seconds < BOUND_SECONDS, reply.seconds
    error = reply.body["metadata"]["error"]
    assert error["stage"] == "generating"
    assert reply.body["metadata"]["timings_ms"]["execute"] == 0  # nothing reached the database
    assert ask(api.url).ok


@pytest.mark.parametrize(
    ("mode", "statuses"),
    [("close", {503}), ("not-http", {503}), ("html", {502, 503, 422})],
    ids=["connection-reset", "not-http", "html-page"],
)
def test_an_llm_endpoint_that_breaks_http_fails_whole_naming_the_llm_then_recovers(
    servers: McpServers, llm: ScriptedLLMServer, mode: str, statuses: set[int]
) -> None:
    with RawLLMServer(mode) as raw:
        api = start_api(servers, llm, openai_base_url=raw.base_url)
        try:
            reply = ask(api.url, QUESTION)
            assert_whole_failure(reply, statuses, "LLM")
            assert reply.seconds < BOUND_SECONDS, reply.seconds
            assert raw.requests >= 1
            raw.mode = "ok"
            assert ask(api.url).ok
        finally:
            api.stop()
