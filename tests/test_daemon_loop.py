"""The daemon's loop: jobs catch and back off, one instance, clean stop, --once, IDLE wake."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.clock import FrozenClock
from mailflow.daemon import BACKOFF_CAP, BACKOFF_START, Daemon, Job, single_instance
from mailflow.errors import MailflowError, TransientError

REPO = Path(__file__).resolve().parent.parent
MAILFLOW = (sys.executable, "-m", "mailflow", "--lang", "en")


def _cfg(workspace: Path) -> config_mod.Config:
    return config_mod.load(workspace)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env.pop("MAILFLOW_FAKE_NOW", None)
    return env


@pytest.fixture
def offline_cfg(tmp_path: Path) -> Path:
    """A config whose server is never reached: for the loop's own rules."""
    path = tmp_path / "config.toml"
    path.write_text(MailEnv("embedded", "127.0.0.1", 9, 9).config_text(), encoding="utf-8")
    return path


@pytest.fixture
def cfg_file(tmp_path: Path, embedded_env: MailEnv) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(embedded_env.config_text(), encoding="utf-8")
    return path


def test_a_failing_job_is_logged_and_the_others_still_run(offline_cfg: Path) -> None:
    clock = FrozenClock(datetime(2023, 7, 10, 8))
    ran: list[str] = []

    def broken(now: datetime) -> object:
        raise RuntimeError("boom")

    d = Daemon(_cfg(offline_cfg), clock, jobs=[Job("broken", broken), Job("ok", ran.append)])
    d.run_all()
    assert ran == [datetime(2023, 7, 10, 8)]
    assert d.job("broken").failures == 1


def test_failures_back_off_exponentially_up_to_the_cap(offline_cfg: Path) -> None:
    clock = FrozenClock(datetime(2023, 7, 10, 8))
    calls: list[datetime] = []

    def down(now: datetime) -> object:
        calls.append(now)
        raise TransientError("connection refused")

    d = Daemon(_cfg(offline_cfg), clock, jobs=[Job("poll", down)])
    waits = []
    for _ in range(12):
        d.run_all()
        job = d.job("poll")
        waits.append(job.retry_at - clock.monotonic())
        assert not d.run_job(job)  # still backing off: not even tried
        clock.advance(timedelta(seconds=job.retry_at - clock.monotonic()))
    assert waits[:4] == [BACKOFF_START, 2 * BACKOFF_START, 4 * BACKOFF_START, 8 * BACKOFF_START]
    assert max(waits) == BACKOFF_CAP
    assert len(calls) == 12


def test_a_job_that_works_again_resets_its_back_off(offline_cfg: Path) -> None:
    clock = FrozenClock(datetime(2023, 7, 10, 8))
    state = {"down": True}

    def flaky(now: datetime) -> object:
        if state["down"]:
            raise MailflowError("IMAP: login refused")
        return "ok"

    d = Daemon(_cfg(offline_cfg), clock, jobs=[Job("poll", flaky)])
    d.run_all()
    state["down"] = False
    clock.advance(timedelta(seconds=BACKOFF_START))
    d.run_all()
    assert d.job("poll").failures == 0
    assert d.job("poll").retry_at == 0


def test_a_second_instance_exits_1_with_a_clear_message(cfg_file: Path) -> None:
    cfg = _cfg(cfg_file)
    with single_instance(cfg):
        proc = subprocess.run(
            [*MAILFLOW, "--config", str(cfg_file), "run"],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=60,
        )
    assert proc.returncode == 1
    assert "already running" in proc.stderr
    assert f"process {os.getpid()}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_lock_is_free_again_after_the_first_instance_ends(offline_cfg: Path) -> None:
    cfg = _cfg(offline_cfg)
    with single_instance(cfg):
        pass
    with single_instance(cfg), pytest.raises(MailflowError), single_instance(cfg):
        pass


def test_once_runs_every_job_and_exits_0(cfg_file: Path, embedded_env: MailEnv) -> None:
    msg = EmailMessage()
    msg["From"] = embedded_env.addr("spare1")
    msg["To"] = embedded_env.addr("baocao")
    msg["Subject"] = "hello"
    msg.set_content("not a report")
    embedded_env.smtp_send(embedded_env.addr("spare1"), [embedded_env.addr("baocao")], bytes(msg))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mailflow",
            "--lang",
            "en",
            "--config",
            str(cfg_file),
            "run",
            "--once",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Ran every due job once" in proc.stdout
    store = config_mod.load(cfg_file).state_path
    import sqlite3

    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM mails").fetchone()[0] == 1
    log = (cfg_file.parent / "mailflow.log").read_text(encoding="utf-8")
    assert "intake" in log
    assert " ERROR " not in log  # every job ran without failing


def test_sigterm_finishes_and_exits_cleanly(cfg_file: Path) -> None:
    log = cfg_file.parent / "mailflow.log"
    proc = subprocess.Popen(
        [*MAILFLOW, "--config", str(cfg_file), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.exists() and "started" in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    text = log.read_text(encoding="utf-8")
    assert "Got SIGTERM" in text
    assert text.rstrip().endswith("mailflow run: stopped")
    assert "Traceback" not in err


def test_imap_idle_wakes_the_daemon_for_new_mail(cfg_file: Path, embedded_env: MailEnv) -> None:
    """Polling is set to an hour: only IDLE can make the daemon take this mail in."""
    text = cfg_file.read_text(encoding="utf-8").replace("poll_seconds = 1", "poll_seconds = 3600")
    cfg_file.write_text(text, encoding="utf-8")
    cfg = _cfg(cfg_file)
    d = Daemon(cfg)
    d.open()
    intake = d.job("intake")
    d.jobs = [intake]
    d.close()
    d.jobs = [intake]
    thread = threading.Thread(target=d.run_forever, daemon=True)
    thread.start()
    import sqlite3

    def count() -> int:
        if not cfg.state_path.exists():
            return -1
        with sqlite3.connect(cfg.state_path) as db:
            try:
                return int(db.execute("SELECT COUNT(*) FROM mails").fetchone()[0])
            except sqlite3.OperationalError:
                return -1

    try:
        deadline = time.monotonic() + 60
        while not d.idle_alive and time.monotonic() < deadline:
            time.sleep(0.05)
        assert d.idle_alive
        msg = EmailMessage()
        msg["From"] = embedded_env.addr("spare2")
        msg["To"] = embedded_env.addr("baocao")
        msg["Subject"] = "wake up"
        msg.set_content("x")
        embedded_env.smtp_send(
            embedded_env.addr("spare2"), [embedded_env.addr("baocao")], bytes(msg)
        )
        deadline = time.monotonic() + 120  # a bound for a loaded machine, not a timing assert
        while count() < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert count() == 1
    finally:
        d.request_stop()
        thread.join(30)
    assert not thread.is_alive()


def test_without_idle_the_schedule_polls_every_poll_seconds(
    cfg_file: Path, embedded_env: MailEnv
) -> None:
    """IDLE off: the mail sent after start-up comes in through the scheduled poll."""
    text = cfg_file.read_text(encoding="utf-8").replace("[daemon]\n", "[daemon]\nidle = false\n")
    cfg_file.write_text(text, encoding="utf-8")
    cfg = _cfg(cfg_file)
    d = Daemon(cfg)
    d.open()
    d.jobs = [d.job("intake")]
    d.close()
    thread = threading.Thread(target=d.run_forever, daemon=True)
    thread.start()
    import sqlite3

    try:
        deadline = time.monotonic() + 30
        while d.job("intake").last_ok is None and time.monotonic() < deadline:
            time.sleep(0.05)  # the first poll at start-up has run
        msg = EmailMessage()
        msg["From"] = embedded_env.addr("spare3")
        msg["To"] = embedded_env.addr("baocao")
        msg["Subject"] = "polled"
        msg.set_content("x")
        embedded_env.smtp_send(
            embedded_env.addr("spare3"), [embedded_env.addr("baocao")], bytes(msg)
        )
        found = 0
        while found < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
            with sqlite3.connect(cfg.state_path) as db:
                found = db.execute("SELECT COUNT(*) FROM mails").fetchone()[0]
        assert found == 1
        assert not d.idle_alive
    finally:
        d.request_stop()
        thread.join(30)
    assert not thread.is_alive()
