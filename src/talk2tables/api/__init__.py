"""The HTTP face of Talk 2 Tables: FastAPI app serving the pipeline, the server list, metrics and the UI."""

from talk2tables.api.app import create_app

__all__ = ["create_app"]
