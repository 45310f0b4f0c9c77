"""Fingerprints of everything an attack could change: the SQLite file's bytes and its folder, and in PostgreSQL
every table's rows, the relations, functions, triggers, extensions and large objects."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.security.corpus import EVIL_FILES
from tests.support.postgres import PostgresServer


def sqlite_fingerprint(database: Path) -> dict[str, object]:
    return {
        "sha256": hashlib.sha256(database.read_bytes()).hexdigest(),
        "folder": sorted(p.name for p in database.parent.iterdir()),
        "evil_files": [f for f in EVIL_FILES if Path(f).exists()],
    }


_CATALOG = {
    "relations": "SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY 1) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'",
    "functions": "SELECT COUNT(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')",
    "triggers": "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal",
    "extensions": "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension",
    "large_objects": "SELECT COUNT(*) FROM pg_largeobject_metadata",
    "auto_conf": "SELECT COUNT(*) FROM pg_file_settings WHERE sourcefile LIKE '%auto.conf'",
    "role_settings": "SELECT string_agg(setdatabase::text || '/' || setrole::text || ':' || "
    "array_to_string(setconfig, ';'), ',' ORDER BY 1) FROM pg_db_role_setting",
    "roles": "SELECT string_agg(rolname || ':' || rolsuper::text || rolcanlogin::text, ',' ORDER BY rolname) "
    "FROM pg_roles",
    "server_settings": "SELECT md5(string_agg(name || '=' || setting, ',' ORDER BY name)) FROM pg_settings "
    "WHERE source NOT IN ('client', 'session', 'default')",
    "replication_slots": "SELECT COUNT(*) FROM pg_replication_slots",
    "prepared_transactions": "SELECT COUNT(*) FROM pg_prepared_xacts",
    "user_mappings": "SELECT COUNT(*) FROM pg_user_mapping",
}


def postgres_fingerprint(server: PostgresServer, database: str) -> dict[str, object]:
    tables = [
        str(row[0])
        for row in server.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            database=database,
        )
    ]
    found: dict[str, object] = {"evil_files": [f for f in EVIL_FILES if Path(f).exists()]}
    for table in tables:
        ((digest, count),) = server.execute(
            f"SELECT md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')), COUNT(*) FROM {table} t",
            database=database,
        )
        found[table] = (digest, count)
    for name, sql in _CATALOG.items():
        found[name] = server.execute(sql, database=database)[0][0]
    return found
