"""Replies in six client styles go over SMTP, one `poll --once` takes them all in."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.poll.clients import MAILBOX, Reply, all_styles

import mailenv
from mailenv import MailEnv
from mailflow.adapters.archive import Archive, sha256
from mailflow.adapters.store import Store
from mailflow.cli import cli

pytestmark = [pytest.mark.integration, pytest.mark.libreoffice]

OUR_DIRECTIVE_ID = "<directive.2023-h1.TTCG@sokhcn.example>"


@pytest.fixture(scope="module")
def replies(tmp_path_factory: pytest.TempPathFactory) -> list[Reply]:
    return all_styles(tmp_path_factory.mktemp("clients"), OUR_DIRECTIVE_ID)


def record_our_directive(state: Path) -> None:
    """The directive mailflow sent to TTCG: the body-only reply names it in In-Reply-To."""
    store = Store(state)
    with store.transaction() as db:
        db.execute(
            "INSERT INTO sends (dedupe_key, kind, campaign, department, recipients, message_id,"
            " sha256, archive_path, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                "directive:2023-h1:TTCG",
                "directive",
                "2023-h1",
                "TTCG",
                '["trungtam@sokhcn.example"]',
                OUR_DIRECTIVE_ID,
                "0" * 64,
                "sent/x.eml",
                "sent",
                datetime(2023, 7, 1).isoformat(),
            ],
        )
    store.close()


def rows(state: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(state)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module", params=["embedded", "real"])
def server(request: pytest.FixtureRequest) -> Iterator[MailEnv]:
    """Like conftest's ``mail_env`` but shared by this module: one poll per server
    (LibreOffice converting the .doc costs seconds), every test reads its outcome."""
    if request.param == "embedded":
        env = mailenv.start_embedded()
        try:
            yield env
        finally:
            mailenv.stop_embedded(env)
        return
    real = mailenv.real_env(request)
    yield real


@pytest.fixture(scope="module")
def polled(server: MailEnv, replies: list[Reply], tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp(f"poll-{server.kind}")
    config = workdir / "config.toml"
    config.write_text(server.config_text(), encoding="utf-8")
    record_our_directive(workdir / "state.sqlite")
    for reply in replies:
        server.smtp_send(server.addr(reply.sender), [MAILBOX], reply.raw)
    assert len(server.wait_for(MAILBOX, len(replies))) == len(replies)
    result = CliRunner().invoke(cli, ["--config", str(config), "poll", "--once"])
    assert result.exit_code == 0, result.output
    return workdir


def test_each_reply_is_recorded_once_as_a_report_of_its_department(
    polled: Path, replies: list[Reply]
) -> None:
    mails = rows(polled / "state.sqlite", "SELECT * FROM mails ORDER BY id")
    by_dept = {m["department"]: m for m in mails}
    assert len(mails) == len(replies)
    assert sorted(by_dept) == sorted(r.department for r in replies)
    for reply in replies:
        mail = by_dept[reply.department]
        assert (mail["kind"], mail["campaign"], mail["source"]) == ("report", "2023-h1", "imap")
        expected = (
            "intake.why.campaign_reply" if reply.style == "body" else ("intake.why.campaign_token")
        )
        assert mail["reason"] == expected, reply.style


def test_each_mail_is_archived_with_its_exact_bytes(polled: Path) -> None:
    archive = Archive(polled / "archive")
    mails = rows(polled / "state.sqlite", "SELECT sha256, archive_path FROM mails")
    for mail in mails:
        assert sha256(archive.read(mail["archive_path"])) == mail["sha256"]
    assert len(list((polled / "archive" / "mail").rglob("*.eml"))) == len(mails)


def test_files_come_out_with_their_names_and_bytes(polled: Path, replies: list[Reply]) -> None:
    archive = Archive(polled / "archive")
    state = polled / "state.sqlite"
    for reply in replies:
        docs = rows(
            state,
            "SELECT d.* FROM documents d JOIN mails m ON m.id = d.mail_id "
            "WHERE m.department = ? ORDER BY d.ordinal",
            reply.department,
        )
        files = {d["name"]: d for d in docs if d["content_type"] != "text/plain"}
        assert set(files) == set(reply.files), reply.style
        for name, data in reply.files.items():
            doc = files[name]
            assert archive.read(doc["archive_path"]) == data, (reply.style, name)
            assert doc["status"] == "ok", (reply.style, name, doc["reason"])
            assert doc["docx_path"], (reply.style, name)


def test_the_doc_file_is_converted_to_a_readable_docx(polled: Path) -> None:
    import io

    import docx

    (doc,) = rows(
        polled / "state.sqlite",
        "SELECT d.* FROM documents d JOIN mails m ON m.id = d.mail_id "
        "WHERE m.department = 'VP' AND d.name LIKE '%.doc'",
    )
    converted = Archive(polled / "archive").read(doc["docx_path"])
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(converted)).paragraphs)
    assert "Văn phòng Sở" in text


def test_a_body_only_reply_becomes_a_text_document(polled: Path, replies: list[Reply]) -> None:
    (reply,) = [r for r in replies if r.style == "body"]
    docs = rows(
        polled / "state.sqlite",
        "SELECT d.* FROM documents d JOIN mails m ON m.id = d.mail_id WHERE m.department = ?",
        reply.department,
    )
    assert [(d["content_type"], d["status"]) for d in docs] == [("text/plain", "ok")]
    text = Archive(polled / "archive").read(docs[0]["archive_path"]).decode("utf-8")
    assert reply.body_words in text


def test_the_inbox_is_empty_and_every_mail_sits_in_the_processed_folder(
    polled: Path, server: MailEnv, replies: list[Reply]
) -> None:
    assert server.messages(MAILBOX, "INBOX") == []
    processed = server.messages(MAILBOX, "mailflow/processed")
    stored = {m["sha256"] for m in rows(polled / "state.sqlite", "SELECT sha256 FROM mails")}
    assert {sha256(raw) for raw in processed} == stored
    assert len(processed) == len(replies)
    moved = rows(polled / "state.sqlite", "SELECT moved FROM mails")
    assert {m["moved"] for m in moved} == {1}


def test_the_poll_places_each_report_in_the_outline(polled: Path) -> None:
    matched = rows(polled / "state.sqlite", "SELECT id FROM mails WHERE matched_at IS NOT NULL")
    parts = rows(polled / "state.sqlite", "SELECT DISTINCT mail_id FROM parts")
    assert len(matched) == len(rows(polled / "state.sqlite", "SELECT id FROM mails"))
    assert parts  # every style carries text, so parts exist
