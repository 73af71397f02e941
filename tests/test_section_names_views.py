"""Issue 12 item 1: status, the review table, receipts, the draft appendix and history
name sections as the outline does ("2.1. Những kết quả đạt được"), never by the
internal key ("1.2.2.1")."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path

import docx
import pytest
from fixtures.e2e.build import DOCX, Section, report_docx
from fixtures.e2e.flow import CAMPAIGN
from test_review_cli import Offline

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow.core.sections import name_of_key

#: an internal key of the test outline: three or four dotted numbers starting "1.2."
KEY = re.compile(r"(?<![\d.])1\.2\.\d(?:\.\d)?(?![\d.])")
RESULTS = "2.1. Những kết quả đạt được"  # key 1.2.2.1
LIMITS = "2.2. Những hạn chế, khuyết điểm"  # key 1.2.2.2


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


def _uncertain(flow: Offline, part_id: int) -> None:
    store = flow.store()
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO placements (part_id, section_key, score, status, candidates, "
            "decided_by, created_at) VALUES (?, NULL, 51.0, 'review', ?, 'mailflow', "
            "'2030-01-01T00:00:00')",
            [part_id, json.dumps([["1.2.2.1", 51.0], ["1.2.2.2", 47.5]])],
        )
    store.close()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_status_names_missing_sections_by_the_outline_number(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4", "1.2.2.1")
    out = _flat(flow.run("status", "--campaign", CAMPAIGN).output)
    assert LIMITS in out and RESULTS in out
    assert KEY.findall(out) == []


def test_the_demo_grid_names_missing_sections_by_the_outline_number(flow: Offline) -> None:
    from mailflow.demo import grid_of
    from mailflow.services.assemble import gather_plan

    _report(flow, "tdc", "1.2.1.4", "1.2.2.1")
    app = bootstrap.build(flow.cfg)
    plan = gather_plan(flow.cfg, app.store, app.archive, flow.cfg.campaigns[0], app.clock.now())
    app.close()
    missing = [name for row in grid_of(plan) for name in row["missing"]]
    assert LIMITS in missing and KEY.findall(" ".join(missing)) == []


def test_the_review_table_names_candidates_by_the_outline_number(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    part = flow.current("TDC")[0]["id"]
    _uncertain(flow, part)
    out = _flat(flow.run("review", "--campaign", CAMPAIGN).output)
    assert RESULTS[:20] in out and LIMITS[:20] in out
    assert KEY.findall(out) == []


def test_the_receipt_names_received_and_missing_sections_by_the_outline_number(
    flow: Offline,
) -> None:
    _report(flow, "tdc", "1.2.1.4", "1.2.2.1")
    row = flow.query("SELECT archive_path FROM sends WHERE kind = 'receipt'")[0]
    raw = bootstrap.build(flow.cfg).archive.read(row["archive_path"])
    body = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert f"• {RESULTS}" in text and f"• {LIMITS}" in text
    # a "-" item is named with its parent's number: "1 › - Kết quả hỗ trợ…"
    assert f"• {name_of_key(flow.outline(), '1.2.1.5', '')}" in text
    assert "• 1 › - " in text
    assert KEY.findall(text) == []


def test_the_draft_appendix_names_sections_by_the_outline_number(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4", "1.2.2.1")
    out = flow.config_path.parent / "d.docx"
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out))
    document = docx.Document(str(out))
    firsts = [r.cells[0].text for table in document.tables for r in table.rows]
    assert RESULTS in firsts and LIMITS in firsts
    assert name_of_key(flow.outline(), "1.2.1.5", "") in firsts
    assert KEY.findall("\n".join(firsts)) == []


def test_history_names_the_section_a_person_chose_by_the_outline_number(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    part = flow.current("TDC")[0]["id"]
    _uncertain(flow, part)
    flow.run("place", str(part), "2.2")
    out = _flat(flow.run("history", "--campaign", CAMPAIGN).output)
    assert LIMITS[:20] in out
    assert KEY.findall(out) == []
