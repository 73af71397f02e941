"""The daemon runs each job under a time budget and says in one line when it cut one.

``daemon.job_budget_seconds`` bounds a job: it asks ``Daemon.keep_going()`` at its safe
points (between mails, between campaigns) and leaves the rest for the next round.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from daemon_support import with_daemon_settings

import mailenv
from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.adapters.mailserver import free_port
from mailflow.clock import FrozenClock, SimulatedClock
from mailflow.daemon import Daemon, Job
from mailflow.i18n import get_lang, set_lang
from mailflow.model import SendStatus
from mailflow.services import outbox
from mailflow.services.outbox import queue_mail


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    before = get_lang()
    set_lang("en")
    yield
    set_lang(before)


def _cfg(tmp_path: Path, env: MailEnv, **daemon: str) -> config_mod.Config:
    path = tmp_path / "config.toml"
    path.write_text(with_daemon_settings(env.config_text(), **daemon), encoding="utf-8")
    return config_mod.load(path)


def _cut_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "cut short" in r.getMessage()]


def test_a_job_past_its_budget_stops_at_its_next_safe_point_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    cfg = _cfg(tmp_path, MailEnv("embedded", "127.0.0.1", port, port), job_budget_seconds="120")
    clock = FrozenClock(datetime(2023, 7, 10, 8, 0))
    daemon = Daemon(cfg, clock)
    todo, done = list(range(5)), []

    def slow(now: datetime) -> object:
        while todo:  # each item takes a (simulated) minute
            if not daemon.keep_going():
                break
            clock.advance(timedelta(minutes=1))
            done.append(todo.pop(0))
        return f"{len(done)} done"

    daemon.jobs = [Job("slow", slow)]
    with caplog.at_level(logging.INFO, logger="mailflow.daemon"):
        assert daemon.run_job(daemon.jobs[0]) is True
    assert done == [0, 1]
    (line,) = _cut_lines(caplog)
    assert line.startswith("slow: cut short after 120 s") and "job_budget_seconds = 120" in line
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mailflow.daemon"):
        daemon.run_job(daemon.jobs[0])  # the next round gets a fresh budget
    assert done == [0, 1, 2, 3] and len(_cut_lines(caplog)) == 1


def test_the_outbox_job_cut_by_its_budget_leaves_the_rest_queued_for_the_next_round(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = mailenv.start_embedded()
    try:
        cfg = _cfg(tmp_path, env, job_budget_seconds="1")
        cfg = replace(cfg, mailbox=replace(cfg.mailbox, rate_per_minute=60))
        clock = SimulatedClock(datetime(2023, 7, 10, 8, 0))  # real seconds for the budget
        daemon = Daemon(cfg, clock).open()
        try:
            for code in ("qlkh", "qlcn", "tdc", "khtc"):  # 60 a minute: one each second
                queue_mail(
                    cfg, daemon.store, daemon.archive, kind="receipt", campaign="2023-h1",
                    department=code.upper(), to=[env.addr(code)], subject="Đã nhận",
                    text="Đã nhận.", dedupe_key=f"receipt:budget:{code}", now=clock.now(),
                )  # fmt: skip
            with caplog.at_level(logging.INFO, logger="mailflow.daemon"):
                daemon.run_job(daemon.job("outbox"))
            first = outbox.rows(daemon.store, statuses=[SendStatus.SENT])
            assert 1 <= len(first) < 4
            (line,) = _cut_lines(caplog)
            assert line.startswith("outbox: cut short")
            for _ in range(4):  # later rounds finish the queue, nothing twice
                daemon.run_job(daemon.job("outbox"))
            assert len(outbox.rows(daemon.store, statuses=[SendStatus.SENT])) == 4
        finally:
            daemon.close()
        for code in ("qlkh", "qlcn", "tdc", "khtc"):
            assert len(env.messages(env.addr(code))) == 1
    finally:
        mailenv.stop_embedded(env)
