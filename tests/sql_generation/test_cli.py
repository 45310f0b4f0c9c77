"""`talk2tables ask` and `talk2tables eval` as a user runs them: a real process, real servers, scripted LLM."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.processes import REPO_ROOT
from tests.support.scripted_llm import MODEL_ID, ScriptedLLMServer, answer, entity
from tests.support.scripts import ABRACADABRA_SQL, PRODUCT_COUNT_SQL
from tests.support.system import API_KEY, McpServers

pytestmark = pytest.mark.e2e


def run(args: list[str], cwd: Path, llm: ScriptedLLMServer | None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in `cwd` (no .env there) with only the LLM settings given, nothing from this machine."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("T2T_", "OPENAI_", "MCP_", "ENABLE_"))}
    clean["PYTHONPATH"] = str(REPO_ROOT / "src")
    clean["COLUMNS"] = "200"
    if llm is not None:
        clean |= {"T2T_LLM_MODEL": f"openai:{MODEL_ID}", "OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": API_KEY}
    clean |= {"T2T_LLM_MAX_RETRIES": "0", "T2T_LLM_TIMEOUT": "20", **env}
    return subprocess.run(
        [sys.executable, "-m", "talk2tables", *args], cwd=cwd, env=clean, capture_output=True, text=True, timeout=120
    )


def test_ask_prints_the_sql_the_rows_the_resolved_terms_and_the_explanation(
    llm: ScriptedLLMServer, mcp_servers: McpServers, tmp_path: Path
) -> None:
    llm.llm.set_script(
        [{"match": "abracadabra", "responses": [
            answer(ABRACADABRA_SQL, entities=[entity("abracadabra", "Magic Wand Pro")],
                   explanation="Adds up every sale of the Magic Wand Pro.", confidence=0.93)]}]
    )  # fmt: skip
    done = run(["ask", "total sales of abracadabra", "--config", str(mcp_servers.registry)], tmp_path, llm)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "SELECT SUM(s.total_amount) AS total_sales" in out
    assert "total_sales" in out
    assert "abracadabra → Magic Wand Pro" in out
    assert "from Product Metadata MCP" in out
    assert "Adds up every sale of the Magic Wand Pro." in out
    assert "1 row · from Database MCP" in out
    assert "confidence 0.93" in out


def test_ask_says_which_column_reference_it_mended(
    llm: ScriptedLLMServer, mcp_servers: McpServers, tmp_path: Path
) -> None:
    written = "SELECT COUNT(*) AS books FROM products AS p WHERE products.category = 'Books'"
    llm.llm.set_script([{"match": "books", "responses": [answer(written)]}])
    done = run(["ask", "how many books", "--config", str(mcp_servers.registry)], tmp_path, llm)
    assert done.returncode == 0, done.stderr
    assert "WHERE p.category = 'Books'" in done.stdout  # the SQL that ran
    assert "mended products.category -> p.category" in done.stdout


def test_ask_checks_the_question_and_keeps_the_request_deadline_like_the_api(
    llm: ScriptedLLMServer, mcp_servers: McpServers, tmp_path: Path
) -> None:
    registry = ["--config", str(mcp_servers.registry)]
    llm.llm.set_script([{"match": "", "responses": [{"delay_ms": 5000, **answer(PRODUCT_COUNT_SQL)}]}])
    blank = run(["ask", "   ", *registry], tmp_path, llm)
    assert blank.returncode == 1
    assert "The question is empty" in blank.stdout
    too_long = run(["ask", "x" * 30, *registry], tmp_path, llm, T2T_MAX_QUESTION_CHARS="20")
    assert too_long.returncode == 1
    assert "the limit is 20 (T2T_MAX_QUESTION_CHARS)" in too_long.stdout
    assert llm.llm.requests == []  # refused before anything was asked
    late = run(["ask", "slow question", *registry], tmp_path, llm, T2T_REQUEST_TIMEOUT="1")
    assert late.returncode == 1
    assert "No answer within 1 s (T2T_REQUEST_TIMEOUT)" in late.stdout


def test_ask_json_prints_the_query_result(llm: ScriptedLLMServer, mcp_servers: McpServers, tmp_path: Path) -> None:
    llm.llm.set_script([{"match": "", "responses": [answer(PRODUCT_COUNT_SQL, explanation="Counts products.")]}])
    done = run(["ask", "how many products?", "--json", "--config", str(mcp_servers.registry)], tmp_path, llm)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"success", "query", "sql", "result", "error", "explanation", "resolved_entities", "metadata"}
    assert result["result"] == {"columns": ["product_count"], "rows": [[18]]}
    assert result["metadata"]["attempts_count"] == 1


def test_ask_exits_1_with_every_attempts_error_when_the_question_cannot_be_answered(
    llm: ScriptedLLMServer, mcp_servers: McpServers, tmp_path: Path
) -> None:
    llm.llm.set_script(
        [{"match": "", "responses": [answer("SELECT a FROM products"), answer("SELECT b FROM products"),
                                     answer("SELECT c FROM nowhere")]}]
    )  # fmt: skip
    done = run(["ask", "impossible", "--config", str(mcp_servers.registry)], tmp_path, llm)
    assert done.returncode == 1
    assert "Could not answer" in done.stdout
    assert "after 3 attempts" in done.stdout
    for text in ("attempt 1 (validating)", "'a'", "attempt 2", "'b'", "'nowhere'"):
        assert text in done.stdout


def test_ask_without_an_llm_says_what_to_set(mcp_servers: McpServers, tmp_path: Path) -> None:
    done = run(["ask", "anything", "--config", str(mcp_servers.registry)], tmp_path, None)
    assert done.returncode == 1
    assert "No LLM is configured" in done.stdout
    assert "T2T_LLM_MODEL" in done.stdout


def test_ask_without_a_registry_says_where_it_looked(tmp_path: Path) -> None:
    done = run(["ask", "anything"], tmp_path, None)
    assert done.returncode == 1
    assert "MCP registry not found: mcp_config.yaml" in done.stderr
    assert "--config" in done.stderr


def test_eval_prints_accuracy_recovery_and_latency(
    llm: ScriptedLLMServer, mcp_servers: McpServers, tmp_path: Path
) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        yaml.safe_dump(
            [
                {"id": "products", "question": "How many products?", "gold_sql": "SELECT COUNT(*) FROM products"},
                {"id": "customers", "question": "How many customers?", "gold_sql": "SELECT COUNT(*) FROM customers"},
            ]
        )
    )
    llm.llm.set_script(
        [{"match": "products", "responses": [answer("SELECT COUNT(nope) FROM products"), answer(PRODUCT_COUNT_SQL)]},
         {"match": "customers", "responses": [answer("SELECT COUNT(*) FROM orders")]}]
    )  # fmt: skip
    done = run(["eval", str(questions), "--config", str(mcp_servers.registry)], tmp_path, llm)
    assert done.returncode == 0, done.stderr
    assert "Execution accuracy: 1/2 (50.0%)" in done.stdout
    assert "Recovery rate: 100.0% (1 of 1" in done.stdout
    assert "Latency: p50" in done.stdout
    assert "different values" in done.stdout

    as_json = run(["eval", str(questions), "--json", "--config", str(mcp_servers.registry)], tmp_path, llm)
    report = json.loads(as_json.stdout)
    assert report["summary"]["execution_accuracy"] == 0.5
    assert [c["correct"] for c in report["cases"]] == [True, False]

    strict = run(
        ["eval", str(questions), "--min-accuracy", "0.9", "--config", str(mcp_servers.registry)], tmp_path, llm
    )
    assert strict.returncode == 1
    assert "below 90.0%" in strict.stderr


def test_eval_refuses_an_invalid_question_file_before_asking_anything(
    llm: ScriptedLLMServer, mcp_servers: McpServers, tmp_path: Path
) -> None:
    questions = tmp_path / "bad.yaml"
    questions.write_text("- question: no gold here\n")
    done = run(["eval", str(questions), "--config", str(mcp_servers.registry)], tmp_path, llm)
    assert done.returncode == 1
    assert "entry 1: missing gold_sql" in done.stderr
    assert llm.llm.requests == []
