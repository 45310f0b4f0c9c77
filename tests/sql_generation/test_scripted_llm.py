"""The scripted LLM server itself, as other tests and the benchmarks use it (in process and as a module)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import REPO_ROOT, free_port, wait_for_port
from tests.support.scripted_llm import MODEL_ID, Script, ScriptedLLMServer, answer
from tests.support.system import API_KEY

HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def chat(base_url: str, messages: list[dict[str, str]], **extra: object) -> httpx.Response:
    body = {"model": MODEL_ID, "messages": messages, **extra}
    return httpx.post(f"{base_url}/chat/completions", json=body, headers=HEADERS, timeout=30)


def test_answers_each_turn_of_a_conversation_in_order(llm: ScriptedLLMServer) -> None:
    llm.llm.set_script([{"match": "revenue", "responses": [answer("SELECT 1"), answer("SELECT 2")]}])
    first = [{"role": "system", "content": "rules"}, {"role": "user", "content": "Question: revenue?"}]
    reply = chat(llm.base_url, first).json()["choices"][0]["message"]
    assert json.loads(reply["content"])["sql"] == "SELECT 1"
    second = [*first, {"role": "assistant", "content": reply["content"]}, {"role": "user", "content": "fix it"}]
    assert json.loads(chat(llm.base_url, second).json()["choices"][0]["message"]["content"])["sql"] == "SELECT 2"
    third = [*second, {"role": "assistant", "content": "x"}, {"role": "user", "content": "again"}]
    assert json.loads(chat(llm.base_url, third).json()["choices"][0]["message"]["content"])["sql"] == "SELECT 2"
    assert len(llm.llm.conversations()) == 3


def test_answers_tool_requests_with_a_tool_call(llm: ScriptedLLMServer) -> None:
    llm.llm.set_script([{"match": "", "responses": [answer("SELECT 1")]}])
    tools = [{"type": "function", "function": {"name": "final_result", "parameters": {"type": "object"}}}]
    reply = chat(llm.base_url, [{"role": "user", "content": "q"}], tools=tools).json()["choices"][0]
    assert reply["finish_reason"] == "tool_calls"
    call = reply["message"]["tool_calls"][0]["function"]
    assert call["name"] == "final_result"
    assert json.loads(call["arguments"])["sql"] == "SELECT 1"


def test_refuses_a_wrong_key_and_an_unscripted_question(llm: ScriptedLLMServer) -> None:
    llm.llm.set_script([{"match": "known", "responses": [answer("SELECT 1")]}])
    wrong = httpx.post(f"{llm.base_url}/chat/completions", json={"messages": []}, headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    unknown = chat(llm.base_url, [{"role": "user", "content": "something else"}])
    assert unknown.status_code == 400
    assert "no rule matches" in unknown.json()["error"]["message"]


def test_a_hang_holds_the_request_until_released(llm: ScriptedLLMServer) -> None:
    llm.llm.set_script([{"match": "", "responses": [{"hang": True}]}])
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": "q"}]}
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{llm.base_url}/chat/completions", json=body, headers=HEADERS, timeout=0.5)
    llm.llm.release_hangs()
    # Released, a hung request ends (503) instead of holding the server until it stops.
    assert httpx.post(f"{llm.base_url}/chat/completions", json=body, headers=HEADERS, timeout=30).status_code == 503


def test_runs_as_a_module_with_a_script_file_and_a_global_delay(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text("rules:\n  - match: ''\n    responses:\n      - content: {sql: SELECT 1}\n")
    assert Script.load(script).rules[0].responses == [{"content": {"sql": "SELECT 1"}}]
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.scripted_llm", "--port", str(port), "--script", str(script),
         "--delay-ms", "300"],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=60, process=process)
        base = f"http://127.0.0.1:{port}/v1"
        assert httpx.get(f"{base}/models", timeout=30).json()["data"][0]["id"] == MODEL_ID
        started = time.monotonic()
        reply = httpx.post(
            f"{base}/chat/completions", json={"messages": [{"role": "user", "content": "q"}]}, timeout=30
        )
        assert time.monotonic() - started >= 0.3
        assert json.loads(reply.json()["choices"][0]["message"]["content"]) == {"sql": "SELECT 1"}
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_an_invalid_script_is_refused_with_the_offending_rule() -> None:
    with pytest.raises(ValueError, match="needs 'match'"):
        Script.from_data([{"match": "x", "responses": []}])
