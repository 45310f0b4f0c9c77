"""Samples memory (RSS), open file descriptors and open inet connections of named processes in a thread.

Processes can be replaced while sampling (a restarted MCP server has a new pid): `track(name, pid)` again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil

MIB = 1024 * 1024


@dataclass
class Point:
    """One sample of one process at `at` seconds since the sampler started."""

    at: float
    rss_mib: float
    fds: int
    connections: int


@dataclass
class Series:
    name: str
    points: list[Point] = field(default_factory=list)

    @property
    def peak_rss_mib(self) -> float:
        return max((p.rss_mib for p in self.points), default=0.0)


def _measure(process: psutil.Process, detail: bool) -> tuple[float, int, int]:
    """RSS in MiB, and (when `detail`) open descriptors and inet connections; the latter cost a /proc scan."""
    if process.status() == psutil.STATUS_ZOMBIE:  # exited, not yet reaped: nothing to measure
        raise psutil.ZombieProcess(process.pid)
    rss = process.memory_info().rss / MIB
    if not detail:
        return rss, 0, 0
    return rss, process.num_fds(), len(process.net_connections(kind="inet"))


class ProcessSampler:
    """Every `interval` seconds, sample each tracked process; stop() joins the thread (bounded)."""

    def __init__(self, interval: float = 0.5, *, detail: bool = False) -> None:
        self.interval = interval
        self.detail = detail
        self.series: dict[str, Series] = {}
        self._pids: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="process-sampler", daemon=True)

    def track(self, name: str, pid: int) -> None:
        with self._lock:
            self._pids[name] = pid
            self.series.setdefault(name, Series(name))

    def forget(self, name: str) -> None:
        """Stop sampling `name` (its process is gone for good); its series and peak stay."""
        with self._lock:
            self._pids.pop(name, None)

    def start(self) -> ProcessSampler:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def sample_now(self) -> None:
        if self._stop.is_set():
            return  # stopped: the series is closed
        with self._lock:
            pids = dict(self._pids)
        at = time.monotonic() - self._started
        for name, pid in pids.items():
            try:
                rss, fds, connections = _measure(psutil.Process(pid), self.detail)
            except psutil.Error:
                continue  # between a stop and a restart there is no process to sample
            with self._lock:
                self.series[name].points.append(Point(at, rss, fds, connections))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample_now()

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU seconds used so far by each tracked process."""
        with self._lock:
            pids = dict(self._pids)
        used: dict[str, float] = {}
        for name, pid in pids.items():
            try:
                times = psutil.Process(pid).cpu_times()
                used[name] = times.user + times.system
            except psutil.Error:
                continue
        return used

    def peaks(self) -> dict[str, float]:
        with self._lock:
            return {name: s.peak_rss_mib for name, s in self.series.items()}
