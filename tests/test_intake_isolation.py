"""One mail never stops intake: a failure in any step holds THAT mail, the batch goes on.

A failure is injected (``MAILFLOW_FAIL_AT=<stage>:<marker>``, read by ``intake.FaultHook``)
into each intake step — parse, identify, unpack, record — for one mail of a batch, and
the other mails must be recorded and moved, through `ingest`, `poll --once` on both the
embedded server and the real Postfix + Dovecot, and one daemon pass. The mails with raw
8-bit bytes in Message-ID / In-Reply-To (which used to make SQLite raise inside the
commit and stop intake for good) go the same way with no injection at all.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import mailenv
from mailenv import MailEnv
from mailflow.adapters.mailserver import free_port
from mailflow.services.intake import FAULT_ENV

REPO = Path(__file__).resolve().parent.parent
MAILBOX = f"baocao@{mailenv.DOMAIN}"
PROCESSED = "mailflow/processed"
REVIEW = "mailflow/review"
STAGES = ("parse", "identify", "unpack", "record")
SENDERS = ("qlkh", "qlcn", "khtc")


def report(sender: str, message_id: str | None = None) -> bytes:
    """A department's genuine reply; ``message_id`` lets a test mark it for a fault."""
    msg = EmailMessage()
    msg["From"] = f"{sender}@{mailenv.DOMAIN}"
    msg["To"] = MAILBOX
    msg["Subject"] = f"Báo cáo 2023-H1 {sender}"
    msg["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@{mailenv.DOMAIN}>"
    msg["Date"] = "Mon, 10 Jul 2023 09:00:00 +0700"
    msg.set_content("Nội dung báo cáo của phòng.\n")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def eight_bit(header: str, value: bytes) -> bytes:
    """A reply whose ``header`` is written as raw 8-bit bytes, as some clients do."""
    raw = report("qlkh")
    head, _, body = raw.partition(b"\r\n\r\n")
    name = header.encode().lower() + b":"
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(name)]
    lines.append(header.encode() + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


RAW_UTF8_ID = "<báo-cáo@qlkh>".encode()
RAW_LATIN1_REPLY = "<rapport-été@qlkh>".encode("latin-1")


def batch(marker: str) -> tuple[list[bytes], bytes]:
    """Three genuine replies and one marked for the fault, marked one in the middle."""
    genuine = [report(s) for s in SENDERS]
    victim = report("tdc", f"<{marker}@{mailenv.DOMAIN}>")
    return genuine, victim


def rows(config: Path, sql: str = "SELECT * FROM mails ORDER BY id") -> list[sqlite3.Row]:
    state = config.parent / "state.sqlite"
    if not state.exists():
        return []
    conn = sqlite3.connect(state)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def by_message_id(config: Path) -> dict[str, sqlite3.Row]:
    found: dict[str, sqlite3.Row] = {}
    for r in rows(config):
        assert r["message_id"] not in found or r["message_id"] is None, "a mail twice"
        found[r["message_id"]] = r
    return found


def held_for(row: sqlite3.Row, stage: str) -> bool:
    params = json.loads(row["detail"])["reason_params"]
    return (
        row["kind"] == "quarantined"
        and row["reason"] == "intake.why.stage_failed"
        and params["stage"] == stage
        and "injected failure" in params["error"]
    )


def cli(config: Path, *args: str, fault: str = "") -> Result:
    from mailflow.cli import cli as mailflow_cli

    env = {"MAILFLOW_TEST_PASSWORD": mailenv.PASSWORD, FAULT_ENV: fault}
    return CliRunner().invoke(
        mailflow_cli, ["--config", str(config), "--lang", "en", *args], env=env
    )


def wide(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process on a wide terminal, so a table row stays on one line."""
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="400")
    env.pop(FAULT_ENV, None)
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "en", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


# --- ingest: no server ---------------------------------------------------------------------


@pytest.fixture
def offline(tmp_path: Path) -> Path:
    """A config whose server is never reached: ingest needs none."""
    port = free_port()
    path = tmp_path / "config.toml"
    path.write_text(MailEnv("embedded", "127.0.0.1", port, port).config_text(), "utf-8")
    return path


def _write(folder: Path, raws: list[bytes]) -> Path:
    folder.mkdir(exist_ok=True)
    for i, raw in enumerate(raws):
        (folder / f"{i:02d}.eml").write_bytes(raw)
    return folder


@pytest.mark.parametrize("stage", STAGES)
def test_ingest_holds_only_the_mail_whose_step_failed(
    offline: Path, tmp_path: Path, stage: str
) -> None:
    marker = f"fail-{uuid.uuid4().hex[:12]}"
    genuine, victim = batch(marker)
    folder = _write(tmp_path / "mails", [genuine[0], victim, *genuine[1:]])
    result = cli(offline, "ingest", str(folder), fault=f"{stage}:{marker}")
    assert result.exit_code == 0, result.output
    found = by_message_id(offline)
    assert [found[mid]["kind"] for mid in message_ids(genuine)] == ["report"] * len(genuine)
    (held,) = [r for r in rows(offline) if r["kind"] == "quarantined"]
    assert held_for(held, stage) and len(found) == len(genuine) + 1


@pytest.mark.parametrize("stage", STAGES)
def test_a_held_mail_is_not_taken_in_twice(offline: Path, tmp_path: Path, stage: str) -> None:
    marker = f"fail-{uuid.uuid4().hex[:12]}"
    genuine, victim = batch(marker)
    folder = _write(tmp_path / "mails", [victim, *genuine])
    assert cli(offline, "ingest", str(folder), fault=f"{stage}:{marker}").exit_code == 0
    again = cli(offline, "ingest", str(folder))  # the fault gone: same bytes, same rows
    assert again.exit_code == 0, again.output
    assert len(rows(offline)) == len(genuine) + 1
    assert sum(1 for r in rows(offline) if r["kind"] == "quarantined") == 1


def test_when_even_the_quarantine_row_fails_a_bare_row_holds_the_mail(
    offline: Path, tmp_path: Path
) -> None:
    marker = f"fail-{uuid.uuid4().hex[:12]}"
    genuine, victim = batch(marker)
    folder = _write(tmp_path / "mails", [*genuine, victim])
    fault = f"record:{marker},quarantine:{marker}"
    result = cli(offline, "ingest", str(folder), fault=fault)
    assert result.exit_code == 0, result.output
    (held,) = [r for r in rows(offline) if r["kind"] == "quarantined"]
    assert held["message_id"] is None and held["archive_path"].startswith("mail/")
    assert json.loads(held["detail"])["reason_params"]["stage"] == "record"
    assert sorted(r["kind"] for r in rows(offline) if r["id"] != held["id"]) == ["report"] * 3


def test_a_held_mail_is_listed_by_review_with_its_step_and_error(
    offline: Path, tmp_path: Path
) -> None:
    marker = f"fail-{uuid.uuid4().hex[:12]}"
    genuine, victim = batch(marker)
    folder = _write(tmp_path / "mails", [*genuine, victim])
    assert cli(offline, "ingest", str(folder), fault=f"unpack:{marker}").exit_code == 0
    listed = wide(offline, "review", "--campaign", "2023-h1")
    assert listed.returncode == 0, listed.stderr
    assert "failed at the unpack step (InjectedFault: injected failure" in listed.stdout


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Message-ID", RAW_UTF8_ID),
        ("In-Reply-To", RAW_UTF8_ID),
        ("Message-ID", RAW_LATIN1_REPLY),
    ],
    ids=["utf8-message-id", "utf8-in-reply-to", "latin1-message-id"],
)
def test_ingest_takes_raw_8bit_ids_amid_genuine_mail(
    offline: Path, tmp_path: Path, header: str, value: bytes
) -> None:
    genuine = [report(s) for s in SENDERS]
    folder = _write(tmp_path / "mails", [genuine[0], eight_bit(header, value), *genuine[1:]])
    result = cli(offline, "ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert len(rows(offline)) == len(genuine) + 1
    again = cli(offline, "ingest", str(folder))
    assert again.exit_code == 0 and len(rows(offline)) == len(genuine) + 1


def test_a_raw_utf8_message_id_is_stored_as_its_text(offline: Path, tmp_path: Path) -> None:
    folder = _write(tmp_path / "mails", [eight_bit("Message-ID", RAW_UTF8_ID)])
    assert cli(offline, "ingest", str(folder)).exit_code == 0
    (row,) = rows(offline)
    assert row["message_id"] == "<báo-cáo@qlkh>"


# --- poll: both servers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[MailEnv]:
    env = mailenv.start_embedded([f"{u}@{mailenv.DOMAIN}" for u in (*SENDERS, "tdc", "baocao")])
    try:
        yield env
    finally:
        mailenv.stop_embedded(env)


def _emptied(env: MailEnv) -> MailEnv:
    with env.imap(MAILBOX) as box:
        for name in sorted((f.name for f in box.folder.list() if f.name != "INBOX"), reverse=True):
            if box.folder.exists(name):
                box.folder.delete(name)
        box.folder.set("INBOX")
        uids = box.uids()
        if uids:
            box.delete(uids)
    return env


@pytest.fixture(params=["embedded", "real"])
def any_env(request: pytest.FixtureRequest, server: MailEnv) -> MailEnv:
    if request.param == "embedded":
        return _emptied(server)
    return _emptied(mailenv.real_env(request))


def deliver(env: MailEnv, raws: list[bytes]) -> None:
    for raw in raws:
        if env._embedded is not None:
            env._embedded.deliver(MAILBOX, raw)
        else:  # through Postfix, as a department's client would
            env.smtp_send(env.addr("qlkh"), [MAILBOX], raw)
    if env._embedded is None:
        assert len(env.wait_for(MAILBOX, len(raws))) == len(raws)


def workspace(tmp_path: Path, env: MailEnv) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(env.config_text(), encoding="utf-8")
    return path


def message_ids(raws: list[bytes]) -> list[str]:
    from email import message_from_bytes

    return sorted(str(message_from_bytes(r)["Message-ID"]) for r in raws)


@pytest.mark.integration
@pytest.mark.parametrize("stage", STAGES)
def test_poll_records_and_moves_the_others_when_one_mail_fails(
    any_env: MailEnv, tmp_path: Path, stage: str
) -> None:
    marker = f"fail-{uuid.uuid4().hex[:12]}"
    genuine, victim = batch(marker)
    deliver(any_env, [genuine[0], victim, *genuine[1:]])
    config = workspace(tmp_path, any_env)
    result = cli(config, "poll", "--once", fault=f"{stage}:{marker}")
    assert result.exit_code == 0, result.output
    assert any_env.messages(MAILBOX) == []
    assert message_ids(any_env.messages(MAILBOX, PROCESSED)) == message_ids(genuine)
    assert message_ids(any_env.messages(MAILBOX, REVIEW)) == message_ids([victim])
    (held,) = [r for r in rows(config) if r["kind"] == "quarantined"]
    assert held_for(held, stage) and held["moved"] == 1
    assert sorted(r["kind"] for r in rows(config) if r["id"] != held["id"]) == ["report"] * 3


@pytest.mark.integration
def test_the_next_poll_never_meets_the_held_mail_again(any_env: MailEnv, tmp_path: Path) -> None:
    marker = f"fail-{uuid.uuid4().hex[:12]}"
    genuine, victim = batch(marker)
    deliver(any_env, [victim, *genuine])
    config = workspace(tmp_path, any_env)
    assert cli(config, "poll", "--once", fault=f"record:{marker}").exit_code == 0
    before = [tuple(r) for r in rows(config)]
    assert [r["kind"] for r in rows(config)].count("quarantined") == 1
    second = cli(config, "poll", "--once", fault=f"record:{marker}")
    assert second.exit_code == 0, second.output
    assert [tuple(r) for r in rows(config)] == before


@pytest.mark.integration
def test_poll_takes_raw_8bit_ids_amid_genuine_mail_and_exits_0(
    any_env: MailEnv, tmp_path: Path
) -> None:
    genuine = [report(s) for s in SENDERS]
    odd = [eight_bit("Message-ID", RAW_UTF8_ID), eight_bit("In-Reply-To", RAW_LATIN1_REPLY)]
    deliver(any_env, [genuine[0], *odd, *genuine[1:]])
    config = workspace(tmp_path, any_env)
    result = cli(config, "poll", "--once")
    assert result.exit_code == 0, result.output
    assert len(rows(config)) == len(genuine) + len(odd)
    assert any_env.messages(MAILBOX) == []
    again = cli(config, "poll", "--once")
    assert again.exit_code == 0 and len(rows(config)) == len(genuine) + len(odd)


# --- one daemon pass -----------------------------------------------------------------------


def _daemon_once(config: Path, fault: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), MAILFLOW_TEST_PASSWORD=mailenv.PASSWORD)
    env[FAULT_ENV] = fault
    env.pop("MAILFLOW_FAKE_NOW", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mailflow",
            "--lang",
            "en",
            "--config",
            str(config),
            "run",
            "--once",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


@pytest.mark.integration
def test_one_daemon_pass_takes_every_genuine_mail_past_a_failing_and_an_8bit_one(
    server: MailEnv, tmp_path: Path
) -> None:
    env = _emptied(server)
    marker = f"fail-{uuid.uuid4().hex[:12]}"
    genuine, victim = batch(marker)
    odd = eight_bit("Message-ID", RAW_UTF8_ID)
    deliver(env, [genuine[0], victim, odd, *genuine[1:]])
    config = workspace(tmp_path, env)
    proc = _daemon_once(config, f"identify:{marker}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout
    kinds = sorted(r["kind"] for r in rows(config))
    assert kinds == ["quarantined", "report", "report", "report", "report"]
    assert env.messages(MAILBOX) == []
    again = _daemon_once(config, f"identify:{marker}")
    assert again.returncode == 0 and len(rows(config)) == 5


def test_a_bounce_quoting_a_raw_8bit_message_id_is_recorded_as_a_bounce(
    offline: Path, tmp_path: Path
) -> None:
    dsn = (
        b"From: MAILER-DAEMON@mail.sokhcn.example\r\nTo: baocao@sokhcn.example\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mail>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
        b' boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n'
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail\r\n\r\n"
        b"Final-Recipient: rfc822; qlkh@sokhcn.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--r\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: " + RAW_UTF8_ID + b"\r\n"
        b"To: qlkh@sokhcn.example\r\n\r\nbody\r\n--r--\r\n"
    )
    folder = _write(tmp_path / "mails", [dsn])
    assert cli(offline, "ingest", str(folder)).exit_code == 0
    (row,) = rows(offline)
    assert row["kind"] == "bounce"
    assert json.loads(row["detail"])["bounce"]["original_message_id"] == "<báo-cáo@qlkh>"


@pytest.mark.integration
def test_a_uidvalidity_resync_takes_a_raw_8bit_id_amid_genuine_mail(
    any_env: MailEnv, tmp_path: Path
) -> None:
    """The re-sync looks mails up by Message-ID: a raw 8-bit one must not stop it."""
    config = workspace(tmp_path, any_env)
    assert cli(config, "poll", "--once").exit_code == 0  # the state knows the inbox
    genuine = report("qlkh")
    deliver(any_env, [eight_bit("Message-ID", RAW_UTF8_ID), genuine])
    conn = sqlite3.connect(config.parent / "state.sqlite")
    with conn:
        conn.execute("UPDATE mailbox_state SET uidvalidity = uidvalidity + 7")
    conn.close()
    result = cli(config, "poll", "--once")
    assert result.exit_code == 0, result.output
    assert sorted(r["message_id"] for r in rows(config)) == sorted(
        ["<báo-cáo@qlkh>", *message_ids([genuine])]
    )
