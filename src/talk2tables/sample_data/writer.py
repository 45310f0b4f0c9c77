"""Write the whole sample data set into one folder: the shop and support desk databases, each with its
business description, and the product metadata."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from talk2tables.sample_data.database import write_sample_database
from talk2tables.sample_data.description import write_database_description
from talk2tables.sample_data.generator import sample_period
from talk2tables.sample_data.metadata import write_sample_metadata
from talk2tables.sample_data.support_database import write_support_database
from talk2tables.sample_data.support_description import write_support_description

DATABASE_FILE = "multi_mcp_test.db"
METADATA_FILE = "product_metadata.json"
DESCRIPTION_FILE = "database_description.md"
SUPPORT_DATABASE_FILE = "support.db"
SUPPORT_DESCRIPTION_FILE = "support_description.md"


@dataclass(frozen=True)
class SampleDataFiles:
    database: Path
    metadata: Path
    description: Path
    support_database: Path
    support_description: Path


def write_sample_data(out_dir: Path | str) -> SampleDataFiles:
    """Create (or replace) the five sample files in `out_dir`, creating the folder if needed."""
    out = Path(out_dir)
    period = sample_period()  # one last day for both databases, even when the run crosses midnight
    return SampleDataFiles(
        database=write_sample_database(out / DATABASE_FILE, period=period),
        metadata=write_sample_metadata(out / METADATA_FILE),
        description=write_database_description(out / DESCRIPTION_FILE, period),
        support_database=write_support_database(out / SUPPORT_DATABASE_FILE, period=period),
        support_description=write_support_description(out / SUPPORT_DESCRIPTION_FILE, period),
    )
