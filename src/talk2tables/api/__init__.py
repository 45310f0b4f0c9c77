"""The HTTP face of Talk 2 Tables: FastAPI app serving the pipeline, the server list, metrics and the UI.

`talk2tables.api.app.create_app` builds the app; `talk2tables.api.workers` serves it from one process or
several. Importing this package alone loads neither (a worker supervisor stays small).
"""
