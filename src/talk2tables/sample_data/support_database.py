"""Write the sample support desk to a SQLite file, or load the same rows into any SQLAlchemy database.

The same seed and last day as the shop's give tickets about the shop's own customers and products.
"""

from __future__ import annotations

from pathlib import Path

from talk2tables.sample_data.database import load_rows, write_sqlite_file
from talk2tables.sample_data.generator import SEED, Period, SampleData
from talk2tables.sample_data.support_generator import generate_support
from talk2tables.sample_data.support_tables import SUPPORT_TABLES


def write_support_database(
    path: Path | str, *, seed: int = SEED, period: Period | None = None, shop: SampleData | None = None
) -> Path:
    """Create (or replace) the support desk's SQLite database at `path`, atomically; returns the path.

    `shop`: the shop rows the tickets are about, when the caller made them already (else made again)."""
    rows = generate_support(seed, period=period, shop=shop).by_table()
    return write_sqlite_file(path, SUPPORT_TABLES, rows)


def load_support_into(
    database_url: str, *, replace: bool = False, seed: int = SEED, period: Period | None = None
) -> dict[str, int]:
    """Load the support desk into the database at `database_url` in one transaction (see `load_into`)."""
    return load_rows(database_url, SUPPORT_TABLES, generate_support(seed, period=period).by_table(), replace=replace)
