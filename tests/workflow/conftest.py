"""The workflow tests share the scripted LLM fixtures of the SQL generation tests."""

from tests.sql_generation.conftest import llm, llm_config, llm_server  # noqa: F401
