"""Write the whole sample data set into one folder: database, product metadata, business description."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from talk2tables.sample_data.database import write_sample_database
from talk2tables.sample_data.description import write_database_description
from talk2tables.sample_data.metadata import write_sample_metadata

DATABASE_FILE = "multi_mcp_test.db"
METADATA_FILE = "product_metadata.json"
DESCRIPTION_FILE = "database_description.md"


@dataclass(frozen=True)
class SampleDataFiles:
    database: Path
    metadata: Path
    description: Path


def write_sample_data(out_dir: Path | str) -> SampleDataFiles:
    """Create (or replace) the three sample files in `out_dir`, creating the folder if needed."""
    out = Path(out_dir)
    return SampleDataFiles(
        database=write_sample_database(out / DATABASE_FILE),
        metadata=write_sample_metadata(out / METADATA_FILE),
        description=write_database_description(out / DESCRIPTION_FILE),
    )
