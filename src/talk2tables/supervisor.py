"""Runs the system's processes as children: start in order, wait until each answers, stop all together."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from talk2tables.logging import get_logger
from talk2tables.parent_death import die_with_parent

log = get_logger(__name__)

ReadyCheck = Callable[[], Awaitable[bool]]


@dataclass
class Child:
    """One child process: a name for messages, its argv, and how to tell that it answers."""

    name: str
    argv: Sequence[str]
    ready: ReadyCheck
    env: dict[str, str] = field(default_factory=dict)
    ready_timeout: float = 60.0
    log_path: Path | None = None  # the child's output goes here (else to this terminal)
    process: subprocess.Popen[bytes] | None = None
    _stopped: bool = field(default=False, init=False, repr=False)

    def start(self) -> None:
        """Start the child in a process group of its own: Ctrl-C reaches only the supervisor, which stops each
        child once (uvicorn would take a second signal as "exit now, skip the graceful shutdown"), and a child
        that must be killed is killed with everything it started (an API's workers)."""
        env = {**os.environ, **self.env}
        watch = functools.partial(die_with_parent, signal.SIGTERM, os.getpid())
        # SIGTERM when the supervisor dies, even by SIGKILL: no child outlives it holding its port.
        if self.log_path is None:
            self.process = subprocess.Popen(list(self.argv), env=env, start_new_session=True, preexec_fn=watch)
        else:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("ab") as out:  # the child keeps its own descriptor
                self.process = subprocess.Popen(
                    list(self.argv), env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=watch,
                )  # fmt: skip
        log.info("child_started", child=self.name, pid=self.process.pid, log=str(self.log_path))

    def log_tail(self, lines: int = 15) -> str:
        """The last lines the child wrote, to show why it failed."""
        if self.log_path is None or not self.log_path.is_file():
            return ""
        text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(f"    {line}" for line in text)

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then after `timeout` s SIGKILL to the child's whole process group; also when the child
        itself has already exited, since what it started may not have (an API's workers)."""
        if self.process is None or self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.process.wait(timeout=timeout)
        self._kill_group()  # whatever the child started and left behind
        log.info("child_stopped", child=self.name, exit_code=self.process.returncode)

    def _kill_group(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):  # the group is empty: every process in it has exited
            os.killpg(self.process.pid, signal.SIGKILL)


def talk2tables_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "talk2tables", *args]


def http_ready(url: str) -> ReadyCheck:
    async def check() -> bool:
        async with httpx.AsyncClient(timeout=2.0) as client:
            response = await client.get(url)
            return response.status_code < 500

    return check


def mcp_ready(sse_url: str, token: str | None = None) -> ReadyCheck:
    """An MCP server is ready when listing its tools works (there are no health endpoints)."""

    async def check() -> bool:
        from mcp import ClientSession
        from mcp.client.sse import sse_client

        headers = {"Authorization": f"Bearer {token}"} if token else None
        async with (
            sse_client(sse_url, headers=headers, timeout=2, sse_read_timeout=5) as (read, write),
            ClientSession(read, write, read_timeout_seconds=5) as session,
        ):
            await session.initialize()
            await session.list_tools()
            return True

    return check


class ChildFailedError(RuntimeError):
    """A child exited, or never answered, while the system was starting or running."""


async def wait_ready(child: Child) -> float:
    """Poll the child's check until it passes; fail at once if the child exits. Returns seconds taken."""
    started = time.monotonic()
    deadline = started + child.ready_timeout
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if child.exit_code is not None:
            raise ChildFailedError(f"{child.name} exited with code {child.exit_code} while starting")
        try:
            async with asyncio.timeout(max(0.1, min(5.0, deadline - time.monotonic()))):
                if await child.ready():
                    return time.monotonic() - started
        except Exception as exc:  # any failure just means "not ready yet"
            last_error = f"{type(exc).__name__}: {exc}"
        await asyncio.sleep(0.2)
    raise ChildFailedError(f"{child.name} did not answer within {child.ready_timeout:g} s ({last_error})")


# Ctrl-C, `kill`, and the terminal closing: each stops everything. The children run in process groups of
# their own (see Child.start), so they hear of it only through the supervisor.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def interrupt_on_stop_signals() -> None:
    """Before the supervisor watches (while children start), every stop signal interrupts as Ctrl-C does, so the
    caller's cleanup stops the children started so far."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.default_int_handler)


def ignore_stop_signals() -> None:
    """While stopping (bounded by each child's timeout), a second signal must not cut the stop short and leave
    children running."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


class Supervisor:
    """Starts children in order; stops all of them when one dies or on a stop signal."""

    def __init__(self, children: Sequence[Child], *, on_event: Callable[[str], None] = print) -> None:
        self.children = list(children)
        self.on_event = on_event
        self._stop = asyncio.Event()

    async def start_all(self) -> None:
        for child in self.children:
            child.start()
            try:
                seconds = await wait_ready(child)
            except ChildFailedError:
                self._show_log(child)
                raise
            self.on_event(f"  ✓ {child.name} ready ({seconds:.1f} s)")

    def _show_log(self, child: Child) -> None:
        tail = child.log_tail()
        if tail:
            self.on_event(f"Last lines of {child.log_path}:\n{tail}")

    def request_stop(self) -> None:
        self._stop.set()

    async def watch(self) -> int:
        """Until asked to stop (0) or a child dies (1)."""
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self.request_stop)
        while not self._stop.is_set():
            for child in self.children:
                if child.exit_code is not None:
                    self.on_event(f"{child.name} exited with code {child.exit_code}; stopping everything.")
                    self._show_log(child)
                    return 1
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=0.5)
            except TimeoutError:
                continue
        return 0

    def stop_all(self) -> None:
        for child in reversed(self.children):
            child.stop()
