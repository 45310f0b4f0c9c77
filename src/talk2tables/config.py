"""Settings read once, at the edge, from the environment and `.env`; passed inward from there.

Every field is documented in `.env.example` and `docs/configuration.md`; a test keeps them in sync.
Library classes never read `os.environ`: they take these settings (or plain values) as parameters.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("test_data")
DEFAULT_DATABASE_PATH = DEFAULT_DATA_DIR / "multi_mcp_test.db"
DEFAULT_METADATA_PATH = DEFAULT_DATA_DIR / "product_metadata.json"
DEFAULT_BUSINESS_DESCRIPTION_PATH = DEFAULT_DATA_DIR / "database_description.md"
DEFAULT_SUPPORT_DATABASE_PATH = DEFAULT_DATA_DIR / "support.db"
DEFAULT_SUPPORT_DESCRIPTION_PATH = DEFAULT_DATA_DIR / "support_description.md"
DEFAULT_MCP_CONFIG_PATH = Path("mcp_config.yaml")


def environment(env_file: Path = Path(".env")) -> dict[str, str]:
    """The environment as settings see it: `.env` values, overridden by the real environment.

    For the variables that are not fields of Settings because their names are open-ended
    (`T2T_MCP_<KEY>_URL`) or that only the edge needs (`T2T_DATA_DIR`). Call it at the edge only."""
    from_file = {k: v for k, v in dotenv_values(env_file).items() if v is not None} if env_file.is_file() else {}
    return {**from_file, **os.environ}


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """All settings of Talk 2 Tables. Environment variable names are the aliases."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # LLM
    llm_model: str | None = Field(
        default=None,
        validation_alias=_env("T2T_LLM_MODEL"),
        description="provider:model, e.g. openai:gpt-4o-mini, anthropic:claude-sonnet-4-5, "
        "google-gla:gemini-2.5-flash, openrouter:openai/gpt-4o-mini. Unset: `up` starts the bundled local model.",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=_env("OPENAI_BASE_URL"),
        description="Base URL of any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio).",
    )
    llm_timeout_seconds: float = Field(
        default=60.0, gt=0, validation_alias=_env("T2T_LLM_TIMEOUT"), description="Deadline of one LLM call."
    )
    max_attempts: int = Field(
        default=3, ge=1, le=3, validation_alias=_env("T2T_MAX_ATTEMPTS"), description="SQL attempts per question."
    )
    llm_output_mode: Literal["auto", "prompted", "tool", "native"] = Field(
        default="auto",
        validation_alias=_env("T2T_LLM_OUTPUT_MODE"),
        description="How the LLM returns structured output: auto (per provider), prompted (JSON in the reply, "
        "schema-constrained on OpenAI-compatible servers), tool (a function call) or native (JSON schema mode).",
    )
    schema_token_budget: int = Field(
        default=4000,
        ge=0,
        validation_alias=_env("T2T_SCHEMA_TOKEN_BUDGET"),
        description="When the databases' schemas would take more prompt tokens than this (estimated at 4 "
        "characters a token), a first LLM step chooses the tables the question needs and the prompt carries only "
        "those and the tables their foreign keys name. 0: always send every table.",
    )
    metadata_terms_step: bool = Field(
        default=False,
        validation_alias=_env("T2T_METADATA_TERMS_STEP"),
        description="Before the SQL, a short LLM step names the product names and business terms of the metadata "
        "the question uses (chosen from the metadata's own keys); their meanings then stand next to the question.",
    )
    llm_retry_temperature: float = Field(
        default=0.7,
        ge=0.0,
        le=2.0,
        validation_alias=_env("T2T_LLM_RETRY_TEMPERATURE"),
        description="Sampling temperature of the 2nd and 3rd SQL attempts (the first is always 0): at 0 a model "
        "given the same conversation tends to write the same failing SQL again.",
    )
    sql_candidates: int = Field(
        default=1,
        ge=1,
        le=5,
        validation_alias=_env("T2T_SQL_CANDIDATES"),
        description="Self-consistency: the first SQL attempt asks for this many queries (one at temperature 0, the "
        "others sampled), runs each that passes validation, and keeps the result most of them return. 1: one query.",
    )
    sql_repair: bool = Field(
        default=True,
        validation_alias=_env("T2T_SQL_REPAIR"),
        description="Mend a column reference the schema leaves one reading of (the alias the query gave the table, "
        "the one table of the query that has the column, the column spelt alike but for case and underscores, the "
        "one table outside the query that has it, joined along the foreign key to its primary key, the column a "
        "business term of the product metadata names where the query wrote the term's name) "
        "instead of spending an LLM attempt on it. The mended SQL is validated again before it runs.",
    )
    llm_max_retries: int = Field(
        default=2,
        ge=0,
        le=5,
        validation_alias=_env("T2T_LLM_MAX_RETRIES"),
        description="Retries of one LLM call by the provider's SDK on rate limits and server errors.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("OPENAI_API_KEY"), description="Key for openai: (and OPENAI_BASE_URL)."
    )
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("ANTHROPIC_API_KEY"), description="Key for anthropic: models."
    )
    google_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=_env("GOOGLE_API_KEY", "GEMINI_API_KEY"),
        description="Key for google-gla: (Gemini API) models.",
    )
    openrouter_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("OPENROUTER_API_KEY"), description="Key for openrouter: models."
    )
    ollama_base_url: str | None = Field(
        default=None,
        validation_alias=_env("OLLAMA_BASE_URL"),
        description="Ollama's OpenAI-compatible URL for ollama: models (default http://localhost:11434/v1).",
    )

    # MCP servers
    enable_multi_mcp: bool = Field(
        default=True,
        validation_alias=_env("ENABLE_MULTI_MCP"),
        description="true: every server in the registry; false: the Database MCP alone.",
    )
    mcp_config_path: Path = Field(
        default=DEFAULT_MCP_CONFIG_PATH, validation_alias=_env("MCP_CONFIG_PATH"), description="The YAML registry."
    )
    database_url: str = Field(
        default=str(DEFAULT_DATABASE_PATH),
        validation_alias=_env("DATABASE_URL"),
        description="SQLite file path or SQLAlchemy URL used by the Database MCP.",
    )
    support_database_url: str = Field(
        default=str(DEFAULT_SUPPORT_DATABASE_PATH),
        validation_alias=_env("T2T_SUPPORT_DATABASE_URL"),
        description="SQLite file path or SQLAlchemy URL of the second Database MCP `up` starts: the registry's "
        "`support` server (the sample support desk).",
    )
    metadata_path: Path = Field(
        default=DEFAULT_METADATA_PATH,
        validation_alias=_env("T2T_METADATA_PATH"),
        description="Product metadata JSON served by the Product Metadata MCP.",
    )
    mcp_token: SecretStr | None = Field(
        default=None, validation_alias=_env("T2T_MCP_TOKEN"), description="Bearer token the MCP servers require."
    )

    # Database MCP limits
    max_rows: int = Field(default=1000, ge=1, validation_alias=_env("T2T_MAX_ROWS"), description="Row cap.")
    statement_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias=_env("T2T_STATEMENT_TIMEOUT"), description="Per-statement time limit."
    )
    query_processes: int = Field(
        default=2,
        ge=1,
        le=64,
        validation_alias=_env("T2T_QUERY_PROCESSES"),
        description="Queries the Database MCP runs at once, each in a process of its own that can be stopped.",
    )
    max_queued_queries: int = Field(
        default=64,
        ge=0,
        validation_alias=_env("T2T_MAX_QUEUED_QUERIES"),
        description="Queries that may wait for a free query process; beyond them a query is refused as busy.",
    )
    query_memory_mb: int = Field(
        default=1024,
        ge=256,
        validation_alias=_env("T2T_QUERY_MEMORY_MB"),
        description="Address space of one query process (MiB); a query that needs more fails with out of memory.",
    )

    # API
    api_host: str = Field(default="127.0.0.1", validation_alias=_env("T2T_API_HOST"), description="API bind host.")
    api_port: int = Field(default=8001, validation_alias=_env("T2T_API_PORT"), description="API port.")
    api_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        validation_alias=_env("T2T_API_WORKERS"),
        description="API worker processes; more than one lets the API use more than one CPU core.",
    )
    api_token: SecretStr | None = Field(
        default=None, validation_alias=_env("T2T_API_TOKEN"), description="Bearer token the API requires."
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"],
        validation_alias=_env("T2T_CORS_ORIGINS"),
        description="Origins allowed to call the API from a browser (JSON list).",
    )
    max_question_chars: int = Field(
        default=2000, ge=1, validation_alias=_env("T2T_MAX_QUESTION_CHARS"), description="Longest question."
    )
    max_request_bytes: int = Field(
        default=65536, ge=1024, validation_alias=_env("T2T_MAX_REQUEST_BYTES"), description="Largest request body."
    )
    ui_dist_dir: Path = Field(
        default=Path("frontend/dist"), validation_alias=_env("T2T_UI_DIST"), description="Built web UI served at /."
    )
    request_timeout_seconds: float = Field(
        default=120.0, gt=0, validation_alias=_env("T2T_REQUEST_TIMEOUT"), description="Deadline of one question."
    )

    # Questions that span several databases: the parts' rows are combined in memory, within these caps
    combine_max_part_rows: int = Field(
        default=1000,
        ge=1,
        validation_alias=_env("T2T_COMBINE_MAX_PART_ROWS"),
        description="Most rows one part of a combined answer may bring; more fails the answer whole.",
    )
    combine_max_total_rows: int = Field(
        default=5000,
        ge=1,
        validation_alias=_env("T2T_COMBINE_MAX_TOTAL_ROWS"),
        description="Most rows all parts together, and the combined result, may have.",
    )
    combine_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        validation_alias=_env("T2T_COMBINE_TIMEOUT"),
        description="Time limit of the query that combines the parts' rows.",
    )

    # Bundled local model (used when T2T_LLM_MODEL is unset)
    local_model_path: Path | None = Field(
        default=None,
        validation_alias=_env("T2T_LOCAL_MODEL_PATH"),
        description="Any GGUF file to serve instead of the default Qwen2.5-Coder-1.5B-Instruct Q4_K_M.",
    )
    local_llm_port: int = Field(
        default=8003, validation_alias=_env("T2T_LOCAL_LLM_PORT"), description="Local LLM port."
    )
    llm_threads: int | None = Field(
        default=None,
        ge=1,
        validation_alias=_env("T2T_LLM_THREADS"),
        description="Generation threads (default: every core).",
    )
    local_llm_context: int = Field(
        default=8192, ge=512, validation_alias=_env("T2T_LOCAL_LLM_CONTEXT"), description="Local model context size."
    )

    log_level: str = Field(default="INFO", validation_alias=_env("LOG_LEVEL"), description="Log level.")

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable that sets `field` (the first, when several do)."""
        alias = cls.model_fields[field].validation_alias
        assert isinstance(alias, AliasChoices), f"{field} has no environment variable"
        return str(alias.choices[0])
