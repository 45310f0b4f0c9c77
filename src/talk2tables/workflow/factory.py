"""Build the generator, the pipeline and the question service from Settings (the edge: the API lifespan and
the CLI)."""

from __future__ import annotations

from talk2tables.config import Settings
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.combine import CombineLimits
from talk2tables.workflow.pipeline import OrchestratorLike, Pipeline
from talk2tables.workflow.service import Answerer, Observer, QuestionService


def generator_from_settings(settings: Settings) -> SQLGenerator:
    """A generator for the configured LLM; an unconfigured LLM fails each request, not this call."""
    return SQLGenerator(LLMConfig.from_settings(settings))


def combine_limits_from_settings(settings: Settings) -> CombineLimits:
    return CombineLimits(
        max_part_rows=settings.combine_max_part_rows,
        max_total_rows=settings.combine_max_total_rows,
        timeout_seconds=settings.combine_timeout_seconds,
    )


def pipeline_from_settings(settings: Settings, orchestrator: OrchestratorLike) -> Pipeline:
    return Pipeline(
        orchestrator,
        generator_from_settings(settings),
        max_attempts=settings.max_attempts,
        combine_limits=combine_limits_from_settings(settings),
        terms_step=settings.metadata_terms_step,
        schema_token_budget=settings.schema_token_budget,
        candidates=settings.sql_candidates,
        repair_columns=settings.sql_repair,
    )


def service_from_settings(settings: Settings, pipeline: Answerer, metrics: Observer | None = None) -> QuestionService:
    """The one way every front door answers: question check, request deadline, pipeline, metrics."""
    return QuestionService(
        pipeline,
        metrics,
        max_chars=settings.max_question_chars,
        timeout_seconds=settings.request_timeout_seconds,
    )
