"""The per-mail pipeline and the `ingest` / `import` doors, without a mail server."""

from __future__ import annotations

import getpass
import io
import mailbox
import sqlite3
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.adapters.archive import Archive
from mailflow.adapters.mailserver import free_port
from mailflow.adapters.store import Store
from mailflow.cli import cli
from mailflow.services.intake import Intake

NOW = datetime(2023, 7, 10, 9, 0).astimezone()


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """A seed-campaign config whose IMAP port nothing listens on."""
    port = free_port()
    path = tmp_path / "config.toml"
    path.write_text(MailEnv("embedded", "127.0.0.1", port, port).config_text(), encoding="utf-8")
    return path


@pytest.fixture
def intake(config_path: Path) -> Intake:
    cfg = config_mod.load(config_path)
    return Intake(
        cfg,
        Store(cfg.state_path),
        Archive(cfg.archive_dir),
        clock=lambda: NOW,
        converter=bootstrap.build(cfg).converter,
    )


def mail(sender: str, subject: str, date: str, n: int, body: str = "Nội dung báo cáo.") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{sender}@sokhcn.example"
    msg["To"] = "baocao@sokhcn.example"
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = f"<m{n}@sokhcn.example>"
    msg.set_content(body)
    return msg.as_bytes()


def rows(state: Path, sql: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(state)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def docx_bytes(text: str) -> bytes:
    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# --- the pipeline ---------------------------------------------------------------------


def test_the_same_bytes_twice_make_one_row(intake: Intake) -> None:
    raw = mail("qlkh", "Báo cáo 2023-H1", "Mon, 10 Jul 2023 09:00:00 +0700", 1)
    first = intake.process(raw, source="ingest")
    second = intake.process(raw, source="ingest")
    assert (first.created, second.created, second.mail_id) == (True, False, first.mail_id)
    assert len(rows(intake.store.path, "SELECT id FROM mails")) == 1


def test_a_mail_from_an_unknown_sender_is_kept_for_review_with_its_reason(
    intake: Intake,
) -> None:
    raw = mail("spare1", "Báo cáo 2023-H1", "Mon, 10 Jul 2023 09:00:00 +0700", 2)
    outcome = intake.process(raw, source="ingest")
    assert (outcome.kind, outcome.reason) == ("review", "intake.why.unknown_sender")
    (row,) = rows(intake.store.path, "SELECT kind, reason, detail FROM mails")
    assert row["reason"] == "intake.why.unknown_sender"
    assert "spare1@sokhcn.example" in row["detail"]


def test_a_mail_that_breaks_the_unpacker_is_kept_quarantined_with_the_error(
    config_path: Path,
) -> None:
    def broken(parsed: object) -> list[object]:
        raise RuntimeError("unpacker bug")

    cfg = config_mod.load(config_path)
    intake = Intake(
        cfg,
        Store(cfg.state_path),
        Archive(cfg.archive_dir),
        clock=lambda: NOW,
        converter=bootstrap.build(cfg).converter,
        extractor=broken,
    )
    raw = mail("qlkh", "Báo cáo 2023-H1", "Mon, 10 Jul 2023 09:00:00 +0700", 3)
    outcome = intake.process(raw, source="ingest")
    assert (outcome.kind, outcome.reason) == ("quarantined", "intake.why.stage_failed")
    assert "unpacker bug" in outcome.reason_params["error"]
    assert (
        Archive(cfg.archive_dir).read(
            rows(cfg.state_path, "SELECT archive_path FROM mails")[0]["archive_path"]
        )
        == raw
    )


def test_a_bounce_of_our_directive_marks_that_send_failed(intake: Intake) -> None:
    with intake.store.transaction() as db:
        db.execute(
            "INSERT INTO sends (dedupe_key, kind, campaign, department, recipients, message_id,"
            " sha256, archive_path, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                "directive:2023-h1:QLKH",
                "directive",
                "2023-h1",
                "QLKH",
                "[]",
                "<dir1@sokhcn.example>",
                "0" * 64,
                "sent/x.eml",
                "sent",
                NOW.isoformat(),
            ],
        )
    intake.refresh()
    dsn = (
        b"From: MAILER-DAEMON@mail.sokhcn.example\r\nTo: baocao@sokhcn.example\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mail>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
        b' boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n'
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail\r\n\r\n"
        b"Final-Recipient: rfc822; qlkh@sokhcn.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <dir1@sokhcn.example>\r\n"
        b"To: qlkh@sokhcn.example\r\n\r\n--r--\r\n"
    )
    outcome = intake.process(dsn, source="ingest")
    assert (outcome.kind, outcome.campaign, outcome.department) == ("bounce", "2023-h1", "QLKH")
    (send,) = rows(intake.store.path, "SELECT status, last_error FROM sends")
    assert send["status"] == "failed" and "5.1.1" in send["last_error"]


# --- ingest -------------------------------------------------------------------------------


def test_ingest_takes_eml_mbox_and_maildir_in_date_order(config_path: Path, tmp_path: Path) -> None:
    (tmp_path / "late.eml").write_bytes(
        mail("qlkh", "Báo cáo 2023-H1 (3)", "Wed, 12 Jul 2023 09:00:00 +0700", 13)
    )
    box = mailbox.mbox(str(tmp_path / "saved.mbox"))
    box.add(mail("qlcn", "Báo cáo 2023-H1 (1)", "Mon, 10 Jul 2023 09:00:00 +0700", 11))
    box.close()
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    maildir.add(mail("khtc", "Báo cáo 2023-H1 (2)", "Tue, 11 Jul 2023 09:00:00 +0700", 12))
    maildir.close()
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config_path),
            "ingest",
            str(tmp_path / "late.eml"),
            str(tmp_path / "saved.mbox"),
            str(tmp_path / "Maildir"),
        ],
    )
    assert result.exit_code == 0, result.output
    state = config_path.parent / "state.sqlite"
    got = [(r["subject"], r["source"]) for r in rows(state, "SELECT * FROM mails ORDER BY id")]
    assert got == [(f"Báo cáo 2023-H1 ({i})", "ingest") for i in (1, 2, 3)]


def test_ingest_of_the_same_files_again_records_nothing_new(
    config_path: Path, tmp_path: Path
) -> None:
    eml = tmp_path / "a.eml"
    eml.write_bytes(mail("qlkh", "Báo cáo 2023-H1", "Mon, 10 Jul 2023 09:00:00 +0700", 21))
    runner = CliRunner()
    runner.invoke(cli, ["--config", str(config_path), "ingest", str(eml)])
    again = runner.invoke(cli, ["--config", str(config_path), "--lang", "en", "ingest", str(eml)])
    assert "0 new, 1 already recorded" in again.output
    assert len(rows(config_path.parent / "state.sqlite", "SELECT id FROM mails")) == 1


def test_ingest_of_a_missing_file_is_a_usage_error(config_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config_path), "ingest", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# --- import -------------------------------------------------------------------------------


def test_import_records_the_report_with_who_imported_it(config_path: Path, tmp_path: Path) -> None:
    data = docx_bytes("Báo cáo của Phòng KHTC gửi qua Zalo")
    report = tmp_path / "Báo cáo KHTC (Zalo).docx"
    report.write_bytes(data)
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config_path),
            "import",
            "--campaign",
            "2023-h1",
            "--department",
            "KHTC",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    state = config_path.parent / "state.sqlite"
    (m,) = rows(state, "SELECT * FROM mails")
    assert (m["source"], m["kind"], m["campaign"], m["department"], m["imported_by"]) == (
        "import",
        "report",
        "2023-h1",
        "KHTC",
        getpass.getuser(),
    )
    (d,) = rows(state, "SELECT * FROM documents")
    assert (d["name"], d["status"]) == (report.name, "ok")
    assert Archive(config_path.parent / "archive").read(d["archive_path"]) == data


def test_importing_the_same_file_again_records_it_once(config_path: Path, tmp_path: Path) -> None:
    report = tmp_path / "bao-cao.docx"
    report.write_bytes(docx_bytes("Báo cáo"))
    args = [
        "--config",
        str(config_path),
        "--lang",
        "en",
        "import",
        "--campaign",
        "2023-h1",
        "--department",
        "QLKH",
        str(report),
    ]
    CliRunner().invoke(cli, args)
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "already recorded" in again.output
    assert len(rows(config_path.parent / "state.sqlite", "SELECT id FROM mails")) == 1


def test_import_for_an_unknown_department_is_a_usage_error(
    config_path: Path, tmp_path: Path
) -> None:
    report = tmp_path / "r.docx"
    report.write_bytes(docx_bytes("x"))
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config_path),
            "import",
            "--campaign",
            "2023-h1",
            "--department",
            "NOPE",
            str(report),
        ],
    )
    assert result.exit_code == 2
    assert "NOPE" in result.output


# --- a poll that cannot reach the server ------------------------------------------------


def test_a_poll_that_cannot_reach_the_server_fails_with_one_readable_line(
    config_path: Path,
) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config_path), "poll", "--once"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert any(line.startswith("Lỗi:") for line in result.output.splitlines())
    assert rows(config_path.parent / "state.sqlite", "SELECT * FROM mailbox_state") == []
