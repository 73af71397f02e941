"""SMTP faults through the real `mailflow send`: none lost, none twice, one line each.

The SMTP side is ``faults.FaultySmtpServer`` (aiosmtpd on loopback) which plays a fault
on purpose and counts every mail it answered 250 to; IMAP (the Sent copies that crash
recovery relies on) is the embedded server. Each test sends the seed campaign's six
directives with one fault in the way and checks, at the server, that every department
got exactly one — after the same run (4xx, dropped connection: retried with backoff) or
after the next run once the fault is gone (5xx: final for this run, retried next run).
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from faults import FaultySmtpServer
from send_support import CAMPAIGN, MAILBOXES

import mailenv
from mailenv import MailEnv
from mailflow.cli import cli

pytestmark = pytest.mark.integration

ADDRESSES = sorted(f"{local}@{mailenv.DOMAIN}" for local in MAILBOXES.values())


@pytest.fixture(scope="module")
def imap_env() -> Iterator[MailEnv]:
    env = mailenv.start_embedded()
    try:
        yield env
    finally:
        mailenv.stop_embedded(env)


@pytest.fixture
def smtp() -> Iterator[FaultySmtpServer]:
    with FaultySmtpServer() as server:
        yield server


@pytest.fixture
def config(tmp_path: Path, imap_env: MailEnv, smtp: FaultySmtpServer) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(imap_env.config_text(smtp_port=str(smtp.port)), encoding="utf-8")
    return path


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str = ""


def _send(config: Path) -> Run:
    """`mailflow send --send` in this process (a subprocess costs seconds of imports)."""
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--lang", "en", "send", "--campaign", CAMPAIGN, "--send"]
    )
    return Run(result.exit_code, result.output)


def _statuses(config: Path) -> Counter[str]:
    conn = sqlite3.connect(config.parent / "state.sqlite")
    try:
        return Counter(s for (s,) in conn.execute("SELECT status FROM sends"))
    finally:
        conn.close()


def _exactly_one_each(smtp: FaultySmtpServer) -> None:
    per_address = Counter(rcpt for rcpt, _ in smtp.delivered)
    assert sorted(per_address) == ADDRESSES
    assert set(per_address.values()) == {1}, per_address
    assert len({mid for _, mid in smtp.delivered}) == len(ADDRESSES)


def _lines_with(text: str, *needles: str) -> list[str]:
    return [line for line in text.splitlines() if all(n in line for n in needles)]


@dataclass
class Faulted:
    fault: str
    config: Path
    smtp: FaultySmtpServer
    run: Run


@pytest.fixture(scope="module", params=["421", "drop-after-354", "451"])
def faulted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, imap_env: MailEnv
) -> Iterator[Faulted]:
    """One send run per fault, shared by the tests that read it (a run costs seconds)."""
    with FaultySmtpServer(plan=[None, request.param]) as smtp:  # the 2nd department's 1st try
        path = tmp_path_factory.mktemp(f"smtp-{request.param}") / "config.toml"
        path.write_text(imap_env.config_text(smtp_port=str(smtp.port)), encoding="utf-8")
        yield Faulted(request.param, path, smtp, _send(path))


def test_a_temporary_fault_is_retried_in_the_same_run(faulted: Faulted) -> None:
    assert faulted.run.returncode == 0, faulted.run.stdout
    assert faulted.smtp.faults_played == [faulted.fault]
    assert _statuses(faulted.config) == Counter({"sent": len(ADDRESSES)})


def test_after_a_temporary_fault_each_department_got_exactly_one(faulted: Faulted) -> None:
    _exactly_one_each(faulted.smtp)


def test_a_temporary_fault_is_said_in_one_line(faulted: Faulted) -> None:
    words = {"421": "421", "drop-after-354": "closed", "451": "451"}[faulted.fault]
    assert len(_lines_with(faulted.run.stdout, "will retry", words)) == 1, faulted.run.stdout


def test_a_temporary_fault_costs_one_retry_only(faulted: Faulted) -> None:
    """After a 421 the client must reconnect at once, not fail once more on the closed
    connection (it did: a second, misleading "connection dropped" retry)."""
    assert len(_lines_with(faulted.run.stdout, "will retry")) == 1, faulted.run.stdout
    conn = sqlite3.connect(faulted.config.parent / "state.sqlite")
    attempts = sorted(a for (a,) in conn.execute("SELECT attempts FROM sends"))
    conn.close()
    assert attempts == [1] * (len(ADDRESSES) - 1) + [2]


def test_a_second_run_after_a_temporary_fault_sends_nothing_again(
    config: Path, smtp: FaultySmtpServer
) -> None:
    smtp.plan = ["drop-after-354"]
    assert _send(config).returncode == 0
    again = _send(config)
    assert again.returncode == 0, again.stdout + again.stderr
    _exactly_one_each(smtp)


def test_a_550_for_one_recipient_fails_that_department_only_and_says_why(
    config: Path, smtp: FaultySmtpServer
) -> None:
    refused = f"qlkh@{mailenv.DOMAIN}"
    smtp.refuse = {refused}
    result = _send(config)
    assert result.returncode == 1
    assert _statuses(config) == Counter({"sent": len(ADDRESSES) - 1, "failed": 1})
    assert smtp.count(rcpt=refused) == 0
    assert sorted(r for r, _ in smtp.delivered) == [a for a in ADDRESSES if a != refused]
    assert _lines_with(result.stdout + result.stderr, "550")


def test_after_a_550_is_fixed_the_next_run_sends_that_department_once(
    config: Path, smtp: FaultySmtpServer
) -> None:
    smtp.refuse = {f"qlkh@{mailenv.DOMAIN}"}
    assert _send(config).returncode == 1
    smtp.refuse = set()
    result = _send(config)
    assert result.returncode == 0, result.stdout + result.stderr
    _exactly_one_each(smtp)
    assert _statuses(config) == Counter({"sent": len(ADDRESSES)})


def test_a_550_for_one_of_two_recipients_still_reaches_the_other_and_names_the_refused(
    tmp_path: Path, imap_env: MailEnv, smtp: FaultySmtpServer
) -> None:
    config = tmp_path / "config.toml"
    # TDC gets a second address; the server refuses that one only
    second = f"spare1@{mailenv.DOMAIN}"
    text = imap_env.config_text(smtp_port=str(smtp.port), tdc=f'tdc@{mailenv.DOMAIN}", "spare1')
    config.write_text(text, encoding="utf-8")
    smtp.refuse = {second}
    result = _send(config)
    assert result.returncode == 0, result.stdout + result.stderr
    _exactly_one_each(smtp)
    conn = sqlite3.connect(tmp_path / "state.sqlite")
    (error,) = conn.execute("SELECT last_error FROM sends WHERE department = 'TDC'").fetchone()
    conn.close()
    assert second in (error or "")


# --- the daemon's outbox job -------------------------------------------------------------


def test_the_daemon_outbox_job_logs_a_temporary_fault_in_one_line_and_sends_once(
    config: Path, smtp: FaultySmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    from mailflow import bootstrap
    from mailflow import config as config_mod
    from mailflow.adapters.mail_build import Outgoing, compose, loop_id, new_message_id
    from mailflow.daemon import Daemon
    from mailflow.services import outbox

    cfg = config_mod.load(config)
    app = bootstrap.build(cfg)
    store, archive = app.store, app.archive
    to = f"qlkh@{mailenv.DOMAIN}"
    mid = new_message_id(cfg.mailbox.address)
    mail = Outgoing(
        cfg.mailbox.address,
        "Văn phòng",
        (to,),
        "[2023-H1] nhắc",
        "nội dung",
        loop_id=loop_id("2023-h1", "reminder", "k1"),
    )
    now = datetime(2023, 7, 18, 8, 0).astimezone()
    outbox.queue(
        store,
        archive,
        "k1",
        "reminder",
        "2023-h1",
        "QLKH",
        (to,),
        compose(mail, mid, now),
        mid,
        {},
        now,
    )
    store.close()
    smtp.plan = ["451"]
    daemon = Daemon(cfg).open()
    daemon.jobs = [j for j in daemon.jobs if j.name == "outbox"]
    try:
        with caplog.at_level(logging.INFO, logger="mailflow"):
            assert daemon.run_job(daemon.job("outbox")) is True
    finally:
        daemon.close()
    retries = [  # the config's language is Vietnamese: the line is told by its logger
        r.getMessage()
        for r in caplog.records
        if r.name == "mailflow.remind" and r.levelno == logging.WARNING
    ]
    assert len(retries) == 1 and "451" in retries[0], retries
    assert smtp.count(message_id=mid) == 1
