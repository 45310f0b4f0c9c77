"""The combination runs in a process of its own: SQLite's single steps escape any time check, and a query can
build values faster than rows are counted, so the API process never runs it. The process has an address-space
limit and a deadline; past either it is killed, and the answer fails whole."""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

from talk2tables.errors import SQLValidationError
from talk2tables.models import QueryRows
from talk2tables.workflow.combine import BEYOND, CombineError, CombineLimits, combine

# Room for the interpreter and sqlglot (about 150 MB of address space) plus the combination itself.
MEMORY_LIMIT_BYTES = 768 * 1024 * 1024
# Starting the process and checking the combining query, beyond the query's own time limit.
GRACE_SECONDS = 10.0
_CONTEXT = multiprocessing.get_context("spawn")  # never fork the API's threads and event loop


def combine_isolated(
    sql: str, parts: Mapping[str, QueryRows], limits: CombineLimits, *, grace_seconds: float = GRACE_SECONDS
) -> QueryRows:
    """`combine` in a child process with a memory limit, killed at its deadline. Blocking: call it in a thread."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    payload = {name: rows.model_dump() for name, rows in parts.items()}
    child = _CONTEXT.Process(target=_serve, args=(sender, sql, payload, limits), name="talk2tables-combine")
    child.start()
    sender.close()
    try:
        if not receiver.poll(limits.timeout_seconds + grace_seconds):
            raise CombineError(
                f"Combining the parts took longer than {limits.timeout_seconds:g} s (T2T_COMBINE_TIMEOUT) and was "
                f"stopped; write a simpler combining query; {BEYOND}.",
                cap="timeout_seconds",
            )
        try:
            kind, message, context = receiver.recv()
        except EOFError:  # the child died without answering: out of memory, most likely
            raise CombineError(
                f"Combining the parts needed more than {MEMORY_LIMIT_BYTES // 2**20} MB and was stopped; "
                f"return fewer or smaller values; {BEYOND}.",
                cap="memory",
            ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    if kind == "ok":
        return QueryRows.model_validate(context)
    if kind == "invalid":
        raise SQLValidationError(message, **context)
    raise CombineError(message, **context)


def _serve(sender: Connection, sql: str, payload: dict[str, Any], limits: CombineLimits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    try:
        parts = {name: QueryRows.model_validate(rows) for name, rows in payload.items()}
        rows = combine(sql, parts, limits)
        sender.send(("ok", "", rows.model_dump()))
    except SQLValidationError as exc:
        sender.send(("invalid", exc.message, _plain(exc.context)))
    except CombineError as exc:
        sender.send(("combine", exc.message, _plain(exc.context)))
    except MemoryError:
        sender.send(("combine", f"Combining the parts ran out of memory; return fewer values; {BEYOND}.", {}))
    finally:
        sender.close()


def _plain(context: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, str | int | float | bool | None) else str(v) for k, v in context.items()}
