"""A child whose parent died before it could set its watch still dies: it sees the parent changed and signals
itself (the race that left an API worker running after its supervisor's SIGKILL)."""

from __future__ import annotations

import multiprocessing
import os
import signal

from talk2tables.parent_death import die_with_parent


def _watch_then_report(expected_parent: int | None, done: multiprocessing.synchronize.Event) -> None:
    die_with_parent(signal.SIGKILL, expected_parent)
    done.set()  # reached only while the expected parent is still the parent


def test_a_child_whose_parent_is_no_longer_the_expected_one_kills_itself() -> None:
    context = multiprocessing.get_context("spawn")
    done = context.Event()
    child = context.Process(target=_watch_then_report, args=(os.getpid() + 1_000_000, done))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == -signal.SIGKILL
    assert not done.is_set()


def test_a_child_of_the_expected_parent_lives_on() -> None:
    context = multiprocessing.get_context("spawn")
    done = context.Event()
    for expected in (os.getpid(), None):  # the parent given, or none to compare with
        child = context.Process(target=_watch_then_report, args=(expected, done))
        child.start()
        child.join(timeout=60)
        assert child.exitcode == 0
        assert done.is_set()
        done.clear()
