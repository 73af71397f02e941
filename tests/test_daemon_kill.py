"""kill -9 the daemon 20 times during a simulated campaign; nothing is lost or doubled.

The daemon runs as ``python -m mailflow --config C run`` on a simulated clock (the
clock adapter's MAILFLOW_FAKE_* variables, anchored so every restart resumes the same
simulated time). Departments answer while it is being killed at seeded random moments
and restarted at once. Afterwards: every mailbox holds exactly one directive, every
reply is recorded once, no reminder or receipt was queued twice, and the draft made from
the final state equals the one an uninterrupted run (in-process, frozen clock) makes.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from daemon_support import (
    Departments,
    draft_text,
    loop_kind,
    outline_of,
    parsed,
    rows,
    send_directives,
    with_daemon_settings,
)

import mailenv
from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.clock import FrozenClock, SimulatedClock
from mailflow.daemon import Daemon
from mailflow.demo import Act

START = datetime(2023, 7, 12, 8, 0)
END = datetime(2023, 7, 22, 18, 0)
SPEED = 32000.0  # simulated seconds per real second: the ten days pass in about 28 s
KILLS = 20
SEED = 20230721
SCRIPT = (
    Act(datetime(2023, 7, 12, 10, 0), "VP", "out-of-office"),
    Act(datetime(2023, 7, 13, 9, 0), "QLCN", "verbatim"),
    Act(datetime(2023, 7, 15, 14, 0), "KHTC", "table"),
    Act(datetime(2023, 7, 17, 11, 0), "QLKH", "verbatim"),
    Act(datetime(2023, 7, 18, 15, 0), "TTCG", "body"),
    Act(datetime(2023, 7, 19, 10, 0), "QLKH", "revision"),
    Act(datetime(2023, 7, 20, 9, 0), "VP", "no-diacritics"),
    Act(datetime(2023, 7, 21, 16, 0), "TDC", "paraphrased"),
)
REPLIES = sum(1 for a in SCRIPT if a.style != "out-of-office")


def _workspace(root: Path, env: MailEnv) -> config_mod.Config:
    root.mkdir(parents=True)
    text = with_daemon_settings(env.config_text(), draft_pdf='"none"', idle="false")
    (root / "config.toml").write_text(text, encoding="utf-8")
    return config_mod.load(root / "config.toml")


def _final_draft(cfg: config_mod.Config) -> list[str]:
    """The draft made from the run's final state at one fixed instant."""
    from mailflow.services.assemble import assemble

    app = bootstrap.build(cfg)
    store, archive = app.store, app.archive
    try:
        result = assemble(cfg, store, archive, cfg.campaigns[0], END + timedelta(days=1), pdf=False)
    finally:
        store.close()
    return draft_text(result.docx_path)


def _uninterrupted(cfg: config_mod.Config, env: MailEnv) -> None:
    clock = FrozenClock(START)
    send_directives(cfg, START)
    deps = Departments(env, cfg, outline_of(cfg))
    # the daemon wakes after each act and at the deadline and the end (reminders and
    # digests of other days do not change what the draft holds)
    moments = {a.at for a in SCRIPT} | {datetime(2023, 7, 21, 17, 30), END}
    daemon = Daemon(cfg, clock).open()
    try:
        for moment in sorted(m for m in moments if START < m <= END):
            clock.set(moment)
            for act in SCRIPT:
                if act.at == moment:
                    deps.act(act)
            daemon.run_all()
        daemon.run_all()  # the last reply's draft update
    finally:
        daemon.close()


def _settled(cfg: config_mod.Config) -> bool:
    if not cfg.state_path.exists():
        return False
    try:
        mails = rows(cfg.state_path, "SELECT kind, matched_at FROM mails")
        open_sends = rows(
            cfg.state_path, "SELECT id FROM sends WHERE status IN ('queued', 'sending')"
        )
    except Exception:  # not migrated yet
        return False
    reports = [m for m in mails if m["kind"] == "report"]
    return len(reports) == REPLIES and all(m["matched_at"] for m in reports) and not open_sends


def _killed(cfg: config_mod.Config, env: MailEnv) -> int:
    anchor = time.time()
    clock = SimulatedClock(START, anchor, SPEED)
    send_directives(cfg, START)
    deps = Departments(env, cfg, outline_of(cfg))
    child_env = dict(
        os.environ,
        MAILFLOW_FAKE_NOW=START.isoformat(),
        MAILFLOW_FAKE_ANCHOR=repr(anchor),
        MAILFLOW_FAKE_SPEED=repr(SPEED),
    )
    cmd = [sys.executable, "-m", "mailflow", "--config", str(cfg.path), "run"]
    stderr = cfg.path.parent / "daemon-stderr.log"
    log = open(stderr, "ab")  # noqa: SIM115
    rng = random.Random(SEED)

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen(cmd, env=child_env, stdout=log, stderr=log)

    def running(pid: int) -> bool:
        """The daemon logged its start: a kill from now on hits it at work, not importing."""
        return f" {pid}," in stderr.read_text(encoding="utf-8", errors="replace")

    todo = sorted(SCRIPT, key=lambda a: a.at)
    kills = 0
    proc = spawn()
    next_kill: float | None = None
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            while todo and clock.now() >= todo[0].at:
                deps.act(todo.pop(0))
            if kills < KILLS and next_kill is None and running(proc.pid):
                next_kill = time.monotonic() + rng.uniform(0.05, 0.8)
            if next_kill is not None and time.monotonic() >= next_kill:
                proc.kill()  # SIGKILL: no clean-up, no finally
                proc.wait()
                kills += 1
                proc = spawn()
                next_kill = None
            if not todo and kills >= KILLS and clock.now() > END and _settled(cfg):
                break
            time.sleep(0.05)
        assert not todo and kills == KILLS and _settled(cfg), "campaign did not settle"
        proc.terminate()
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    return kills


@pytest.fixture
def servers(request: pytest.FixtureRequest) -> Iterator[Callable[[], MailEnv]]:
    """A clean mail server per run: the real one when it runs here (its logins are fast),
    else a fresh embedded one."""
    real = request.getfixturevalue("_real_server")
    started: list[MailEnv] = []

    def fresh() -> MailEnv:
        if real is not None:
            real.reset()
            return real
        env = mailenv.start_embedded()
        started.append(env)
        return env

    try:
        yield fresh
    finally:
        for env in started:
            mailenv.stop_embedded(env)


def test_kill_9_twenty_times_loses_nothing_and_doubles_nothing(
    tmp_path: Path, servers: Callable[[], MailEnv]
) -> None:
    first = servers()
    reference = _workspace(tmp_path / "uninterrupted", first)
    _uninterrupted(reference, first)
    expected = _final_draft(reference)

    server = servers()
    cfg = _workspace(tmp_path / "killed", server)
    assert _killed(cfg, server) == KILLS
    _check_killed_run(cfg, server)
    assert _final_draft(cfg) == expected


def _check_killed_run(cfg: config_mod.Config, server: MailEnv) -> None:
    for dep in cfg.departments:
        inbox = [parsed(raw) for raw in server.messages(dep.emails[0])]
        assert len([m for m in inbox if loop_kind(m) == "directive"]) == 1, dep.code
        reminders: dict[str, set[str]] = {}
        for m in inbox:
            if loop_kind(m) == "reminder":
                reminders.setdefault(str(m["X-Mailflow-Id"]), set()).add(str(m["Message-ID"]))
        assert all(len(ids) == 1 for ids in reminders.values()), dep.code

    mails = rows(cfg.state_path, "SELECT message_id, kind FROM mails WHERE kind != 'own'")
    ids = [m["message_id"] for m in mails]
    assert len(ids) == len(set(ids)) == len(SCRIPT)
    assert sum(1 for m in mails if m["kind"] == "report") == REPLIES
    keys = [r["dedupe_key"] for r in rows(cfg.state_path, "SELECT dedupe_key FROM sends")]
    assert len(keys) == len(set(keys))
    receipts = [k for k in keys if k.startswith("receipt")]
    assert len(receipts) <= REPLIES
