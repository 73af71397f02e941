"""Issue 12 item 2: the Office mail, the draft, `status` and the receipts name the same
missing sections, on a campaign where departments answered part of what they owe."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import datetime
from pathlib import Path

import docx
import pytest
from fixtures.e2e.build import DOCX, Section, report_docx
from fixtures.e2e.flow import CAMPAIGN
from test_review_cli import Offline

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow.core.missing import missing_by_department
from mailflow.core.sections import name_of_key
from mailflow.i18n import t
from mailflow.services.assemble import assemble
from mailflow.services.office_mail import send_draft

#: TDC wrote 1.2.1.4 and "2.1" (one of the three sub-sections of "2"); QLCN wrote one
#: of its four "-" items. What each still owes, by hand from the test outline:
EXPECTED = {
    "TDC": ["1.2.1.5", "1.2.2.2", "1.2.2.3", "1.3", "2"],
    "QLCN": ["1.2.1.2", "1.2.1.4", "1.2.1.5", "1.2.2", "1.3", "2"],
}


@pytest.fixture
def flow(tmp_path: Path) -> Offline:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    path = tmp_path / "config.toml"
    path.write_text(env.config_text(deadline="2031-07-21"), encoding="utf-8")
    return Offline(env, path)


def _report(flow: Offline, local: str, *keys: str) -> None:
    o = flow.outline()
    sections = [Section(o.section(k).title, [f"Nội dung mục {k} của {local}."]) for k in keys]
    flow.ingest(local, "Gửi báo cáo.", [(f"BC {local}.docx", report_docx(sections), DOCX)])
    flow.match()


def _mail_body(flow: Offline, kind: str, department: str | None) -> str:
    rows = flow.query(
        "SELECT archive_path, department FROM sends WHERE kind = ? ORDER BY id", [kind]
    )
    rows = [r for r in rows if department is None or r["department"] == department]
    assert rows, f"no {kind} mail queued"
    raw = bootstrap.build(flow.cfg).archive.read(rows[-1]["archive_path"])
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _bullets_after(lines: list[str], start: int) -> list[str]:
    out = []
    for line in lines[start + 1 :]:
        if not line.strip().startswith("•"):
            break
        out.append(line.strip().removeprefix("•").strip())
    return out


def test_the_office_mail_the_draft_status_and_receipts_name_the_same_missing_sections(
    flow: Offline,
) -> None:
    _report(flow, "tdc", "1.2.1.4", "1.2.2.1")
    _report(flow, "qlcn", "1.2.1.1")
    cfg = flow.cfg
    lang = cfg.lang
    campaign = cfg.campaign(CAMPAIGN)
    outline = flow.outline()
    names = {d.code: d.name for d in cfg.departments}
    want = {code: [name_of_key(outline, k, k) for k in keys] for code, keys in EXPECTED.items()}

    # the pure function itself, on what the store holds
    written = {
        (r["section_key"], code)
        for code in EXPECTED
        for r in flow.current(code)
        if r["status"] in ("auto", "reviewed") and r["section_key"]
    }
    owed = missing_by_department(outline, [d.code for d in cfg.departments], written)
    assert {c: list(owed[c]) for c in EXPECTED} == EXPECTED

    # 1. status
    status = json.loads(flow.run("status", "--campaign", CAMPAIGN, "--json").output)
    by_code = {d["code"]: d["missing"] for d in status["departments"]}
    assert {c: by_code[c] for c in EXPECTED} == EXPECTED

    # 2. receipts: the last receipt each department got lists what it still owes
    for code in EXPECTED:
        lines = _mail_body(flow, "receipt", code).splitlines()
        start = lines.index(t("review.receipt_missing", lang))
        assert _bullets_after(lines, start) == want[code], code

    # 3. the draft: one marker per owed section, under that section, and the appendix table
    store = flow.store()
    archive = bootstrap.build(cfg).archive
    now = datetime(2031, 7, 1, 9, 0).astimezone()
    try:
        result = assemble(cfg, store, archive, campaign, now, pdf=False)
        send_draft(cfg, store, archive, campaign, result, now)
    finally:
        store.close()
    document = docx.Document(str(result.docx_path))
    keys = [s.key for s in result.plan.sections]  # one heading per section, in order
    for code in EXPECTED:
        marker = t("assemble.missing_section_received", lang, department=names[code])
        under: list[str] = []
        seen = -1
        for p in document.paragraphs:
            if p.style is not None and p.style.name.startswith("Heading"):
                seen += 1
            elif p.text.strip() == marker:
                under.append(keys[seen])
        assert under == EXPECTED[code], code
        rows = [r for tb in document.tables for r in tb.rows if r.cells[0].text == names[code]]
        assert [r.cells[-1].text.splitlines() for r in rows] == [want[code]], code
    # ... and the section × department matrix marks ✗ exactly there: once per owed branch
    (matrix,) = [
        tb for tb in document.tables if tb.rows[0].cells[0].text == t("assemble.col_section", lang)
    ]
    codes = [c.text for c in matrix.rows[0].cells]
    for code in EXPECTED:
        column = codes.index(code)
        crossed = [r.cells[0].text for r in matrix.rows[1:] if r.cells[column].text == "✗"]
        assert crossed == want[code], code

    # 4. the Office mail
    lines = _mail_body(flow, "draft", None).splitlines()
    for code in EXPECTED:
        head = f"  - {names[code]} ({t('review.office_count', lang, count=len(EXPECTED[code]))}):"
        assert _bullets_after(lines, lines.index(head)) == want[code], code
