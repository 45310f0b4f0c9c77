"""Processes that die with their parent: a killed supervisor (`kill -9` of `talk2tables up`, of an API with
workers, of a Database MCP) must not leave children holding ports, memory or a database connection."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM, expected_parent: int | None = None) -> None:
    """Linux's PR_SET_PDEATHSIG: this process receives `sig` when its parent dies (it survives exec). Elsewhere
    nothing happens: there each supervisor stops its children itself, and a killed one cannot.

    A parent that died before the watch was set (a supervisor killed while its child was starting) is seen by
    comparing the parent now with `expected_parent`, when the caller knows it: the process then sends itself
    `sig` at once. (Not guessed: a forkserver's children have the forkserver, not their logical parent, as
    parent.)"""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, sig) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if expected_parent is not None and os.getppid() != expected_parent:
        os.kill(os.getpid(), sig)
