"""`mailflow review / place / release / history / assemble / status` on a real SQLite state.

Mails come in through `mailflow ingest` (the same intake as poll) from .eml files
written here, so the state is what a real run leaves; no mail server is needed.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import docx
import pytest
from fixtures.e2e.build import DOCX, Section, mail, report_docx
from fixtures.e2e.flow import CAMPAIGN, Flow

from mailenv import MailEnv

SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"
DOMAIN = "sokhcn.example"


class Offline(Flow):
    """A Flow whose mails arrive by `mailflow ingest` instead of SMTP + poll."""

    def ingest(self, local: str, text: str, files=(), date=None) -> int:  # type: ignore[no-untyped-def]
        addr = f"{local}@{DOMAIN}"
        data = mail(addr, f"baocao@{DOMAIN}", SUBJECT, text, attachments=list(files), date=date)
        folder = self.config_path.parent / "saved"
        folder.mkdir(exist_ok=True)
        path = folder / f"{len(list(folder.iterdir())):03d}.eml"
        path.write_bytes(data)
        self.run("ingest", str(path))
        return int(self.query("SELECT MAX(id) AS id FROM mails")[0]["id"])


@pytest.fixture
def flow(tmp_path: Path) -> Offline:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    path = tmp_path / "config.toml"
    path.write_text(env.config_text(deadline="2031-07-21"), encoding="utf-8")
    return Offline(env, path)


def _report(flow: Offline, local: str, *keys: str) -> int:
    o = flow.outline()
    sections = [Section(o.section(k).title, [f"Nội dung mục {k} của {local}."]) for k in keys]
    return flow.ingest(local, "Gửi báo cáo.", [(f"BC {local}.docx", report_docx(sections), DOCX)])


def _make_uncertain(flow: Offline, part_id: int) -> None:
    """A person's view of an uncertain part: the newest placement row says review."""
    store = flow.store()
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO placements (part_id, section_key, score, status, candidates, "
            "decided_by, created_at) VALUES (?, NULL, 51.0, 'review', ?, 'mailflow', "
            "'2030-01-01T00:00:00')",
            [part_id, json.dumps([["1.2.1.4", 51.0], ["1.2.1.5", 47.5]])],
        )
    store.close()


def test_review_lists_uncertain_parts_with_their_best_candidates(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    flow.match()
    part = flow.current("TDC")[0]["id"]
    _make_uncertain(flow, part)
    out = flow.run("review", "--campaign", CAMPAIGN).output
    line = next(x for x in out.splitlines() if f"│ {part} " in x)
    # candidates named as the outline does ("1 › - Kết quả…"), not by internal keys
    assert "TDC" in line and "(51)" in out and "(48)" in out and "1 › - Kết quả" in line
    assert "1.2.1.4" not in out and "1.2.1.5" not in out


def test_place_records_a_reviewed_decision_signed_by_the_os_user(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    flow.match()
    part = flow.current("TDC")[0]["id"]
    _make_uncertain(flow, part)
    flow.run("place", str(part), "1.2.1.5")
    row = flow.current("TDC")[0]
    assert (row["section_key"], row["status"]) == ("1.2.1.5", "reviewed")
    decided = flow.query("SELECT decided_by FROM placements WHERE part_id = ? ORDER BY id", [part])
    assert decided[-1]["decided_by"] == getpass.getuser()
    assert "Nothing to review" in flow.run("review", "--campaign", CAMPAIGN).output


def test_place_under_an_unknown_section_is_refused_and_names_the_valid_keys(
    flow: Offline,
) -> None:
    _report(flow, "tdc", "1.2.1.4")
    flow.match()
    part = flow.current("TDC")[0]["id"]
    result = flow.run("place", str(part), "9.9", ok=False)
    assert result.exit_code == 2
    assert "9.9" in result.output and "1.2.1.4" in result.output
    assert len(flow.query("SELECT * FROM placements WHERE part_id = ?", [part])) == 1


def test_place_none_sends_a_part_to_the_appendix(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    flow.match()
    part = flow.current("TDC")[0]["id"]
    flow.run("place", str(part), "none")
    assert flow.current("TDC")[0]["status"] == "unplaced"


def test_place_an_unknown_part_is_a_usage_error(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    result = flow.run("place", "999", "1.2.1.4", ok=False)
    assert result.exit_code == 2 and "999" in result.output


def test_release_accepts_an_unknown_sender_and_matches_it_as_that_department(
    flow: Offline,
) -> None:
    mail_id = _report(flow, "spare3", "1.2.1.5")
    assert flow.query("SELECT kind FROM mails WHERE id = ?", [mail_id])[0]["kind"] == "review"
    assert str(mail_id) in flow.run("review", "--campaign", CAMPAIGN).output
    flow.run("release", str(mail_id), "--department", "TDC")
    mail_row = flow.query("SELECT * FROM mails WHERE id = ?", [mail_id])[0]
    assert (mail_row["kind"], mail_row["department"]) == ("report", "TDC")
    assert mail_row["imported_by"] == getpass.getuser()
    assert [r["section_key"] for r in flow.current("TDC")] == ["1.2.1.5"]
    receipt = flow.query("SELECT recipients, status FROM sends WHERE kind = 'receipt'")
    assert receipt == [{"recipients": json.dumps([f"spare3@{DOMAIN}"]), "status": "queued"}]


def test_release_of_a_mail_that_is_not_held_is_refused(flow: Offline) -> None:
    mail_id = _report(flow, "tdc", "1.2.1.4")
    result = flow.run("release", str(mail_id), "--department", "QLKH", ok=False)
    assert result.exit_code == 2
    assert flow.query("SELECT department FROM mails WHERE id = ?", [mail_id])[0] == {
        "department": "TDC"
    }


def test_campaign_for_a_mail_that_does_not_exist_is_a_usage_error(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    result = flow.run("campaign", "999", CAMPAIGN, ok=False)
    assert result.exit_code == 2 and "999" in result.output
    assert "Traceback" not in result.output


def test_campaign_for_a_mail_whose_department_is_unknown_asks_for_release(
    flow: Offline,
) -> None:
    mail_id = _report(flow, "spare3", "1.2.1.5")
    assert flow.query("SELECT department FROM mails WHERE id = ?", [mail_id])[0] == {
        "department": None
    }
    result = flow.run("campaign", str(mail_id), CAMPAIGN, ok=False)
    assert result.exit_code == 2 and "release" in result.output
    assert flow.query("SELECT kind FROM mails WHERE id = ?", [mail_id])[0]["kind"] == "review"


def test_release_with_an_unknown_department_is_a_config_error(flow: Offline) -> None:
    mail_id = _report(flow, "spare3", "1.2.1.5")
    result = flow.run("release", str(mail_id), "--department", "NOPE", ok=False)
    assert result.exit_code == 2
    assert flow.query("SELECT kind FROM mails WHERE id = ?", [mail_id])[0]["kind"] == "review"


def test_history_shows_each_decision_and_filters_by_department(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    _report(flow, "qlkh", "1.2.1.2")
    flow.match()
    part = flow.current("TDC")[0]["id"]
    flow.run("place", str(part), "1.2.1.5")
    out = flow.run("history", "--campaign", CAMPAIGN, "--department", "TDC").output
    assert "(2 decisions)" in out and getpass.getuser() in out and "reviewed" in out
    assert "QLKH" not in out
    assert "(3 decisions)" in flow.run("history", "--campaign", CAMPAIGN).output


def test_assemble_makes_a_new_version_each_time_with_what_changed(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    out = flow.config_path.parent / "out" / "draft.docx"
    first = flow.run(
        "assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out), "--keep"
    ).output
    assert "version 1" in first
    _report(flow, "qlkh", "1.2.1.2")  # matched by the next assemble
    second = flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf").output
    assert "version 2" in second and "Phòng Quản lý khoa học" in second
    rows = flow.query("SELECT version, path, summary FROM drafts ORDER BY version")
    assert [r["version"] for r in rows] == [1, 2]
    assert rows[1]["path"] == f"{CAMPAIGN}/drafts/{CAMPAIGN}-draft-v002.docx"
    assert json.loads(rows[1]["summary"])["changes"]
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert any("Nội dung mục 1.2.1.4 của tdc." in x for x in texts)


def test_status_prints_the_grid_and_writes_a_standalone_html_page(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    flow.match()
    page = flow.config_path.parent / "status.html"
    out = flow.run("status", "--campaign", CAMPAIGN, "--html", str(page)).output
    assert "TDC" in out and "Department × section" in out
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html
    assert html.count("<table") == 2
    assert 'class="missing"' in html and 'class="received"' in html


def test_review_lists_report_files_that_could_not_be_read(flow: Offline) -> None:
    macro = report_docx([Section("Kết quả", ["Có macro."])])
    mail_id = flow.ingest(
        "tdc",
        "Gửi báo cáo.",
        [("BC.docm", macro, "application/vnd.ms-word.document.macroEnabled.12")],
    )
    status = flow.query("SELECT status FROM documents WHERE mail_id = ?", [mail_id])
    assert [d["status"] for d in status] == ["quarantined"]
    out = flow.run("review", "--campaign", CAMPAIGN).output
    assert "BC.docm" in out and "quarantined" in out and "Nothing to review" not in out


def test_status_shows_a_bounced_directive_and_who_is_missing(flow: Offline) -> None:
    from mailflow import bootstrap
    from mailflow.services import outbox

    cfg = flow.cfg
    store = bootstrap.build(cfg).store
    row = outbox.queue(
        store,
        bootstrap.build(cfg).archive,
        "directive:2023-h1:KHTC",
        "directive",
        CAMPAIGN,
        "KHTC",
        ["khtc@sokhcn.example"],
        b"Subject: x\r\n\r\nx\r\n",
        "<d-khtc@sokhcn.example>",
    )
    with store.transaction() as db:
        db.conn.execute("UPDATE sends SET status = 'failed' WHERE id = ?", [row.id])
    store.close()
    out = flow.run("status", "--campaign", CAMPAIGN).output
    line = next(x for x in out.splitlines() if "KHTC —" in x)
    assert "yes" in line and "4 section(s)" in line


def test_status_names_the_missing_sections_in_the_matrix_by_their_outline_number(
    flow: Offline,
) -> None:
    out = flow.run("status", "--campaign", CAMPAIGN).output
    codes = next(x for x in out.splitlines() if "Section" in x and "KHTC" in x)
    column = [c.strip() for c in codes.split("┃")].index("KHTC")
    row = next(x for x in out.splitlines() if "1 › - Kết quả đẩy mạnh tiềm lực" in x)
    assert [c.strip() for c in row.split("│")][column] == "✗" and "1.2.1.6" not in out


def test_place_accepts_the_number_printed_in_the_outline(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    flow.match()
    part = flow.current("TDC")[0]["id"]
    flow.run("place", str(part), "2.1")
    assert flow.current("TDC")[0]["section_key"] == "1.2.2.1"


def test_a_failing_pdf_conversion_still_leaves_the_docx_draft(
    flow: Offline, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = flow.config_path.parent / "soffice"
    broken.write_text("#!/bin/sh\necho 'source file could not be loaded' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("MAILFLOW_SOFFICE", str(broken))
    _report(flow, "tdc", "1.2.1.4")
    out = flow.run("assemble", "--campaign", CAMPAIGN).output
    assert "version 1" in out and "could not be loaded" in out
    rows = flow.query("SELECT path, summary FROM drafts")
    assert len(rows) == 1 and json.loads(rows[0]["summary"])["pdf"] is None
    assert (flow.cfg.archive_dir / rows[0]["path"]).is_file()


def test_release_unpacks_a_held_mail_that_was_never_unpacked(flow: Offline) -> None:
    mail_id = _report(flow, "spare3", "1.2.1.5")
    store = flow.store()
    with store.transaction() as db:  # as a mail quarantined before extraction leaves it
        db.conn.execute("DELETE FROM documents WHERE mail_id = ?", [mail_id])
        db.conn.execute("UPDATE mails SET kind = 'quarantined' WHERE id = ?", [mail_id])
    store.close()
    flow.run("release", str(mail_id), "--department", "TDC")
    docs = flow.query("SELECT name, status FROM documents WHERE mail_id = ?", [mail_id])
    assert {"name": "BC spare3.docx", "status": "ok"} in docs
    assert [r["section_key"] for r in flow.current("TDC")] == ["1.2.1.5"]


def test_subjects_that_look_like_markup_are_printed_as_they_are(flow: Offline) -> None:
    data = mail(f"spare3@{DOMAIN}", f"baocao@{DOMAIN}", "[bold]Báo cáo[/bold] [2023-H1]", "x")
    path = flow.config_path.parent / "m.eml"
    path.write_bytes(data)
    flow.run("ingest", str(path))
    out = flow.run("review", "--campaign", CAMPAIGN).output
    assert "[bold]Báo cáo[/bold]" in out


def test_a_draft_file_left_by_a_crash_is_never_overwritten(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    orphan = flow.cfg.archive_dir / CAMPAIGN / "drafts" / f"{CAMPAIGN}-draft-v001.docx"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a crash before its row was committed")
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf")
    rows = flow.query("SELECT version, path FROM drafts")
    assert rows == [{"version": 2, "path": f"{CAMPAIGN}/drafts/{CAMPAIGN}-draft-v002.docx"}]
    assert orphan.read_bytes() == b"left by a crash before its row was committed"
    draft = docx.Document(str(flow.cfg.archive_dir / rows[0]["path"]))
    assert any("DỰ THẢO lần 2" in p.text for p in draft.paragraphs)  # the config's language
