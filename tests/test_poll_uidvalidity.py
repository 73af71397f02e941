"""The server renumbered its mail (UIDVALIDITY changed): move nothing, re-sync, say so."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.adapters.archive import Archive, sha256
from mailflow.adapters.imap import ImapClient
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.store import Store
from mailflow.cli import cli
from mailflow.services.poll import poll_once

pytestmark = pytest.mark.integration

MAILBOX = "baocao@sokhcn.example"


def reply(sender: str, n: int, extra_header: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{sender}@sokhcn.example"
    msg["To"] = MAILBOX
    msg["Subject"] = f"Báo cáo 2023-H1 số {n}"
    msg["Message-ID"] = f"<uv{n}@sokhcn.example>"
    if extra_header:
        msg["X-Restored"] = extra_header
    msg.set_content(f"Báo cáo số {n}.")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def query(state: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(state)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def renumbered(workspace: Path, mail_env: MailEnv) -> Path:
    """Two mails polled; then the inbox holds an exact copy of the first, a copy of the
    second with other bytes (same Message-ID), one new mail, and the stored UIDVALIDITY
    no longer matches the server's."""
    cfg = config_mod.load(workspace)
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    mail_env.smtp_send(mail_env.addr("qlkh"), [MAILBOX], reply("qlkh", 1))
    mail_env.smtp_send(mail_env.addr("qlcn"), [MAILBOX], reply("qlcn", 2))
    mail_env.wait_for(MAILBOX, 2)
    poll_once(
        cfg,
        store,
        archive,
        MailServers(cfg.mailbox),
        converter=bootstrap.build(cfg).converter,
        clock=lambda: datetime(2023, 7, 10, 9, 0),
    )
    first, second = mail_env.messages(MAILBOX, "mailflow/processed")
    with ImapClient.from_config(cfg.mailbox) as imap:
        imap.append("INBOX", first)
        imap.append("INBOX", second.replace(b"\r\n\r\n", b"\r\nX-Restored: yes\r\n\r\n", 1))
    mail_env.smtp_send(mail_env.addr("khtc"), [MAILBOX], reply("khtc", 3))
    mail_env.wait_for(MAILBOX, 3)
    with store.transaction() as db:
        db.execute("UPDATE mailbox_state SET uidvalidity = uidvalidity + 7")
    store.close()
    return workspace


def test_a_changed_uidvalidity_moves_nothing_on_the_server(
    renumbered: Path, mail_env: MailEnv
) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(renumbered), "--lang", "en", "poll", "--once"]
    )
    assert result.exit_code == 0, result.output
    assert len(mail_env.messages(MAILBOX, "INBOX")) == 3
    assert len(mail_env.messages(MAILBOX, "mailflow/processed")) == 2


def test_a_changed_uidvalidity_is_said_loudly(renumbered: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(renumbered), "--lang", "en", "poll", "--once"]
    )
    assert "UIDVALIDITY" in result.output and "moves NO mail" in result.output
    state = renumbered.parent / "state.sqlite"
    kinds = [
        k for (k,) in query(state, "SELECT kind FROM events WHERE kind LIKE 'poll.%' ORDER BY id")
    ]
    assert kinds == [
        "poll.uidvalidity_changed",
        "poll.resync_same_message_id",
        "poll.uidvalidity_adopted",
    ]


def test_the_resync_records_only_content_not_seen_before(renumbered: Path) -> None:
    CliRunner().invoke(cli, ["--config", str(renumbered), "poll", "--once"])
    state = renumbered.parent / "state.sqlite"
    subjects = sorted(s for (s,) in query(state, "SELECT subject FROM mails"))
    assert subjects == ["Báo cáo 2023-H1 số 1", "Báo cáo 2023-H1 số 2", "Báo cáo 2023-H1 số 3"]


def test_the_new_uidvalidity_is_adopted(renumbered: Path, mail_env: MailEnv) -> None:
    CliRunner().invoke(cli, ["--config", str(renumbered), "poll", "--once"])
    cfg = config_mod.load(renumbered)
    with ImapClient.from_config(cfg.mailbox) as imap:
        server = imap.select("INBOX").uidvalidity
    state = renumbered.parent / "state.sqlite"
    assert query(state, "SELECT uidvalidity FROM mailbox_state") == [(server,)]


def test_the_next_poll_moves_the_mail_matched_by_content(
    renumbered: Path, mail_env: MailEnv
) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["--config", str(renumbered), "poll", "--once"])
    result = runner.invoke(cli, ["--config", str(renumbered), "poll", "--once"])
    assert result.exit_code == 0, result.output
    (left,) = mail_env.messages(MAILBOX, "INBOX")  # same Message-ID, other bytes: a person looks
    assert b"X-Restored: yes" in left
    processed = {sha256(raw) for raw in mail_env.messages(MAILBOX, "mailflow/processed")}
    recorded = {s for (s,) in query(renumbered.parent / "state.sqlite", "SELECT sha256 FROM mails")}
    assert recorded <= processed
