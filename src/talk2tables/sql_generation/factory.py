"""Build the generator and the pipeline from Settings (the edge: the API lifespan and the CLI)."""

from __future__ import annotations

from talk2tables.config import Settings
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.pipeline import OrchestratorLike, Pipeline
from talk2tables.sql_generation.providers import LLMConfig


def generator_from_settings(settings: Settings) -> SQLGenerator:
    """A generator for the configured LLM; an unconfigured LLM fails each request, not this call."""
    return SQLGenerator(LLMConfig.from_settings(settings))


def pipeline_from_settings(settings: Settings, orchestrator: OrchestratorLike) -> Pipeline:
    return Pipeline(orchestrator, generator_from_settings(settings), max_attempts=settings.max_attempts)
