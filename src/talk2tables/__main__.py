"""`python -m talk2tables` is the `talk2tables` console script."""

from talk2tables.cli.main import app

app()
