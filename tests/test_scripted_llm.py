"""The scripted LLM itself: the one stand-in the suite and the benchmarks rely on."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.scripted_llm import ScriptedLLM, ScriptedLLMServer, answer


def _ask(base_url: str, question: str, **extra: object) -> httpx.Response:
    body = {"model": "scripted", "messages": [{"role": "user", "content": question}], **extra}
    return httpx.post(f"{base_url}/chat/completions", json=body, timeout=10)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer(ScriptedLLM()) as running:
        yield running


def test_an_answer_leaves_no_sooner_than_the_delay_after_its_request_arrived(server: ScriptedLLMServer) -> None:
    server.llm.set_script([{"match": "slow", "responses": [answer("SELECT 1")]}], delay_ms=300)
    started = time.monotonic()
    response = _ask(server.base_url, "a slow one")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= 0.3
    assert '"sql": "SELECT 1"' in response.json()["choices"][0]["message"]["content"]


def test_a_scripted_error_and_raw_text_are_delayed_too(server: ScriptedLLMServer) -> None:
    server.llm.set_script(
        [{"match": "broken", "responses": [{"status": 500, "delay_ms": 200}, {"raw": "not json", "delay_ms": 200}]}]
    )
    started = time.monotonic()
    failed = _ask(server.base_url, "broken")
    assert failed.status_code == 500
    assert time.monotonic() - started >= 0.2
    second_turn = [{"role": "user", "content": "broken"}, {"role": "assistant", "content": "?"}]
    raw = httpx.post(
        f"{server.base_url}/chat/completions", json={"model": "scripted", "messages": second_turn}, timeout=10
    )
    assert raw.json()["choices"][0]["message"]["content"] == "not json"


def test_a_question_no_rule_matches_is_refused_by_name(server: ScriptedLLMServer) -> None:
    server.llm.set_script([{"match": "known", "responses": [answer("SELECT 1")]}])
    response = _ask(server.base_url, "something else")
    assert response.status_code == 400
    assert "no rule matches 'something else'" in response.json()["error"]["message"]
