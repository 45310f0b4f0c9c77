"""One long-lived MCP client session per server over SSE, shared by concurrent requests.

Each session lives inside its own task, because the SDK's anyio context managers must be entered
and exited by the same task. Requests run beside it under a hard deadline; a broken session is
reopened transparently once within the request's deadline. Reusing a session is not caching:
every list and read still goes to the server.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import httpx2
from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.shared.exceptions import MCPError as SDKError
from mcp_types import CONNECTION_CLOSED, Implementation

from talk2tables import __version__
from talk2tables.errors import MCPConnectionError, MCPError, MCPTimeoutError, ResourceFetchError
from talk2tables.logging import Timer, get_logger
from talk2tables.orchestrator.deadlines import Deadline, abandon, retrieve, settle, within
from talk2tables.orchestrator.registry import ServerConfig

T = TypeVar("T")
log = get_logger(__name__)

# The server pings every 15 s; 45 s without any event means the stream is dead (the SDK default is 300 s).
SSE_READ_TIMEOUT_SECONDS = 45.0
CLOSE_SECONDS = 5.0
CLIENT_INFO = Implementation(name="talk2tables-orchestrator", version=__version__)

# Errors that mean the session itself is gone (server killed, restarted, network dropped), not that one
# request was refused: worth one transparent reconnect.
_BROKEN = (
    anyio.ClosedResourceError,
    anyio.BrokenResourceError,
    anyio.EndOfStream,
    httpx2.TransportError,
    ConnectionError,
    OSError,
)


class SessionBroken(Exception):
    """The session failed underneath a request; the connection reopens and retries once."""


def describe(exc: BaseException) -> str:
    """A short human cause for an exception, looking inside exception groups and SDK errors."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, httpx2.HTTPStatusError):
        status = exc.response.status_code
        hint = " (check T2T_MCP_TOKEN)" if status in (401, 403) else ""
        return f"HTTP {status} from {exc.request.url}{hint}"
    if isinstance(exc, httpx2.ConnectError):
        return f"connection refused or unreachable ({exc})" if str(exc) else "connection refused or unreachable"
    if isinstance(exc, SDKError):
        if exc.code == CONNECTION_CLOSED:
            return "the connection closed (was the server stopped?)"
        return exc.message  # the server's own words
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def is_broken(exc: BaseException) -> bool:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, SDKError):
        return exc.code == CONNECTION_CLOSED
    return isinstance(exc, _BROKEN)


def _action(event: str, detail: dict[str, Any]) -> str:
    """Human words for one request, e.g. "reading database://schema"."""
    verbs = {"list": "listing", "read": "reading", "call": "calling"}
    target = " ".join(str(v) for v in detail.values())
    return f"{verbs.get(event, event)} {target}".strip()


class _Session:
    """One open session and the task that owns its context managers."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[ClientSession] = loop.create_future()
        self.stop = asyncio.Event()
        self.dead = False
        self.owner: asyncio.Task[None] | None = None
        # Loop time of the last answer the server gave on this session: a call that times out while other
        # calls were being answered met a slow server, not a dead session.
        self.last_answer = float("-inf")

    def answered_since(self, moment: float) -> bool:
        return self.last_answer > moment

    @property
    def session(self) -> ClientSession:
        return self.ready.result()


class ServerConnection:
    """The shared session to one MCP server; `request()` runs one call on it under a hard deadline."""

    def __init__(
        self,
        server: ServerConfig,
        *,
        connect_seconds: float,
        token: str | None = None,
        sse_read_timeout: float = SSE_READ_TIMEOUT_SECONDS,
    ) -> None:
        self.server = server
        self.connect_seconds = connect_seconds
        self.sse_read_timeout = sse_read_timeout
        self._headers = {"Authorization": f"Bearer {token}"} if token else None
        self._current: _Session | None = None
        self._opening: asyncio.Task[_Session] | None = None
        self._retiring: set[asyncio.Future[Any]] = set()
        self._stragglers: set[asyncio.Future[Any]] = set()
        self._closed = False
        self.last_error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.server.name} ({self.server.key}) at {self.server.url}"

    @property
    def is_open(self) -> bool:
        return self._current is not None and not self._current.dead

    # --- the session's own task ------------------------------------------------------

    async def _own(self, handle: _Session) -> None:
        """Enter, hold and exit the SDK's context managers, all in this one task."""
        try:
            async with (
                sse_client(
                    self.server.url,
                    headers=self._headers,
                    timeout=self.connect_seconds,
                    sse_read_timeout=self.sse_read_timeout,
                ) as (read, write),
                ClientSession(read, write, client_info=CLIENT_INFO) as session,
            ):
                await session.initialize()
                if not handle.ready.done():
                    handle.ready.set_result(session)
                await handle.stop.wait()
        except BaseException as exc:
            if not handle.ready.done():
                if isinstance(exc, asyncio.CancelledError):
                    handle.ready.cancel()
                else:
                    handle.ready.set_exception(exc)
            elif not handle.stop.is_set() and not isinstance(exc, asyncio.CancelledError):
                log.info("mcp.session_ended", server=self.server.key, error=describe(exc))
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            handle.dead = True
            if not handle.ready.done():
                handle.ready.set_exception(ConnectionError("the session ended before it was ready"))

    # --- opening and retiring sessions -------------------------------------------------

    async def _open(self) -> _Session:
        handle = _Session()
        # A clean context: the session outlives the request that happened to open it.
        owner = asyncio.create_task(
            self._own(handle), name=f"mcp-session-{self.server.key}", context=contextvars.Context()
        )
        handle.owner = owner
        timer = Timer()
        try:
            done, _ = await asyncio.wait({handle.ready}, timeout=self.connect_seconds)
        except asyncio.CancelledError:  # close() while connecting: the owner must not outlive us
            handle.dead = True
            abandon(owner, self._stragglers)
            raise
        if self._closed and done and not handle.ready.cancelled() and handle.ready.exception() is None:
            self._retire(handle)
            raise MCPConnectionError(f"the connection to {self.label} was closed", server=self.server.key)
        if not done:
            handle.ready.cancel()
            handle.dead = True
            abandon(owner, self._stragglers)
            error: MCPError = MCPTimeoutError(
                f"{self.label} did not complete the MCP handshake within {self.connect_seconds:g}s "
                "(connect timeout); check that the server is running and not overloaded",
                server=self.server.key,
                url=self.server.url,
                operation="connect",
            )
        elif handle.ready.cancelled() or handle.ready.exception() is not None:
            failure = None if handle.ready.cancelled() else handle.ready.exception()
            cause = "cancelled" if failure is None else describe(failure)
            self._watch(owner)
            error = MCPConnectionError(
                f"cannot connect to {self.label}: {cause}. Start the server or fix its URL in the registry "
                "(or T2T_MCP_<KEY>_URL)",
                server=self.server.key,
                url=self.server.url,
                operation="connect",
                cause=cause,
            )
        else:
            previous, self._current = self._current, handle
            if previous is not None:
                self._retire(previous)
            self.last_error = None
            log.info(
                "mcp.connect", server=self.server.key, url=self.server.url, duration_ms=timer.elapsed_ms, outcome="ok"
            )
            return handle
        self.last_error = error.message
        log.warning(
            "mcp.failure",
            server=self.server.key,
            operation="connect",
            duration_ms=timer.elapsed_ms,
            outcome="error",
            error=error.message,
        )
        raise error

    def _watch(self, task: asyncio.Future[Any]) -> None:
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)
        task.add_done_callback(retrieve)

    def _retire(self, handle: _Session) -> None:
        """Take a session out of service now; its owner task exits its context managers in the background."""
        handle.dead = True
        if self._current is handle:
            self._current = None
        handle.stop.set()
        if handle.owner is not None:
            self._watch(asyncio.create_task(self._await_owner(handle.owner), context=contextvars.Context()))

    async def _await_owner(self, owner: asyncio.Task[None]) -> None:
        done, _ = await asyncio.wait({owner}, timeout=CLOSE_SECONDS)
        if not done:
            abandon(owner, self._stragglers)

    async def _session(self, deadline: Deadline) -> _Session:
        """The open session, or one opened now. Concurrent callers share one opening attempt; a caller that
        joined an attempt started earlier (which may predate the server's recovery) may start one of its own."""
        for joined_only in (True, False):
            if self._closed:
                raise MCPConnectionError(f"the connection to {self.label} is closed", server=self.server.key)
            current = self._current
            if current is not None and not current.dead:
                return current
            started_here = self._opening is None or self._opening.done()
            if started_here:
                self._opening = asyncio.create_task(self._open(), context=contextvars.Context())
                self._opening.add_done_callback(retrieve)
            opening = self._opening
            assert opening is not None
            done, _ = await asyncio.wait({opening}, timeout=deadline.remaining())
            if not done:
                raise MCPTimeoutError(
                    f"{self.label} could not be connected within the request's {deadline.seconds:g}s deadline "
                    "(the server accepts connections but does not answer: is it hung?)",
                    server=self.server.key,
                    operation="connect",
                )
            failure = None if opening.cancelled() else opening.exception()
            if failure is None and not opening.cancelled():
                return opening.result()
            if joined_only and not started_here and not deadline.expired:
                continue
            if isinstance(failure, MCPError):
                # A fresh instance per caller: concurrent requests must not share one traceback.
                raise type(failure)(failure.message, **failure.context)
            cause = "cancelled" if failure is None else describe(failure)
            raise MCPConnectionError(f"cannot connect to {self.label}: {cause}", server=self.server.key)
        raise AssertionError("unreachable")  # pragma: no cover

    async def connect(self) -> None:
        """Open the session now (start-up); raises MCPConnectionError/MCPTimeoutError on failure."""
        await self._session(Deadline(self.connect_seconds))

    # --- requests -----------------------------------------------------------------------

    async def request(
        self,
        event: str,
        call: Callable[[ClientSession], Awaitable[T]],
        *,
        deadline: Deadline,
        failure: type[MCPError] = ResourceFetchError,
        **detail: Any,
    ) -> T:
        """Run `call(session)` before `deadline`; reopen a broken session once; map every failure to our errors.

        `event` names the log event (list, read, call); `detail` (uri, tool, ...) goes into logs and errors.
        """
        timer = Timer()
        what = _action(event, detail)
        for attempt in (1, 2):
            try:
                handle = await self._session(deadline)
                result = await self._run(handle, call, deadline)
            except SessionBroken as broken:
                cause = describe(broken.__cause__ or broken)
                if attempt == 1 and not deadline.expired:
                    log.info("mcp.reconnect", server=self.server.key, operation=event, cause=cause, **detail)
                    continue
                error: MCPError = MCPConnectionError(
                    f"{self.label} dropped the connection while {what} and reconnecting did not help: "
                    f"{cause}. Check that the server is running",
                    server=self.server.key,
                    operation=event,
                    cause=cause,
                    **detail,
                )
            except TimeoutError:
                error = MCPTimeoutError(
                    f"{self.label} did not finish {what} within {deadline.seconds:g}s; "
                    "the server may be hung or overloaded (the timeouts are in the registry's orchestration.timeouts)",
                    server=self.server.key,
                    operation=event,
                    timeout_seconds=deadline.seconds,
                    **detail,
                )
            except MCPError as exc:
                error = exc
            except SessionFailure as exc:
                cause = describe(exc.__cause__ or exc)
                error = failure(
                    f"{self.label} failed {what}: {cause}",
                    server=self.server.key,
                    operation=event,
                    cause=cause,
                    **detail,
                )
            else:
                log.info(f"mcp.{event}", server=self.server.key, duration_ms=timer.elapsed_ms, outcome="ok", **detail)
                return result
            self.last_error = error.message
            log.warning(
                "mcp.failure",
                server=self.server.key,
                operation=event,
                duration_ms=timer.elapsed_ms,
                outcome="error",
                error_type=type(error).__name__,
                error=error.message,
                **detail,
            )
            raise error
        raise AssertionError("unreachable")  # pragma: no cover

    async def _run(self, handle: _Session, call: Callable[[ClientSession], Awaitable[T]], deadline: Deadline) -> T:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            result = await within(call(handle.session), deadline.remaining(), keep=self._stragglers)
        except TimeoutError:
            # A hung server: calls queued on this session would wait for sse_read_timeout, so start afresh.
            # But if the server answered other calls meanwhile it is alive and only slow (overloaded):
            # retiring the session then would fail every other request in flight on it.
            if not handle.answered_since(started):
                self._retire(handle)
            raise
        except Exception as exc:
            if is_broken(exc) or handle.dead:
                self._retire(handle)
                raise SessionBroken(describe(exc)) from exc
            handle.last_answer = loop.time()  # the server answered, with an error: the session works
            raise SessionFailure(describe(exc)) from exc
        handle.last_answer = loop.time()
        return result

    async def close(self) -> None:
        """Close the session and every task this connection started (bounded); safe to call twice."""
        self._closed = True
        if self._opening is not None:
            abandon(self._opening, self._stragglers)
        if self._current is not None:
            self._retire(self._current)
        await settle(self._retiring, CLOSE_SECONDS)
        await settle(self._stragglers, CLOSE_SECONDS)


class SessionFailure(Exception):
    """The server answered a request with an error (the session itself is fine)."""
