"""Work split across the machine's cores by forking: ``run_forked(tasks)`` runs the first
task in this process and each other one in a forked child at the same time.

A forked child reads what this process holds (the loaded ledger, copy-on-write: nothing
is pickled on the way in) and sends back only its result, pickled. ``verify`` uses it to
re-derive the sealed months in parts, one part a core, and to work out the month
summaries beside them. Where fork is not the platform's way (not Linux), one core is
free, or this process runs other threads (a thread holding a lock at the fork would leave it
held in the child), the tasks run one after the other here: the same results, in the same
order.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar, cast

T = TypeVar("T")

# The tasks of the run under way: a forked child finds them here (inherited with the rest
# of the parent's memory); only their index crosses the pipe.
_TASKS: list[Callable[[], object]] = []


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - not Linux


def threads() -> int:
    """The threads this process runs, this one included."""
    return threading.active_count()


# How far a child lowers its priority when the first task comes first (run_forked's
# `first_first`): os.nice's increment, which any process may make.
YIELDING = 10


def _run(index: int) -> object:
    return _TASKS[index]()


_LOWERED: set[int] = set()  # the pid of a child that lowered its priority


def _yielding(index: int) -> object:
    """`_run` in a child that lets this process's task have a core first (its priority
    lowered once, whichever of the tasks it runs: a child ends after its tasks, so the
    lowering ends with it)."""
    if os.getpid() not in _LOWERED:
        os.nice(YIELDING)
        _LOWERED.add(os.getpid())
    return _TASKS[index]()


def run_forked(tasks: Sequence[Callable[[], T]], *, first_first: bool = False) -> list[T]:
    """Each task's result, in the order of `tasks`: the first run here, the others each in
    a forked child, all at the same time (the system shares the cores among them, so tasks
    of unequal length still keep every core busy). With `first_first` the children run at a
    lower priority: the first task (the longest, which cannot be split) has a core to itself
    while the others share the rest, then every core. An exception in a child is raised
    here; a child that ends without its result (killed) has every task run again here."""
    global _TASKS
    if len(tasks) < 2 or cores() < 2 or sys.platform != "linux" or threads() > 1:
        return [task() for task in tasks]
    _TASKS = list(tasks)
    try:
        context = multiprocessing.get_context("fork")
        workers = len(tasks) - 1  # all at once: the cores are shared by the system
        run = _yielding if first_first else _run
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(run, index) for index in range(1, len(tasks))]
            first = tasks[0]()
            rest = [cast(T, future.result()) for future in futures]
    except BrokenProcessPool:  # a child ended without its result (killed: out of memory)
        return [task() for task in tasks]  # pure work: done again here, one after the other
    finally:
        _TASKS = []
    return [first, *rest]
