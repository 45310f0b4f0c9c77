"""The OpenAI-compatible endpoint: existing chat clients get a Markdown answer."""

from __future__ import annotations

import json

import httpx
from openai import OpenAI

from tests.support.system import InProcessApi


def test_answers_the_last_user_message_as_markdown(client: httpx.Client) -> None:
    body = {
        "model": "talk2tables",
        "messages": [
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "Hi"},
            {"role": "user", "content": [{"type": "text", "text": "sales by category please"}]},
        ],
    }
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    data = response.json()
    content = data["choices"][0]["message"]["content"]
    assert data["object"] == "chat.completion"
    assert data["choices"][0]["message"]["role"] == "assistant"
    assert "| category | revenue |" in content
    assert "```sql\nSELECT p.category" in content
    assert "Electronics" in content
    assert content.endswith("_Answered from Database MCP._")
    assert data["talk2tables"]["query"] == "sales by category please"


def test_the_official_openai_client_can_use_it(api: InProcessApi) -> None:
    client = OpenAI(base_url=f"{api.url}/v1", api_key="unused")
    completion = client.chat.completions.create(
        model="talk2tables", messages=[{"role": "user", "content": "total sales of abracadabra"}]
    )
    assert "Magic Wand Pro" in (completion.choices[0].message.content or "")
    assert [m.id for m in client.models.list()] == ["talk2tables"]


def test_streams_chunks_and_done(client: httpx.Client) -> None:
    body = {"messages": [{"role": "user", "content": "total sales of abracadabra"}], "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "Magic Wand Pro" in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_a_failed_question_is_a_readable_message(client: httpx.Client) -> None:
    body = {"messages": [{"role": "user", "content": "a never answerable question"}]}
    data = client.post("/v1/chat/completions", json=body).json()
    content = data["choices"][0]["message"]["content"]
    assert content.startswith("**Could not answer:**")
    assert "missing_column" in content
    assert data["talk2tables"]["success"] is False


def test_no_user_message_is_answered_with_what_to_do(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "x"}]})
    assert response.status_code == 200
    assert "No user message" in response.json()["choices"][0]["message"]["content"]
    assert response.json()["talk2tables"]["success"] is False


def test_a_schema_invalid_request_is_a_422(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", json={"messages": []})
    assert response.status_code == 422
    assert "messages" in response.json()["error"]["message"]
