"""Run slow jobs in forked processes, a bounded number at a time, each with a wall timeout.

Why not ``concurrent.futures``: a job there cannot be stopped once it runs, and one that
hangs (a PDF that makes pdftotext spin, a scan tesseract chews on, LibreOffice waiting on
nothing) would hold its slot for ever. Here every job is one forked process in a process
group of its own: past its timeout the whole group is SIGKILLed (with pdftotext, tesseract
or soffice under it; sandboxed ones also die with their parent), and a job that dies
(out of memory, a crash in a C library) is reported as such — never a hang, never an
exception out of :func:`run_all`. A job process dies with the process that forked it
(``PR_SET_PDEATHSIG``), so a poll killed anywhere leaves nothing running.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from mailflow.adapters import sandbox

J = TypeVar("J")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Done(Generic[J]):
    """How one job ended: ``result`` when ``ok``; else ``timed_out`` or ``error`` says why."""

    job: J
    ok: bool
    result: Any = None
    timed_out: bool = False
    error: str = ""


def _child(work: Callable[[Any], Any], job: Any, conn: Connection, parent: int) -> None:
    """In the forked process: own process group, die with the parent, send one result."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the daemon's SIGTERM handler (stop after this round) means nothing in a worker: a
    # SIGTERM sent to a worker ends it, as to any process
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)
    try:
        conn.send((True, work(job)))
    except BaseException as exc:  # the parent records it; the child must not raise
        with contextlib.suppress(Exception):
            conn.send((False, f"{type(exc).__name__}: {exc}"[:300]))
    finally:
        conn.close()


@dataclass
class _Running:
    job: Any
    process: Any
    conn: Connection
    deadline: float


def _kill(run: _Running) -> None:
    """SIGKILL the job, its process group, and every process below it that left the group.

    Without bwrap a converter runs in a session of its own (``start_new_session``), out of
    the job's group: killing the group alone would leave soffice or tesseract running,
    orphaned. The group is stopped first, so the job starts nothing new while its
    descendants are listed; they are killed before the job, whose death would hand them
    to init and out of sight.
    """
    pid = run.process.pid
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGSTOP)
    below = sandbox.kill_descendants(pid)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)  # the job and whatever it started in its group
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    run.process.join()
    run.conn.close()
    sandbox.wait_gone(pid, below)


def run_all(
    work: Callable[[J], R], jobs: Sequence[J], *, workers: int, timeout: float
) -> Iterator[Done[J]]:
    """``work(job)`` for every job, at most ``workers`` at once; yields each as it ends.

    A job past ``timeout`` seconds of wall time is killed (``timed_out``); one whose
    process dies without a result is reported with ``error``. ``work`` and its result
    must pickle (the result comes back through a pipe); the job is inherited by fork.
    """
    ctx = multiprocessing.get_context("fork")
    todo = list(jobs)
    todo.reverse()
    running: list[_Running] = []
    parent = os.getpid()
    try:
        while todo or running:
            while todo and len(running) < max(1, workers):
                job = todo.pop()
                reader, writer = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_child, args=(work, job, writer, parent), daemon=True)
                process.start()
                writer.close()
                running.append(_Running(job, process, reader, time.monotonic() + timeout))
            soonest = min(r.deadline for r in running)
            ready = wait([r.conn for r in running], max(0.0, soonest - time.monotonic()))
            now = time.monotonic()
            for run in list(running):
                if run.conn in ready:
                    running.remove(run)
                    try:
                        ok, value = run.conn.recv()
                    except (EOFError, OSError):  # died without a word (killed, crashed)
                        run.process.join()
                        run.conn.close()
                        code = run.process.exitcode
                        yield Done(run.job, False, error=f"worker exited with {code}")
                        continue
                    run.process.join()
                    run.conn.close()
                    yield Done(run.job, True, value) if ok else Done(run.job, False, error=value)
                elif now >= run.deadline:
                    running.remove(run)
                    _kill(run)
                    yield Done(run.job, False, timed_out=True, error=f"timeout {timeout:g} s")
    finally:  # the caller stopped early (or raised): nothing is left running
        for run in running:
            _kill(run)
