"""Start real server processes on free loopback ports and wait (bounded) until they answer."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TALK2TABLES = [sys.executable, "-m", "talk2tables"]


def run_talk2tables(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run one `talk2tables` command to its end from the repository root, with this environment plus `env`."""
    return subprocess.run(
        [*TALK2TABLES, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


_handed_out: set[int] = set()
# Under pytest-xdist each worker takes its ports from its own block below the kernel's ephemeral range (32768 and
# up on Linux): two workers each asking the kernel for a free port could be handed the same one, each bound only
# seconds later (a PostgreSQL cluster after initdb). Alone, the kernel picks.
_WORKER_PORTS = range(20_000, 32_000)


def _worker_block() -> range | None:
    """This worker's share of _WORKER_PORTS, or None outside pytest-xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    if not (worker.startswith("gw") and worker[2:].isdigit() and count.isdigit() and int(count) > 0):
        return None
    size = len(_WORKER_PORTS) // int(count)
    start = _WORKER_PORTS.start + (int(worker[2:]) % int(count)) * size
    return range(start, start + size)


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port free now and never handed out before in this process (nor, under pytest-xdist, by another
    worker: each has its own block of ports).

    The kernel may give the same ephemeral port to two binds in a row once the first socket is closed;
    two servers told the same port would have the second fail to bind while the first answers its
    readiness check (CI saw both MCP servers "reachable" at one URL). Remembering what was handed out
    rules that out.
    """
    block = _worker_block()
    if block is not None:
        for port in block:
            if port not in _handed_out and _bindable(port):
                _handed_out.add(port)
                return port
        raise RuntimeError(f"every port of this test worker's block {block.start}-{block.stop - 1} was handed out")
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def wait_for_port(port: int, *, timeout: float = 20.0, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll until something accepts TCP on 127.0.0.1:port; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


class ServerProcess:
    """A `talk2tables ...` child process bound to one port; stop() is SIGTERM then SIGKILL."""

    def __init__(
        self,
        args: Sequence[str],
        port: int,
        *,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        command: Sequence[str] = TALK2TABLES,
    ):
        self.args = list(args)
        self.command = list(command)  # what runs `args`: `python -m talk2tables` unless told otherwise
        self.port = port
        self.env = {**os.environ, **(env or {})}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sse_url(self) -> str:
        return f"{self.url}/sse"

    def start(self, *, timeout: float = 30.0) -> ServerProcess:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 - closed right after Popen
        self.process = subprocess.Popen(
            [*self.command, *self.args], env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT
        )
        if out is not subprocess.DEVNULL:
            out.close()  # the child holds its own copy of the descriptor; ours would leak (ResourceWarning)
        try:
            wait_for_port(self.port, timeout=timeout, process=self.process)
        except BaseException:
            self.kill()  # never leave a half-started server holding its port behind a failed fixture
            raise
        return self

    def stop(self, *, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: the socket stays open but nothing answers (a hung server)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def running(args: Sequence[str], port: int, **kwargs: object) -> Iterator[ServerProcess]:
    server = ServerProcess(args, port, **kwargs)  # type: ignore[arg-type]
    server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            server.resume()  # a paused (hung) server cannot handle SIGTERM
        server.stop()
