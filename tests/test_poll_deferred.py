"""Expensive documents are read after the poll's batches, in a bounded pool with a timeout.

A PDF's text, OCR, LibreOffice conversions and a workbook's tables must not hold the
ordinary mail of their batch (issue 15): the poll records such a document unread
(needs-conversion, ``intake.unpack.deferred``), moves the batch, then reads it. What a
person sees at the end must be what the per-mail path gives, each document once; a poll
killed before the reading leaves it waiting (listed with its reason) and the next poll
reads it; a reading past ``intake.deferred_timeout_seconds`` waits for a person.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from formats_support import docx_lines, message
from test_faults_poll import MAILBOX, PROCESSED, _emptied, ids, write_config

import mailenv
from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.adapters import unpack
from mailflow.adapters.archive import Archive
from mailflow.adapters.mail_parse import parse
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.store import Store
from mailflow.services.intake import unpack_limits
from mailflow.services.match import match_pending
from mailflow.services.poll import PollResult, poll_once

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent
USERS = ("baocao", "qlkh", "qlcn", "tdc")
SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def server() -> Iterator[MailEnv]:
    env = mailenv.start_embedded([f"{u}@{mailenv.DOMAIN}" for u in USERS])
    try:
        yield env
    finally:
        mailenv.stop_embedded(env)


@pytest.fixture
def env(server: MailEnv) -> MailEnv:
    return _emptied(server)


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Chỉ tiêu", "Kế hoạch", "Thực hiện"])
    for r in range(5):
        sheet.append([f"Nhiệm vụ {r}", 10 + r, 8 + r])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (Helvetica), written by hand."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _docx() -> bytes:
    from formats_support import plain_docx

    return plain_docx(["Báo cáo kết quả thực hiện nhiệm vụ 6 tháng đầu năm."])


def _mails() -> list[bytes]:
    """An ordinary .docx reply, a workbook, a PDF with text."""
    return [
        message("qlkh", "Gửi báo cáo.", [("BC.docx", _docx(), DOCX)]),
        message("qlcn", "Gửi biểu số liệu.", [("Bieu.xlsx", _xlsx(), SHEET)]),
        message(
            "tdc", "Gửi báo cáo.", [("BC.pdf", _pdf("Bao cao ket qua 6 thang"), "application/pdf")]
        ),
    ]


def _deliver(env: MailEnv, raws: list[bytes]) -> None:
    for raw in raws:
        assert env._embedded is not None
        env._embedded.deliver(MAILBOX, raw)


def _config(tmp_path: Path, env: MailEnv, intake: str = "") -> Path:
    path = write_config(tmp_path / "config.toml", env)
    path.write_text(path.read_text(encoding="utf-8") + f"\n[intake]\n{intake}\n", encoding="utf-8")
    os.environ.setdefault("MAILFLOW_TEST_PASSWORD", mailenv.PASSWORD)
    return path


def _now() -> datetime:
    return datetime.now().astimezone()


def _documents(state: Path) -> list[dict[str, object]]:
    conn = sqlite3.connect(state)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(
            "SELECT d.*, m.message_id, m.detail FROM documents d JOIN mails m ON m.id = d.mail_id "
            "ORDER BY d.id"
        ).fetchall()
    finally:
        conn.close()
    return [dict(r) for r in rows]


def _poll_here(cfg: config_mod.Config, store: Store, archive: Archive) -> PollResult:
    """One poll in this process, with the workspace's own mail servers and converter."""
    converter = bootstrap.build(cfg).converter
    return poll_once(cfg, store, archive, MailServers(cfg.mailbox), converter=converter, clock=_now)


def _poll(config: Path, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("MAILFLOW_CRASH_AT", None)
    if crash_at:
        env["MAILFLOW_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--config", str(config), "poll", "--once"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_deferred_documents_end_as_the_per_mail_path_reads_them(
    env: MailEnv, tmp_path: Path
) -> None:
    raws = _mails()
    _deliver(env, raws)
    cfg = config_mod.load(_config(tmp_path, env))
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        result = _poll_here(cfg, store, archive)
    finally:
        store.close()
    assert (result.fetched, result.moved, result.deferred) == (3, 3, 2)
    assert [o.kind for o in result.outcomes] == ["report"] * 3
    assert env.messages(MAILBOX) == [] and ids(env.messages(MAILBOX, PROCESSED)) == ids(raws)
    rows = _documents(cfg.state_path)
    expected = []
    for raw in raws:  # the per-mail path, in memory
        expected += [
            (ex.name, ex.status, ex.reason, dict(ex.params), docx_lines(ex.docx) if ex.docx else [])
            for ex in unpack.extract(parse(raw).message, unpack_limits(cfg))
        ]
    got = [
        (
            r["name"],
            r["status"],
            r["reason"],
            json.loads(str(r["reason_params"] or "{}")),
            docx_lines(archive.read(str(r["docx_path"]))) if r["docx_path"] else [],
        )
        for r in rows
    ]
    assert got == expected
    assert [r["reason"] for r in rows] == [
        "intake.unpack.docx",
        "intake.unpack.sheet",
        "intake.unpack.pdf",
    ]
    pdf_row = rows[2]
    notes = json.loads(str(pdf_row["detail"]))["documents"]  # what the draft reads
    assert notes == [{"ordinal": 1, "params": {"pages": "1"}, "origin": ""}]


def test_a_poll_killed_before_the_reading_leaves_them_waiting_and_the_next_one_reads_them(
    env: MailEnv, tmp_path: Path
) -> None:
    raws = _mails()
    _deliver(env, raws)
    config = _config(tmp_path, env)
    killed = _poll(config, crash_at="before-deferred:1")
    assert killed.returncode == -9, killed.stderr
    state = tmp_path / "state.sqlite"
    waiting = [r for r in _documents(state) if r["status"] == "needs-conversion"]
    assert sorted(str(r["name"]) for r in waiting) == ["BC.pdf", "Bieu.xlsx"]
    assert {r["reason"] for r in waiting} == {unpack.DEFERRED}
    assert env.messages(MAILBOX) == []  # the batch was moved before the kill
    cfg = config_mod.load(config)
    store = Store(cfg.state_path)
    try:  # what the draft lists meanwhile: each waiting document once, with its reason
        held = store.held_documents(cfg.campaigns[0].id, "report")
    finally:
        store.close()
    assert sorted((str(h["name"]), h["reason"]) for h in held) == [
        ("BC.pdf", unpack.DEFERRED),
        ("Bieu.xlsx", unpack.DEFERRED),
    ]
    store = Store(cfg.state_path)
    try:  # matching meanwhile (`assemble` by hand): the mails still waiting are left
        matched = match_pending(cfg, store, Archive(cfg.archive_dir), _now())
    finally:
        store.close()
    assert [r.mail_id for r in matched] == [1]  # the .docx reply only
    again = _poll(config)
    assert again.returncode == 0, again.stderr
    rows = _documents(state)
    assert [(r["name"], r["status"]) for r in rows] == [
        ("BC.docx", "ok"),
        ("Bieu.xlsx", "ok"),
        ("BC.pdf", "ok"),
    ]
    assert all(r["docx_path"] for r in rows)
    conn = sqlite3.connect(state)
    try:
        assert conn.execute("SELECT count(*) FROM mails").fetchone()[0] == 3
    finally:
        conn.close()


def test_a_reading_past_its_timeout_waits_for_a_person_with_the_reason(
    env: MailEnv, tmp_path: Path
) -> None:
    raws = _mails()[1:2]  # the workbook
    _deliver(env, raws)
    cfg = config_mod.load(_config(tmp_path, env, "deferred_timeout_seconds = 0.001"))
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        result = _poll_here(cfg, store, archive)
        held = store.held_documents(cfg.campaigns[0].id, "report")
    finally:
        store.close()
    assert (result.fetched, result.moved) == (1, 1)
    [row] = _documents(cfg.state_path)
    assert (row["status"], row["reason"]) == (
        "needs-conversion",
        "intake.unpack.deferred_timeout",
    )
    assert json.loads(str(row["reason_params"])) == {"seconds": "0.001"}
    assert [(h["name"], h["reason"]) for h in held] == [
        ("Bieu.xlsx", "intake.unpack.deferred_timeout")
    ]
    assert archive.read(str(row["archive_path"])) == unpack.extract(parse(raws[0]).message)[0].data


def test_with_no_deferred_workers_the_poll_reads_every_document_in_its_batch(
    env: MailEnv, tmp_path: Path
) -> None:
    raws = _mails()
    _deliver(env, raws)
    cfg = config_mod.load(_config(tmp_path, env, "deferred_workers = 0"))
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        result = _poll_here(cfg, store, archive)
    finally:
        store.close()
    assert (result.fetched, result.deferred) == (3, 0)
    assert [r["status"] for r in _documents(cfg.state_path)] == ["ok", "ok", "ok"]


def test_a_mail_placed_by_its_documents_text_has_them_read_at_once(
    env: MailEnv, tmp_path: Path
) -> None:
    # the campaign of an unthreaded mail is decided by its documents' text (issue 18), so
    # a deferred workbook of such a mail is read in its own analysis, not after the batch
    from mailflow.core.identify import Identification
    from mailflow.model import MailKind
    from mailflow.services.intake import CAMPAIGN_UNKNOWN, Intake

    def unknown(headers, known):  # type: ignore[no-untyped-def]
        return Identification(MailKind.REVIEW, None, "qlcn", CAMPAIGN_UNKNOWN)

    cfg = config_mod.load(_config(tmp_path, env))
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        converter = bootstrap.build(cfg).converter
        intake = Intake(cfg, store, archive, clock=_now, converter=converter, identifier=unknown)
        intake.defer = True
        held = intake.analyse(_mails()[1])
        threaded = Intake(cfg, store, archive, clock=_now, converter=converter)
        threaded.defer = True
        waiting = threaded.analyse(_mails()[1])
    finally:
        store.close()
    [sheet] = [ex for ex in held.extracted if ex.name == "Bieu.xlsx"]
    assert (sheet.status, sheet.reason) == ("ok", "intake.unpack.sheet")
    [later] = [ex for ex in waiting.extracted if ex.name == "Bieu.xlsx"]
    assert (later.status, later.reason) == ("needs-conversion", unpack.DEFERRED)


class _HungConverter:
    """LibreOffice that never finishes: a real process that sleeps past any timeout."""

    soffice = ""

    def available(self) -> bool:
        return True

    def to_docx(self, files: object) -> list[bytes | str]:
        subprocess.run(["sleep", "300"], check=False)
        return []


def test_a_reading_past_its_timeout_costs_only_the_unfinished_document(
    env: MailEnv, tmp_path: Path
) -> None:
    # one mail, a PDF read in a moment and a document whose conversion hangs: the PDF's
    # text is kept, only the hung one waits for a person
    from mailflow.services.intake import Intake

    raw = message(
        "tdc",
        "Gửi báo cáo.",
        [
            ("BC.pdf", _pdf("Bao cao ket qua 6 thang"), "application/pdf"),
            ("Cu.rtf", rb"{\rtf1\ansi Bao cao}", "application/rtf"),
        ],
    )
    _deliver(env, [raw])
    cfg = config_mod.load(_config(tmp_path, env, "deferred_timeout_seconds = 10"))
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        intake = Intake(cfg, store, archive, clock=_now, converter=_HungConverter())
        result = poll_once(cfg, store, archive, MailServers(cfg.mailbox), intake=intake)
    finally:
        store.close()
    assert (result.fetched, result.moved) == (1, 1)
    rows = _documents(cfg.state_path)
    assert [(r["name"], r["status"], r["reason"]) for r in rows] == [
        ("BC.pdf", "ok", "intake.unpack.pdf"),
        ("Cu.rtf", "needs-conversion", "intake.unpack.deferred_timeout"),
    ]
    assert json.loads(str(rows[1]["reason_params"])) == {"seconds": "10"}
    notes = json.loads(str(rows[0]["detail"]))["documents"]
    assert notes == [
        {"ordinal": 1, "params": {"pages": "1"}, "origin": ""},
        {"ordinal": 2, "params": {"seconds": "10"}, "origin": ""},
    ]


def test_documents_left_waiting_are_read_even_when_the_next_poll_cannot_log_in(
    env: MailEnv, tmp_path: Path
) -> None:
    _deliver(env, _mails())
    config = _config(tmp_path, env)
    killed = _poll(config, crash_at="before-deferred:1")
    assert killed.returncode == -9, killed.stderr
    state = tmp_path / "state.sqlite"
    assert sorted(str(r["name"]) for r in _documents(state) if r["status"] != "ok") == [
        "BC.pdf",
        "Bieu.xlsx",
    ]
    refused = subprocess.run(
        [sys.executable, "-m", "mailflow", "--config", str(config), "poll", "--once"],
        cwd=REPO,
        env={**os.environ, "MAILFLOW_TEST_PASSWORD": "not-the-password"},
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode != 0  # the IMAP error is still the poll's answer
    assert [(r["name"], r["status"]) for r in _documents(state)] == [
        ("BC.docx", "ok"),
        ("Bieu.xlsx", "ok"),
        ("BC.pdf", "ok"),
    ]


def test_a_failed_reading_is_logged_and_the_poll_still_returns_its_recorded_batches(
    env: MailEnv, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raws = _mails()
    _deliver(env, raws)
    cfg = config_mod.load(_config(tmp_path, env))
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    conn = sqlite3.connect(cfg.state_path)  # the database refuses the reading's update
    try:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE UPDATE ON documents "
            f"WHEN OLD.reason = '{unpack.DEFERRED}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
        conn.commit()
    finally:
        conn.close()
    try:
        with caplog.at_level("ERROR", logger="mailflow.poll"):
            result = _poll_here(cfg, store, archive)
    finally:
        store.close()
    assert (result.fetched, result.moved, result.deferred) == (3, 3, 0)
    assert [o.kind for o in result.outcomes] == ["report"] * 3
    assert ids(env.messages(MAILBOX, PROCESSED)) == ids(raws)
    waiting = [r for r in _documents(cfg.state_path) if r["status"] != "ok"]
    assert sorted((str(r["name"]), r["reason"]) for r in waiting) == [
        ("BC.pdf", unpack.DEFERRED),
        ("Bieu.xlsx", unpack.DEFERRED),
    ]
    assert any("deferred documents failed" in r.getMessage() for r in caplog.records)


class _CountingLibreOffice:
    """The real LibreOffice converter, writing one line per run (how many files) to a file:
    the runs happen in the pool's forked processes."""

    def __init__(self, log: Path) -> None:
        from mailflow.adapters.convert import LibreOffice

        self.real = LibreOffice()
        self.soffice = self.real.soffice
        self.log = log

    def available(self) -> bool:
        return self.real.available()

    def to_docx(self, files: list[tuple[str, bytes]]) -> list[bytes | str]:
        with self.log.open("a", encoding="utf-8") as fh:
            fh.write(f"{len(files)}\n")
        return self.real.to_docx(files)


def test_a_mails_legacy_documents_are_converted_in_one_libreoffice_run(
    env: MailEnv, tmp_path: Path
) -> None:
    # one soffice start per mail, as in the per-mail path, not one per document
    from mailflow.services.intake import Intake

    raw = message(
        "tdc",
        "Gửi báo cáo.",
        [(f"Cu{n}.rtf", rb"{\rtf1\ansi Bao cao %d}" % n, "application/rtf") for n in (1, 2)],
    )
    _deliver(env, [raw])
    cfg = config_mod.load(_config(tmp_path, env))
    runs = tmp_path / "runs.txt"
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        converter = _CountingLibreOffice(runs)
        intake = Intake(cfg, store, archive, clock=_now, converter=converter)
        result = poll_once(cfg, store, archive, MailServers(cfg.mailbox), intake=intake)
    finally:
        store.close()
    assert result.deferred == 2
    assert [(r["name"], r["status"]) for r in _documents(cfg.state_path)] == [
        ("Cu1.rtf", "ok"),
        ("Cu2.rtf", "ok"),
    ]
    assert runs.read_text(encoding="utf-8").split() == ["2"]
