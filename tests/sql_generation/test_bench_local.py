"""`make bench-local` (benchmarks.local_model) runs end to end: here against the scripted LLM, so only its plumbing
is checked; its figures mean something only with a real model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from benchmarks.local_model import _parse, run

from tests.support.scripted_llm import MODEL_ID, ScriptedLLMServer, answer
from tests.support.scripts import PRODUCT_COUNT_SQL
from tests.support.system import API_KEY, McpServers

pytestmark = pytest.mark.e2e


def test_bench_local_times_the_product_and_the_bare_model_per_question(
    llm: ScriptedLLMServer, mcp_servers: McpServers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("T2T_LLM_MODEL", "OPENAI_BASE_URL", "T2T_LLM_TIMEOUT", "T2T_REQUEST_TIMEOUT", "T2T_LLM_MAX_RETRIES",
                 "MCP_CONFIG_PATH", "OPENAI_API_KEY"):  # fmt: skip
        monkeypatch.setenv(name, "")  # restored after the test, whatever the benchmark sets
    questions = tmp_path / "questions.yaml"
    questions.write_text(yaml.safe_dump([
        {"id": "products", "question": "How many products?", "gold_sql": "SELECT COUNT(*) FROM products"},
        {"id": "recovered", "question": "How many products, again?", "gold_sql": "SELECT COUNT(*) FROM products"},
    ]))  # fmt: skip
    llm.llm.set_script([
        {"match": "again", "responses": [answer("SELECT nope FROM products"), answer(PRODUCT_COUNT_SQL)]},
        {"match": "", "responses": [answer(PRODUCT_COUNT_SQL)]},
    ])  # fmt: skip
    args = _parse([str(questions), "--config", str(mcp_servers.registry), "--base-url", llm.base_url,
                   "--model", f"openai:{MODEL_ID}", "--timeout", "20"])  # fmt: skip
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    report = asyncio.run(run(args))
    first, second = report["questions"]
    assert (first["id"], first["correct"], first["attempts"]) == ("products", True, 1)
    assert (second["correct"], second["attempts"]) == (True, 2)
    assert [c["step"] for c in first["calls"]] == ["sql", "explain"]
    assert [c["step"] for c in second["calls"]] == ["sql", "sql", "explain"]
    assert all(c["input_tokens"] == 1 for c in first["calls"])  # what the scripted server reports as usage
    for row in report["questions"]:
        assert 0 < row["time_to_rows_ms"] <= row["total_ms"]
        assert row["bare_bare_ms"] == pytest.approx(row["bare_prompt_ms"] + row["bare_generation_ms"])
    summary = report["summary"]
    assert (summary["questions"], summary["correct"], summary["attempts_over_1"]) == (2, 2, 1)
    assert summary["rows_over_bare"]["p50"] > 0
    # The bare model's first completion is asked for one token only (reading the prompt).
    assert any(r.get("max_tokens") == 1 for r in llm.llm.requests)
