"""One mail, two campaigns (issue 18): a department attaches its 6-month report and its
2024 plan to one fresh mail. Each document goes to its own campaign — its text in that
campaign's draft once and nowhere else — and each campaign's receipt says the mail was
split. Through the real CLI and mail server, two campaigns open."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import docx
import pytest
from campaign_fixtures import PLAN, open_plan_campaign
from fixtures.e2e.build import DOCX, Section, mail, report_docx
from fixtures.e2e.flow import CAMPAIGN, Flow

from mailflow import bootstrap
from mailflow.services.assemble import department_statuses

SIX_MONTH_TEXT = "Đã triển khai 12 nhiệm vụ KH&CN cấp tỉnh trong sáu tháng."
PLAN_TEXT = "Đề xuất đặt hàng 03 nhiệm vụ cấp tỉnh cho năm sau."


@pytest.fixture
def flow(mail_env, tmp_path: Path) -> Flow:  # type: ignore[no-untyped-def]
    f = Flow.create(mail_env, tmp_path)
    open_plan_campaign(f, tmp_path, send=False)
    f.send_directives()
    return f


def _six_month(flow: Flow) -> bytes:
    o = flow.outline()
    return report_docx(
        [
            Section(o.section("1.2.1").title, [SIX_MONTH_TEXT]),
            Section("Những kết quả đạt được", ["Hoàn thành đúng tiến độ."]),
            Section("Những hạn chế, khuyết điểm", ["Giải ngân còn chậm."]),
        ]
    )


def _plan() -> bytes:
    return report_docx(
        [
            Section("Danh mục nhiệm vụ khoa học và công nghệ đề xuất đặt hàng", [PLAN_TEXT]),
            Section("Kết quả thực hiện các nhiệm vụ khoa học và công nghệ cấp tỉnh", ["Xong."]),
        ]
    )


def _send(flow: Flow, files: list[tuple[str, bytes, str]]) -> dict:  # type: ignore[type-arg]
    env = flow.env
    sender = env.addr("qlkh")
    flow.reply(
        sender, mail(sender, env.addr("baocao"), "Báo cáo", "Gửi anh chị.", attachments=files)
    )
    n = flow.query("SELECT COUNT(*) AS n FROM mails")[0]["n"]
    flow.poll(expect=n + 1)
    return flow.mail_row(sender)


def _draft_text(flow: Flow, campaign: str, out: Path) -> str:
    flow.run("assemble", "--campaign", campaign, "--out", str(out), "--no-pdf")
    d = docx.Document(str(out))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_a_mail_with_one_report_per_campaign_is_split_by_document(
    flow: Flow, tmp_path: Path
) -> None:
    row = _send(
        flow, [("BC 6 thang.docx", _six_month(flow), DOCX), ("KH 2024.docx", _plan(), DOCX)]
    )
    assert (row["kind"], row["reason"]) == ("report", "intake.why.campaign_split"), row["detail"]
    docs = flow.query(
        "SELECT name, campaign FROM documents WHERE mail_id = ? ORDER BY ordinal", [row["id"]]
    )
    assert {d["name"]: d["campaign"] for d in docs} == {
        "BC 6 thang.docx": CAMPAIGN,
        "KH 2024.docx": PLAN,
    }, json.loads(row["detail"]).get("campaign_layers")
    six = _draft_text(flow, CAMPAIGN, tmp_path / "six.docx")
    plan = _draft_text(flow, PLAN, tmp_path / "plan.docx")
    assert six.count(SIX_MONTH_TEXT) == 1 and PLAN_TEXT not in six
    assert plan.count(PLAN_TEXT) == 1 and SIX_MONTH_TEXT not in plan


def test_each_campaigns_receipt_says_the_mail_was_split(flow: Flow) -> None:
    row = _send(
        flow, [("BC 6 thang.docx", _six_month(flow), DOCX), ("KH 2024.docx", _plan(), DOCX)]
    )
    sends = flow.query(
        "SELECT campaign, archive_path FROM sends WHERE kind = 'receipt' AND department = 'QLKH'"
    )
    assert sorted(s["campaign"] for s in sends) == sorted([CAMPAIGN, PLAN]), row["detail"]
    archive = bootstrap.build(flow.cfg).archive
    bodies = {}
    for s in sends:  # the exact bytes that go on the wire
        msg = email.message_from_bytes(archive.read(s["archive_path"]), policy=email.policy.default)
        bodies[s["campaign"]] = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert len(bodies) == 2
    assert "tách theo tài liệu" in bodies[PLAN], bodies[PLAN]
    assert "KH 2024.docx được xếp vào đợt này" in bodies[PLAN]
    assert f"BC 6 thang.docx được xếp vào đợt {CAMPAIGN}" in bodies[PLAN]
    assert "tách theo tài liệu" in bodies[CAMPAIGN], bodies[CAMPAIGN]
    assert "BC 6 thang.docx được xếp vào đợt này" in bodies[CAMPAIGN]
    assert f"KH 2024.docx được xếp vào đợt {PLAN}" in bodies[CAMPAIGN]


def test_one_campaign_mail_with_two_documents_is_not_split(flow: Flow) -> None:
    other = report_docx([Section("Những kết quả đạt được", ["Thêm số liệu."])])
    row = _send(flow, [("BC 6 thang.docx", _six_month(flow), DOCX), ("Phu luc.docx", other, DOCX)])
    assert (row["kind"], row["campaign"]) == ("report", CAMPAIGN), row["reason"]
    docs = flow.query("SELECT campaign FROM documents WHERE mail_id = ?", [row["id"]])
    assert [d["campaign"] for d in docs] == [None, None]


def test_a_split_mail_with_a_document_of_unclear_campaign_is_held_with_candidates(
    flow: Flow,
) -> None:
    o = flow.outline()
    both = report_docx(
        [
            Section(o.section("1.2.1").title, ["Số liệu chung."]),
            Section("Những hạn chế, khuyết điểm", ["Chậm."]),
            Section("Kết quả thực hiện các nhiệm vụ KH&CN cấp tỉnh", ["Xong."]),
            Section("Dự toán ngân sách sự nghiệp khoa học và công nghệ", ["2 tỷ."]),
        ]
    )
    row = _send(
        flow,
        [
            ("BC 6 thang.docx", _six_month(flow), DOCX),
            ("KH 2024.docx", _plan(), DOCX),
            ("Tong hop.docx", both, DOCX),
        ],
    )
    assert (row["kind"], row["reason"]) == ("review", "intake.why.campaign_split_unclear")
    params = json.loads(row["detail"])["reason_params"]
    assert params["documents"] == "Tong hop.docx" and "Tong hop.docx:" in params["evidence"]
    flow.run("campaign", str(row["id"]), PLAN)  # a person settles it: the whole mail
    after = flow.query("SELECT kind, campaign FROM mails WHERE id = ?", [row["id"]])
    assert after[0] == {"kind": "report", "campaign": PLAN}


def test_a_split_mail_counts_as_the_departments_report_in_both_campaigns(flow: Flow) -> None:
    _send(flow, [("BC 6 thang.docx", _six_month(flow), DOCX), ("KH 2024.docx", _plan(), DOCX)])
    cfg = flow.cfg
    store = bootstrap.build(cfg).store
    try:
        for campaign in (CAMPAIGN, PLAN):
            status = department_statuses(store, cfg, cfg.campaign(campaign))
            assert status["QLKH"].received_at is not None, campaign
    finally:
        store.close()
