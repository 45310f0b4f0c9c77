"""Processes that die with their parent: a killed supervisor (`kill -9` of `talk2tables up`, of an API with
workers, of a Database MCP) must not leave children holding ports, memory or a database connection."""

from __future__ import annotations

import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Linux's PR_SET_PDEATHSIG: this process receives `sig` when its parent dies (it survives exec). Elsewhere
    nothing happens: there each supervisor stops its children itself, and a killed one cannot."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, sig) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
