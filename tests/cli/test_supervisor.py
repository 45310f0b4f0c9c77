"""A supervised child that ignores SIGTERM is killed with everything it started: nothing outlives `up`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil

from talk2tables.supervisor import Child

# Starts a grandchild (as an API starts its workers), writes its pid, then ignores SIGTERM.
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(sys.argv[1], "w").write(str(grandchild.pid))
time.sleep(60)
"""
# Starts a grandchild and exits at once, leaving it behind (as a killed API supervisor leaves its workers).
DESERTER = """
import subprocess, sys
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(sys.argv[1], "w").write(str(grandchild.pid))
"""


async def _never_ready() -> bool:
    return False


def _grandchild(pid_file: Path) -> psutil.Process:
    deadline = time.monotonic() + 20
    while not (pid_file.is_file() and pid_file.read_text()):
        assert time.monotonic() < deadline, "the child did not start its own child"
        time.sleep(0.05)
    return psutil.Process(int(pid_file.read_text()))


def test_a_child_that_ignores_sigterm_is_killed_with_its_own_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    child = Child("stubborn", [sys.executable, "-c", STUBBORN, str(pid_file)], _never_ready)
    child.start()
    grandchild = _grandchild(pid_file)
    child.stop(timeout=1)
    assert child.process is not None
    assert child.process.returncode == -9  # SIGTERM was ignored: SIGKILL after the timeout
    _, alive = psutil.wait_procs([grandchild], timeout=5)
    assert not alive, "the grandchild outlived its parent's stop"


def test_what_a_child_that_already_exited_left_behind_is_stopped_too(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    child = Child("deserter", [sys.executable, "-c", DESERTER, str(pid_file)], _never_ready)
    child.start()
    grandchild = _grandchild(pid_file)
    assert child.process is not None
    child.process.wait(timeout=20)
    assert grandchild.is_running()
    child.stop(timeout=1)
    _, alive = psutil.wait_procs([grandchild], timeout=5)
    assert not alive, "the grandchild outlived its parent's stop"
