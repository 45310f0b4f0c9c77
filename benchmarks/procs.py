"""Samples memory (RSS), open file descriptors and open inet connections of named processes in a thread.

Processes can be replaced while sampling (a restarted MCP server has a new pid): `track(name, pid)` again.
A process tracked `with_children` counts with its children: an API with several workers is one entry, their sum.
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


def _tree(process: psutil.Process, with_children: bool) -> list[psutil.Process]:
    return [process, *process.children(recursive=True)] if with_children else [process]


def _measure(process: psutil.Process, detail: bool, with_children: bool) -> tuple[float, int, int]:
    """RSS in MiB, and (when `detail`) open descriptors and inet connections; the latter cost a /proc scan.
    Summed over the process and (`with_children`) its children."""
    if process.status() == psutil.STATUS_ZOMBIE:  # exited, not yet reaped: nothing to measure
        raise psutil.ZombieProcess(process.pid)
    tree = _tree(process, with_children)
    rss = sum(p.memory_info().rss for p in tree) / MIB
    if not detail:
        return rss, 0, 0
    return rss, sum(p.num_fds() for p in tree), sum(len(p.net_connections(kind="inet")) for p in tree)


class ProcessSampler:
    """Every `interval` seconds, sample each tracked process; stop() joins the thread (bounded)."""

    def __init__(self, interval: float = 0.5, *, detail: bool = False) -> None:
        self.interval = interval
        self.detail = detail
        self.series: dict[str, Series] = {}
        self._pids: dict[str, int] = {}
        self._with_children: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="process-sampler", daemon=True)

    def track(self, name: str, pid: int, *, with_children: bool = False) -> None:
        with self._lock:
            self._pids[name] = pid
            if with_children:
                self._with_children.add(name)
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
                rss, fds, connections = _measure(psutil.Process(pid), self.detail, name in self._with_children)
            except psutil.Error:
                continue  # between a stop and a restart there is no process to sample
            with self._lock:
                self.series[name].points.append(Point(at, rss, fds, connections))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample_now()

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU seconds used so far by each tracked process and its live children."""
        with self._lock:
            pids = dict(self._pids)
        used: dict[str, float] = {}
        for name, pid in pids.items():
            try:
                tree = _tree(psutil.Process(pid), name in self._with_children)
                used[name] = sum(t.user + t.system for t in (p.cpu_times() for p in tree))
            except psutil.Error:
                continue
        return used

    def peaks(self) -> dict[str, float]:
        with self._lock:
            return {name: s.peak_rss_mib for name, s in self.series.items()}
