"""One setting, `T2T_LLM_MODEL=provider:model`, to a pydantic-ai model; provider failures to clear errors.

Providers: openai (and any OpenAI-compatible server through OPENAI_BASE_URL: llama.cpp, vLLM, Ollama,
LM Studio), openrouter, ollama, anthropic, google-gla (Gemini API) and google-vertex (Google Cloud). Keys come
in as values (read once from Settings at the edge), never from the environment here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic_ai import exceptions as ai_errors
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

from talk2tables.errors import LLMError, LLMNotConfiguredError, LLMOutputError, LLMTimeoutError, LLMUnavailableError

if TYPE_CHECKING:
    from talk2tables.config import Settings

OutputMode = Literal["auto", "prompted", "tool", "native"]
ResolvedMode = Literal["prompted", "tool", "native"]

SUPPORTED = ("openai", "openrouter", "ollama", "anthropic", "google-gla", "google-vertex")
DEFAULT_OLLAMA_URL = "http://localhost:11434/v1"
# llama.cpp and most local servers accept any key; the OpenAI SDK insists on one.
PLACEHOLDER_KEY = "not-needed"
OPENAI_API_HOST = "api.openai.com"

NOT_CONFIGURED = (
    "No LLM is configured. Set T2T_LLM_MODEL to provider:model, for example "
    "T2T_LLM_MODEL=openai:gpt-4o-mini with OPENAI_API_KEY, anthropic:claude-sonnet-4-5 with ANTHROPIC_API_KEY, "
    "google-gla:gemini-2.5-flash with GOOGLE_API_KEY, or openrouter:openai/gpt-4o-mini with OPENROUTER_API_KEY; "
    "for a local OpenAI-compatible server (llama.cpp, vLLM, Ollama, LM Studio) set T2T_LLM_MODEL=openai:<model> "
    "and OPENAI_BASE_URL=http://host:port/v1. `talk2tables up` starts the bundled local model when none is set."
)


@dataclass(frozen=True)
class LLMConfig:
    """The LLM settings as plain values."""

    model: str | None
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    anthropic_api_key: str | None = None
    google_api_key: str | None = None
    openrouter_api_key: str | None = None
    ollama_base_url: str | None = None
    timeout_seconds: float = 60.0
    max_retries: int = 2
    output_mode: OutputMode = "auto"
    max_output_tokens: int = 1024  # the answers are small JSON objects (see request_settings)
    retry_temperature: float = 0.7  # the 2nd and 3rd SQL attempts; the first and the explanation are at 0

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMConfig:
        def secret(value: Any) -> str | None:
            return value.get_secret_value() if value is not None else None

        return cls(
            model=settings.llm_model,
            openai_base_url=settings.openai_base_url,
            openai_api_key=secret(settings.openai_api_key),
            anthropic_api_key=secret(settings.anthropic_api_key),
            google_api_key=secret(settings.google_api_key),
            openrouter_api_key=secret(settings.openrouter_api_key),
            ollama_base_url=settings.ollama_base_url,
            timeout_seconds=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
            output_mode=settings.llm_output_mode,
            retry_temperature=settings.llm_retry_temperature,
        )


@dataclass(frozen=True)
class LLMChoice:
    """A built model and how to talk to it."""

    model: Model
    model_id: str
    provider: str
    output_mode: ResolvedMode
    endpoint: str | None
    key_variable: str | None

    @property
    def label(self) -> str:
        return f"{self.model_id} at {self.endpoint}" if self.endpoint else self.model_id


def parse_model_id(model_id: str | None) -> tuple[str, str]:
    if not model_id or not model_id.strip():
        raise LLMNotConfiguredError(NOT_CONFIGURED)
    provider, sep, name = model_id.strip().partition(":")
    if not sep or not provider or not name:
        raise LLMNotConfiguredError(
            f"T2T_LLM_MODEL={model_id!r} is not of the form provider:model (e.g. openai:gpt-4o-mini). " + NOT_CONFIGURED
        )
    return provider.lower(), name


def build_llm(config: LLMConfig) -> LLMChoice:
    """The model named by T2T_LLM_MODEL, or LLMNotConfiguredError saying exactly what to set."""
    provider, name = parse_model_id(config.model)
    builder = _BUILDERS.get(provider)
    if builder is None:
        raise LLMNotConfiguredError(
            f"Unknown LLM provider {provider!r} in T2T_LLM_MODEL={config.model!r}; use one of {', '.join(SUPPORTED)} "
            "(any OpenAI-compatible server: openai:<model> with OPENAI_BASE_URL)."
        )
    return builder(config, provider, name)


def _require(value: str | None, variable: str, model_id: str) -> str:
    if not value:
        raise LLMNotConfiguredError(f"T2T_LLM_MODEL={model_id} needs an API key: set {variable}.")
    return value


def _mode(config: LLMConfig, default: ResolvedMode) -> ResolvedMode:
    return default if config.output_mode == "auto" else config.output_mode


def _openai(config: LLMConfig, provider: str, name: str) -> LLMChoice:
    from pydantic_ai.models.openai import OpenAIChatModel

    model_id = f"{provider}:{name}"
    if config.openai_base_url:
        # Any OpenAI-compatible server: prompted JSON, schema-constrained where the server supports it (see
        # generator.model_settings); tool calls are unreliable on llama.cpp and json_schema mode fails there.
        from pydantic_ai.profiles.openai import OpenAIModelProfile
        from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

        # The answer's token cap goes out as `max_tokens`, the field every OpenAI-compatible server reads:
        # llama-cpp-python's server ignores `max_completion_tokens` (pydantic-ai's default), so a runaway reply
        # on the bundled model was never cut. OpenAI's own API keeps the newer field.
        legacy_cap = urlsplit(config.openai_base_url).hostname != OPENAI_API_HOST
        compatible = OpenAICompatibleProvider(
            "openai-compatible",
            base_url=config.openai_base_url,
            api_key=config.openai_api_key or PLACEHOLDER_KEY,
            profile=OpenAIModelProfile(openai_chat_supports_max_completion_tokens=not legacy_cap),
        )
        return LLMChoice(
            OpenAIChatModel(name, provider=compatible),
            model_id,
            provider,
            _mode(config, "prompted"),
            config.openai_base_url,
            "OPENAI_API_KEY",
        )
    from pydantic_ai.providers.openai import OpenAIProvider

    key = _require(config.openai_api_key, "OPENAI_API_KEY", model_id)
    model = OpenAIChatModel(name, provider=OpenAIProvider(api_key=key))
    return LLMChoice(model, model_id, provider, _mode(config, "tool"), None, "OPENAI_API_KEY")


def _openrouter(config: LLMConfig, provider: str, name: str) -> LLMChoice:
    from pydantic_ai.models.openrouter import OpenRouterModel
    from pydantic_ai.providers.openrouter import OpenRouterProvider

    model_id = f"{provider}:{name}"
    key = _require(config.openrouter_api_key, "OPENROUTER_API_KEY", model_id)
    model = OpenRouterModel(name, provider=OpenRouterProvider(api_key=key, app_title="Talk 2 Tables"))
    return LLMChoice(model, model_id, provider, _mode(config, "tool"), None, "OPENROUTER_API_KEY")


def _ollama(config: LLMConfig, provider: str, name: str) -> LLMChoice:
    from pydantic_ai.models.ollama import OllamaModel
    from pydantic_ai.providers.ollama import OllamaProvider

    url = config.ollama_base_url or DEFAULT_OLLAMA_URL
    model = OllamaModel(name, provider=OllamaProvider(base_url=url, api_key=PLACEHOLDER_KEY))
    return LLMChoice(model, f"{provider}:{name}", provider, _mode(config, "prompted"), url, None)


def _anthropic(config: LLMConfig, provider: str, name: str) -> LLMChoice:
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    model_id = f"{provider}:{name}"
    key = _require(config.anthropic_api_key, "ANTHROPIC_API_KEY", model_id)
    model = AnthropicModel(name, provider=AnthropicProvider(api_key=key))
    return LLMChoice(model, model_id, provider, _mode(config, "tool"), None, "ANTHROPIC_API_KEY")


def _google_gla(config: LLMConfig, provider: str, name: str) -> LLMChoice:
    from pydantic_ai.models.google import GoogleModel
    from pydantic_ai.providers.google import GoogleProvider

    model_id = f"{provider}:{name}"
    key = _require(config.google_api_key, "GOOGLE_API_KEY", model_id)
    model = GoogleModel(name, provider=GoogleProvider(api_key=key))
    return LLMChoice(model, model_id, provider, _mode(config, "tool"), None, "GOOGLE_API_KEY")


def _google_vertex(config: LLMConfig, provider: str, name: str) -> LLMChoice:
    from pydantic_ai.models.google import GoogleModel
    from pydantic_ai.providers.google_cloud import GoogleCloudProvider

    # Google Cloud authenticates with Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
    # GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_LOCATION), which its SDK reads itself.
    model = GoogleModel(name, provider=GoogleCloudProvider(api_key=config.google_api_key))
    return LLMChoice(model, f"{provider}:{name}", provider, _mode(config, "tool"), None, None)


_BUILDERS: dict[str, Callable[[LLMConfig, str, str], LLMChoice]] = {
    "openai": _openai,
    "openrouter": _openrouter,
    "ollama": _ollama,
    "anthropic": _anthropic,
    "google-gla": _google_gla,
    "google": _google_gla,
    "google-vertex": _google_vertex,
    "google-cloud": _google_vertex,
}


def request_settings(
    choice: LLMChoice, config: LLMConfig, schema: dict[str, Any], *, temperature: float = 0.0
) -> ModelSettings:
    """Per-request settings: a hard deadline over every SDK retry, the retry count, and, for prompted output on
    an OpenAI-compatible server, `response_format` json_object + schema (llama.cpp turns it into a grammar)."""
    settings = ModelSettings(
        timeout=config.timeout_seconds,
        request_timeout=config.timeout_seconds,
        max_retries=config.max_retries,
        temperature=temperature,
        # The answer is a small JSON object; a bound stops a runaway generation from occupying a local
        # server (llama.cpp finishes a request even after its client gave up) long after the deadline.
        max_tokens=config.max_output_tokens,
    )
    if choice.output_mode == "prompted" and choice.provider in ("openai", "ollama"):
        settings["extra_body"] = {"response_format": {"type": "json_object", "schema": schema}}
    return settings


async def close_http_client(choice: LLMChoice) -> None:
    """Close the HTTP client the provider opened for this model, if it did and it is still open."""
    provider = getattr(choice.model, "provider", None)
    client = getattr(provider, "_own_http_client", None)
    if client is not None and not getattr(client, "is_closed", True):
        await client.aclose()


def translate_error(exc: BaseException, choice: LLMChoice, config: LLMConfig) -> LLMError:
    """A pydantic-ai/SDK failure as the error a person can act on (what failed, what to set)."""
    where = choice.label
    status = getattr(exc, "status_code", None)
    detail = _detail(exc)
    if isinstance(exc, ai_errors.ModelRequestTimeout | ai_errors.ModelTimeoutError):
        return LLMTimeoutError(
            f"The LLM ({where}) did not answer within {config.timeout_seconds:g} s. Check that it is running and "
            "not overloaded, or raise T2T_LLM_TIMEOUT.",
            model=choice.model_id,
        )
    if isinstance(exc, ai_errors.ModelAuthenticationError):
        fix = f"check {choice.key_variable}" if choice.key_variable else "check the provider's credentials"
        return LLMUnavailableError(
            f"The LLM provider ({where}) refused the credentials (HTTP {status}): {fix}.",
            model=choice.model_id,
            llm_status=status,
        )
    if isinstance(exc, ai_errors.ModelConnectionError):
        fix = "check OPENAI_BASE_URL and that the server is running" if choice.endpoint else "check the network"
        return LLMUnavailableError(f"Could not reach the LLM ({where}): {detail}; {fix}.", model=choice.model_id)
    if isinstance(exc, ai_errors.ModelNotFoundError):
        return LLMUnavailableError(
            f"The LLM provider ({where}) does not know the model (HTTP {status}): {detail}. "
            "Check the model name in T2T_LLM_MODEL (and OPENAI_BASE_URL).",
            model=choice.model_id,
            llm_status=status,
        )
    if isinstance(exc, ai_errors.ModelAPIError):
        hint = ""
        if isinstance(exc, ai_errors.ModelRequestRejectedError) and not isinstance(
            exc, ai_errors.ModelContextWindowExceededError
        ):
            hint = " If the server does not support this output mode, set T2T_LLM_OUTPUT_MODE (prompted, tool, native)."
        code = f"HTTP {status}" if status else "error"
        return LLMUnavailableError(
            f"The LLM ({where}) failed ({code}): {detail}.{hint} Try again later or use another provider.",
            model=choice.model_id,
            llm_status=status,
        )
    if isinstance(exc, ai_errors.UnexpectedModelBehavior):
        return LLMOutputError(f"The LLM's answer was not the JSON object asked for ({detail}).", model=choice.model_id)
    return LLMUnavailableError(f"The LLM call to {where} failed: {detail}.", model=choice.model_id)


def _detail(exc: BaseException) -> str:
    """The provider's own words when it sent any (the error body's message), else the exception's text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        nested = body.get("error")
        body = body.get("message") or (nested.get("message") if isinstance(nested, dict) else None)
    text = body if isinstance(body, str) and body.strip() else None
    text = text or getattr(exc, "message", None) or str(exc) or type(exc).__name__
    text = " ".join(str(text).split())
    return text if len(text) <= 300 else text[:297] + "..."
