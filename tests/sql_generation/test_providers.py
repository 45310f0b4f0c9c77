"""T2T_LLM_MODEL=provider:model to a model, with errors that say exactly what to set."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.models.ollama import OllamaModel
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.models.openrouter import OpenRouterModel

from talk2tables.config import Settings
from talk2tables.errors import LLMNotConfiguredError
from talk2tables.sql_generation.output import GeneratedSQL
from talk2tables.sql_generation.providers import LLMConfig, build_llm, request_settings

KEYS = LLMConfig(
    model=None,
    openai_api_key="sk-openai",
    anthropic_api_key="sk-ant",
    google_api_key="g-key",
    openrouter_api_key="or-key",
)


@pytest.mark.parametrize("model", [None, "", "   "])
def test_no_model_configured_says_exactly_what_to_set(model: str | None) -> None:
    with pytest.raises(LLMNotConfiguredError) as caught:
        build_llm(LLMConfig(model=model))
    message = caught.value.message
    for variable in ("T2T_LLM_MODEL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "OPENAI_BASE_URL"):
        assert variable in message
    assert caught.value.status_code == 503


def test_a_model_without_a_provider_prefix_is_refused() -> None:
    with pytest.raises(LLMNotConfiguredError, match="not of the form provider:model"):
        build_llm(LLMConfig(model="gpt-4o-mini"))


def test_an_unknown_provider_lists_the_supported_ones() -> None:
    with pytest.raises(LLMNotConfiguredError) as caught:
        build_llm(LLMConfig(model="acme:brain-1"))
    assert "'acme'" in caught.value.message
    assert "openai, openrouter, ollama, anthropic, google-gla, google-vertex" in caught.value.message


@pytest.mark.parametrize(
    ("model", "variable"),
    [
        ("openai:gpt-4o-mini", "OPENAI_API_KEY"),
        ("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY"),
        ("google-gla:gemini-2.5-flash", "GOOGLE_API_KEY"),
        ("openrouter:openai/gpt-4o-mini", "OPENROUTER_API_KEY"),
    ],
)
def test_a_hosted_provider_without_its_key_names_the_key_variable(model: str, variable: str) -> None:
    with pytest.raises(LLMNotConfiguredError, match=f"set {variable}"):
        build_llm(LLMConfig(model=model))


@pytest.mark.parametrize(
    ("model", "cls", "mode"),
    [
        ("openai:gpt-4o-mini", OpenAIChatModel, "tool"),
        ("anthropic:claude-sonnet-4-5", AnthropicModel, "tool"),
        ("google-gla:gemini-2.5-flash", GoogleModel, "tool"),
        ("openrouter:openai/gpt-4o-mini", OpenRouterModel, "tool"),
        ("ollama:qwen2.5-coder:1.5b", OllamaModel, "prompted"),
    ],
)
def test_each_provider_builds_its_model_with_a_suitable_output_mode(model: str, cls: type, mode: str) -> None:
    choice = build_llm(replace(KEYS, model=model))
    assert isinstance(choice.model, cls)
    assert choice.output_mode == mode
    assert choice.model_id == model
    assert choice.model.model_name == model.partition(":")[2]


def test_openai_with_a_base_url_is_any_openai_compatible_server_with_prompted_json() -> None:
    choice = build_llm(LLMConfig(model="openai:qwen-local", openai_base_url="http://127.0.0.1:8003/v1"))
    assert isinstance(choice.model, OpenAIChatModel)
    assert choice.output_mode == "prompted"
    assert choice.endpoint == "http://127.0.0.1:8003/v1"
    assert choice.label == "openai:qwen-local at http://127.0.0.1:8003/v1"
    assert str(choice.model.client.base_url).startswith("http://127.0.0.1:8003/v1")


@pytest.mark.parametrize(
    ("base_url", "field"),
    [("http://127.0.0.1:8003/v1", "max_tokens"), ("https://api.openai.com/v1", "max_completion_tokens")],
)
def test_the_answer_cap_uses_the_field_the_server_reads(base_url: str, field: str) -> None:
    choice = build_llm(LLMConfig(model="openai:x", openai_base_url=base_url))
    legacy = not choice.model.profile.get("openai_chat_supports_max_completion_tokens", True)
    assert ("max_tokens" if legacy else "max_completion_tokens") == field


def test_the_output_mode_setting_overrides_the_providers_default() -> None:
    config = LLMConfig(model="openai:x", openai_base_url="http://127.0.0.1:1/v1", output_mode="tool")
    assert build_llm(config).output_mode == "tool"
    assert build_llm(replace(KEYS, model="anthropic:claude", output_mode="prompted")).output_mode == "prompted"


def test_prompted_output_on_an_openai_compatible_server_asks_for_schema_constrained_json() -> None:
    config = LLMConfig(model="openai:x", openai_base_url="http://127.0.0.1:1/v1", timeout_seconds=7, max_retries=1)
    schema = GeneratedSQL.model_json_schema()
    settings = request_settings(build_llm(config), config, schema)
    assert settings["extra_body"] == {"response_format": {"type": "json_object", "schema": schema}}
    assert settings["request_timeout"] == 7
    assert settings["max_retries"] == 1
    hosted = replace(KEYS, model="anthropic:claude")
    assert "extra_body" not in request_settings(build_llm(hosted), hosted, schema)


def test_config_reads_keys_and_limits_from_settings_without_exposing_them() -> None:
    settings = Settings.model_validate(
        {
            "T2T_LLM_MODEL": "anthropic:claude-sonnet-4-5",
            "ANTHROPIC_API_KEY": "sk-ant-secret",
            "GEMINI_API_KEY": "gem",
            "T2T_LLM_TIMEOUT": "12",
            "T2T_LLM_MAX_RETRIES": "0",
            "T2T_LLM_OUTPUT_MODE": "native",
        }
    )
    config = LLMConfig.from_settings(settings)
    assert config.model == "anthropic:claude-sonnet-4-5"
    assert config.anthropic_api_key == "sk-ant-secret"
    assert config.google_api_key == "gem"
    assert (config.timeout_seconds, config.max_retries, config.output_mode) == (12.0, 0, "native")
    assert "sk-ant-secret" not in repr(settings)


def test_the_pipeline_factory_takes_its_limits_and_llm_from_settings() -> None:
    from talk2tables.workflow.factory import pipeline_from_settings

    settings = Settings.model_validate({"T2T_LLM_MODEL": "openai:x", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1",
                                        "T2T_MAX_ATTEMPTS": "2"})  # fmt: skip
    pipeline = pipeline_from_settings(settings, orchestrator=object())  # type: ignore[arg-type]
    assert pipeline.max_attempts == 2
    assert pipeline.generator.describe() == {"model": "openai:x"}
