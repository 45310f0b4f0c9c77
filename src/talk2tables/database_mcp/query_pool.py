"""A pool of query processes with bounded concurrency, a bounded queue and a hard deadline per query.

At most `processes` queries run at once; at most `max_waiting` more wait for a free process, each for at most
`wait_seconds`; a query beyond that is answered at once with a "Busy:" error. A query that runs past its
deadline (the check limit + the statement time limit + a grace second) has its process killed, and a fresh
process takes its place: whatever the query did, it cannot hold the server, and it cannot make another client
wait past that client's own limits. A caller that stops waiting (its client went away) also has the process
killed, so an abandoned query stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from talk2tables.database_mcp.query_process import QuerySettings, Reply, serve_queries
from talk2tables.errors import DatabaseError, UnsafeQueryError
from talk2tables.logging import get_logger
from talk2tables.models import QueryRows
from talk2tables.protocol import BUSY_PREFIX

log = get_logger(__name__)

GRACE_SECONDS = 1.0
DEFAULT_PROCESSES = 2
DEFAULT_MAX_WAITING = 64
_START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


@dataclass
class _Process:
    process: BaseProcess
    conn: Connection
    queries: int = field(default=0)


class QueryPool:
    """Runs queries in killable processes; `start()` before serving, `close()` after."""

    def __init__(
        self, settings: QuerySettings, *, processes: int = DEFAULT_PROCESSES, max_waiting: int = DEFAULT_MAX_WAITING
    ) -> None:
        if processes < 1 or max_waiting < 0:
            raise ValueError("a query pool needs at least one process and a non-negative queue")
        self.settings = settings
        self.size = processes
        self.max_waiting = max_waiting
        self.wait_seconds = settings.statement_timeout_seconds
        self.deadline_seconds = settings.check_seconds + settings.statement_timeout_seconds + GRACE_SECONDS
        self._context: Any = multiprocessing.get_context(_START_METHOD)
        if _START_METHOD == "forkserver":
            # Forked from a server that has imported the executor once: a new process is ready in milliseconds.
            self._context.set_forkserver_preload(["__main__", "talk2tables.database_mcp.query_process"])
        self._idle: asyncio.Queue[_Process] | None = None
        self._started: list[_Process] = []
        self._waiting = 0
        self.killed = 0

    def start(self) -> None:
        """Start every process (before the event loop serves requests)."""
        self._started = [self._spawn() for _ in range(self.size)]

    def close(self) -> None:
        """Stop every process: closing its pipe ends its loop; one that does not end is killed."""
        for worker in self._started:
            worker.conn.close()
        for worker in self._started:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=2)
        self._started = []

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._started if w.process.pid is not None]

    async def execute(self, sql: str) -> QueryRows:
        """Run one query in a free process. Raises UnsafeQueryError (refused) or DatabaseError (incl. busy)."""
        idle = self._queue()
        if idle.empty() and self._waiting >= self.max_waiting:
            raise _busy(f"{self.size} queries are running and {self._waiting} are waiting; try again in a moment")
        self._waiting += 1
        try:
            async with asyncio.timeout(self.wait_seconds):
                worker = await idle.get()
        except TimeoutError:
            raise _busy(f"no query process became free within {self.wait_seconds:g} s; try again in a moment") from None
        finally:
            self._waiting -= 1
        reply: Reply | None = None
        try:
            worker.conn.send(sql)
            reply = await self._reply(worker)
        finally:
            if reply is None or (reply[0] == "error" and reply[2] == "memory"):
                worker = self._replace(worker)  # killed, dead, abandoned or out of memory: a fresh process
            idle.put_nowait(worker)
        return self._result(reply)

    def _queue(self) -> asyncio.Queue[_Process]:
        if self._idle is None:
            if not self._started:
                self.start()
            self._idle = asyncio.Queue()
            for worker in self._started:
                self._idle.put_nowait(worker)
        return self._idle

    async def _reply(self, worker: _Process) -> Reply | None:
        """The process's reply, or None when it died or ran past the deadline (then it is killed)."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, readable)
        try:
            async with asyncio.timeout(self.deadline_seconds):
                await ready
            return worker.conn.recv()  # type: ignore[no-any-return]
        except TimeoutError:
            self.killed += 1
            log.warning("query_killed", server="database", pid=worker.process.pid, deadline_s=self.deadline_seconds)
            return None
        except (EOFError, OSError):
            log.warning("query_process_died", server="database", pid=worker.process.pid)
            return None
        finally:
            loop.remove_reader(fd)

    def _result(self, reply: Reply | None) -> QueryRows:
        if reply is None:
            raise DatabaseError(
                f"Timed out: the query did not finish within {self.deadline_seconds:g} s and its process was stopped; "
                "add filters, aggregate in SQL, or avoid functions over very long text.",
                reason="timeout",
            )
        kind, *rest = reply
        if kind == "ok":
            return QueryRows.model_validate(rest[0])
        if kind == "refused":
            raise UnsafeQueryError(rest[0])
        message, reason = rest
        raise DatabaseError(message, reason=reason)

    def _spawn(self) -> _Process:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=serve_queries, args=(child, self.settings), name="talk2tables-query", daemon=True
        )
        process.start()
        child.close()
        return _Process(process=process, conn=parent)

    def _replace(self, worker: _Process) -> _Process:
        with contextlib.suppress(OSError):
            worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        fresh = self._spawn()
        self._started = [fresh if w is worker else w for w in self._started]
        return fresh


def _busy(detail: str) -> DatabaseError:
    return DatabaseError(
        f"{BUSY_PREFIX} the database server is at its limit of concurrent queries: {detail}.", reason="busy"
    )
