"""The bounded pool of slow jobs: results come back, a hung job is killed, a dead one said.

Real forked processes, no mocks: what matters is that a job which never ends or dies
cannot hold intake (issue 15), and that nothing it started is left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from mailflow.adapters import sandbox
from mailflow.adapters.workpool import run_all


def _square(n: int) -> int:
    return n * n


def test_every_job_comes_back_with_its_result() -> None:
    done = list(run_all(_square, [1, 2, 3, 4, 5], workers=2, timeout=60))
    assert sorted((d.job, d.ok, d.result) for d in done) == [
        (1, True, 1),
        (2, True, 4),
        (3, True, 9),
        (4, True, 16),
        (5, True, 25),
    ]


def test_a_job_past_its_timeout_is_killed_with_what_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"

    def hang(n: int) -> int:
        if n == 2:  # starts a process of its own, then never ends
            proc = subprocess.Popen(["sleep", "300"])
            pidfile.write_text(str(proc.pid))
            time.sleep(300)
        return n

    done = {d.job: d for d in run_all(hang, [1, 2, 3], workers=2, timeout=3)}
    assert (done[1].ok, done[3].ok) == (True, True)
    assert (done[2].ok, done[2].timed_out) == (False, True)
    child = int(pidfile.read_text())
    for _ in range(50):  # gone, or a zombie waiting for init to reap it
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            break
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the hung job's own process is still running")


def test_a_job_whose_process_dies_is_reported_and_the_others_still_run() -> None:
    def die(n: int) -> int:
        if n == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    done = {d.job: d for d in run_all(die, [1, 2], workers=1, timeout=60)}
    assert (done[1].ok, done[1].timed_out) == (False, False)
    assert "-9" in done[1].error
    assert (done[2].ok, done[2].result) == (True, 2)


def test_a_job_that_raises_is_reported_with_its_error() -> None:
    def boom(n: int) -> int:
        raise ValueError(f"bad {n}")

    [done] = list(run_all(boom, [7], workers=1, timeout=60))
    assert (done.ok, done.error) == (False, "ValueError: bad 7")


def _running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for init to reap it has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_a_job_past_its_timeout_takes_an_unsandboxed_tool_in_its_own_session_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without bwrap, sandbox.run starts the tool in a session of its own: killing the
    # job's process group alone would leave it running, orphaned
    monkeypatch.setenv("MAILFLOW_BWRAP", "/nonexistent/bwrap")
    sandbox._reset_probe()
    pidfile = tmp_path / "tool.pid"

    def convert(n: int) -> int:
        sandbox.run(
            ["/bin/sh", "-c", f"echo $$ > {pidfile}; exec sleep 300"],
            workdir=tmp_path,
            timeout=600,
        )
        return n

    try:
        [done] = list(run_all(convert, [1], workers=1, timeout=3))
        assert (done.ok, done.timed_out) == (False, True)
        tool = int(pidfile.read_text())
        try:
            assert not _running(tool), "the tool of the killed job is still running"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(tool, signal.SIGKILL)
    finally:
        monkeypatch.delenv("MAILFLOW_BWRAP")
        sandbox._reset_probe()


def test_a_worker_ends_on_sigterm_whatever_handler_its_parent_has() -> None:
    # the daemon's SIGTERM handler (stop after the round) must not keep a worker going
    def sigterm_self(n: int) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        return n

    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        [done] = list(run_all(sigterm_self, [1], workers=1, timeout=60))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert (done.ok, done.timed_out) == (False, False)
    assert "-15" in done.error
