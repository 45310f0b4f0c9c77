"""`make test` leaves the real-model checks out and `make test-local` runs them alone (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.processes import REPO_ROOT

REAL_MODEL_TESTS = [
    "tests/local_llm/test_grammar_sampling.py::test_grammar_last_sampling_writes_what_grammar_first_sampling_writes",
    "tests/local_llm/test_real_model_e2e.py::test_the_real_model_answers_a_smoke_question_end_to_end",
]


def collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/local_llm", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_make_test_leaves_the_real_model_check_out() -> None:
    tests = collected()
    assert not set(REAL_MODEL_TESTS) & set(tests)
    assert any("test_model_installer" in t for t in tests)


def test_make_test_local_runs_only_the_real_model_check() -> None:
    assert collected("--local-model") == REAL_MODEL_TESTS
