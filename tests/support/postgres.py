"""A throw-away PostgreSQL cluster for the tests: started once per session, removed afterwards.

It runs as the `postgres` system user when the tests run as root (PostgreSQL refuses root), on a
free loopback port, trusting loopback connections. `reader` is a SELECT-only role: the least-
privilege layer under the Database MCP's read-only transactions. When the cluster truly cannot
start (no PostgreSQL binaries, no `postgres` user as root), the tests that need it are skipped
with a loud message, never silently.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.support.processes import free_port
from tests.support.skips import skip_loudly

ADMIN = "t2t"
READER = "t2t_reader"
SAMPLE_DB = "sample"
SUPPORT_DB = "support"


@dataclass
class PostgresServer:
    """A running cluster: connection URLs for the admin (owner) and the SELECT-only reader."""

    port: int
    directory: Path

    def url(self, database: str = SAMPLE_DB, *, user: str = ADMIN) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    @property
    def admin_url(self) -> str:
        return self.url()

    @property
    def reader_url(self) -> str:
        return self.url(user=READER)

    def execute(self, sql: str, *, database: str = SAMPLE_DB) -> list[tuple[object, ...]]:
        """Run SQL as the admin in autocommit mode (setup and checks only, never the code under test)."""
        with psycopg.connect(self.url(database), autocommit=True) as conn, conn.cursor() as cursor:
            cursor.execute(sql.encode())
            return list(cursor.fetchall()) if cursor.description else []

    def create_database(self, name: str) -> str:
        """A fresh empty database the reader may read; returns its admin URL."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}"', database="postgres")
        self.execute(f'CREATE DATABASE "{name}"', database="postgres")
        return self.url(name)

    def grant_reader(self, database: str = SAMPLE_DB) -> None:
        self.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {READER}', database=database)
        self.execute(f"GRANT USAGE ON SCHEMA public TO {READER}", database=database)
        self.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}", database=database)


def _bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(found)
    return Path(candidates[0]).parent if candidates else None


def _run_as_owner(args: list[str], *, timeout: float) -> None:
    """Run a PostgreSQL tool, as `postgres` when we are root (the server refuses to run as root)."""
    command = args
    if os.geteuid() == 0:
        command = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]
    subprocess.run(command, check=True, capture_output=True, timeout=timeout)


def _start(directory: Path, port: int) -> None:
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL binaries (initdb) found; `make test` installs the Debian package")
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")  # KeyError: no postgres user to run the server as
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    data = directory / "data"
    _run_as_owner(
        [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", ADMIN, "--no-sync", "-E", "UTF8"], timeout=120
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    _run_as_owner(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(directory / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        timeout=90,
    )


def _stop(directory: Path) -> None:
    bin_dir = _bin_dir()
    if bin_dir is not None and (directory / "data" / "postmaster.pid").exists():
        with contextlib.suppress(subprocess.SubprocessError):
            _run_as_owner(
                [str(bin_dir / "pg_ctl"), "-D", str(directory / "data"), "-m", "fast", "-w", "stop"], timeout=60
            )
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    """A running PostgreSQL cluster with the SELECT-only reader role (no tables yet)."""
    directory = Path(tempfile.mkdtemp(prefix="t2t-pg-"))
    port = free_port()
    try:
        _start(directory, port)
    except (RuntimeError, KeyError, OSError, subprocess.SubprocessError) as exc:
        log = (directory / "log").read_text(errors="replace")[-2000:] if (directory / "log").exists() else ""
        stderr = (getattr(exc, "stderr", b"") or b"").decode(errors="replace")
        _stop(directory)
        detail = " ".join(part.strip() for part in (str(exc), stderr, log) if part.strip())
        skip_loudly(request.config, "POSTGRESQL TESTS", f"could not start a PostgreSQL server: {detail}")
    server = PostgresServer(port=port, directory=directory)
    try:
        server.execute(f"CREATE ROLE {READER} LOGIN", database="postgres")
        # The documented SELECT-only role bounds its temporary files (only an administrator may set this).
        server.execute(f"ALTER ROLE {READER} SET temp_file_limit = '256MB'", database="postgres")
        yield server
    finally:
        _stop(directory)


@pytest.fixture(scope="session")
def postgres_sample(postgres_server: PostgresServer) -> PostgresServer:
    """The cluster with the sample store loaded into database `sample`, readable by the reader role."""
    from talk2tables.sample_data.database import load_into

    postgres_server.create_database(SAMPLE_DB)
    load_into(postgres_server.admin_url)
    postgres_server.grant_reader(SAMPLE_DB)
    return postgres_server


@pytest.fixture(scope="session")
def postgres_support_desk(postgres_server: PostgresServer) -> PostgresServer:
    """The cluster with the sample support desk loaded into database `support`, readable by the reader role."""
    from talk2tables.sample_data.support_database import load_support_into

    load_support_into(postgres_server.create_database(SUPPORT_DB))
    postgres_server.grant_reader(SUPPORT_DB)
    return postgres_server
