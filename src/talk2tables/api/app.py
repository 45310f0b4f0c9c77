"""The FastAPI app factory: settings and collaborators come in as parameters; the lifespan owns sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from talk2tables import __version__
from talk2tables.api.errors import install_error_handlers
from talk2tables.api.metrics import Metrics
from talk2tables.api.routes import chat, metrics, query, servers
from talk2tables.api.security import BodySizeLimit, require_token
from talk2tables.api.static import mount_ui
from talk2tables.api.workers import multiprocess_metrics_dir
from talk2tables.config import Settings, environment
from talk2tables.logging import get_logger
from talk2tables.workflow.factory import service_from_settings
from talk2tables.workflow.service import Answerer

log = get_logger(__name__)

OrchestratorFactory = Callable[[Settings], Any]
PipelineFactory = Callable[[Settings, Any], Answerer]


def default_orchestrator(settings: Settings) -> Any:
    """The registry from settings, with T2T_MCP_<KEY>_URL overrides from the environment (this is the edge)."""
    from talk2tables.orchestrator import Orchestrator

    return Orchestrator.from_settings(settings, environment())


def default_pipeline(settings: Settings, orchestrator: Any) -> Answerer:
    from talk2tables.workflow.factory import pipeline_from_settings

    return pipeline_from_settings(settings, orchestrator)


def create_app(
    settings: Settings | None = None,
    *,
    orchestrator_factory: OrchestratorFactory = default_orchestrator,
    pipeline_factory: PipelineFactory = default_pipeline,
) -> FastAPI:
    """Build the app. The orchestrator's MCP sessions open at start-up and close at shutdown."""
    settings = settings or Settings()
    app_metrics = Metrics(shared_dir=multiprocess_metrics_dir())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        orchestrator = orchestrator_factory(settings)
        await orchestrator.start()
        pipeline: Any = None
        try:
            pipeline = pipeline_factory(settings, orchestrator)
            app.state.orchestrator = orchestrator
            app.state.questions = service_from_settings(settings, pipeline, app_metrics)
            log.info("api_started", llm_model=settings.llm_model, multi_mcp=settings.enable_multi_mcp)
            yield
        finally:
            if pipeline is not None and hasattr(pipeline, "aclose"):
                await pipeline.aclose()  # the LLM client's HTTP connections
            await orchestrator.close()
            log.info("api_stopped")

    token = settings.api_token.get_secret_value() if settings.api_token else None
    app = FastAPI(
        title="Talk 2 Tables",
        version=__version__,
        description="Ask questions of your data in plain language; get the SQL, the rows and an explanation.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = app_metrics
    guarded = [Depends(require_token(token))]
    for router in (query.router, servers.router, chat.router, metrics.router):
        app.include_router(router, dependencies=guarded)
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    mount_ui(app, settings.ui_dist_dir)
    return app
