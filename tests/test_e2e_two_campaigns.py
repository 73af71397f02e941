"""Two campaigns open at once (issue 18): non-threaded replies land in their campaign by
what they say, through the real CLI and mail server; what cannot be told is held, and
``mailflow campaign`` settles it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from campaign_fixtures import PLAN, open_plan_campaign
from fixtures.e2e.build import DOCX, Section, mail, report_docx
from fixtures.e2e.flow import CAMPAIGN, Flow


@pytest.fixture
def flow(mail_env, tmp_path: Path) -> Flow:  # type: ignore[no-untyped-def]
    """The seed campaign's flow with a second campaign open, its own outline and deadline."""
    f = Flow.create(mail_env, tmp_path)
    open_plan_campaign(f, tmp_path, send=False)
    f.send_directives()
    return f


def _send(flow: Flow, local: str, subject: str, text: str, files=()) -> dict:  # type: ignore[no-untyped-def]
    env = flow.env
    flow.reply(
        env.addr(local), mail(env.addr(local), env.addr("baocao"), subject, text, attachments=files)
    )
    n = flow.query("SELECT COUNT(*) AS n FROM mails")[0]["n"]
    flow.poll(expect=n + 1)
    return flow.mail_row(env.addr(local))


def _seed_report(flow: Flow) -> bytes:
    o = flow.outline()
    return report_docx(
        [
            Section(o.section("1.2.1").title, ["Đã triển khai 12 nhiệm vụ KH&CN cấp tỉnh."]),
            Section("Những kết quả đạt được", ["Hoàn thành đúng tiến độ."]),
            Section("Những hạn chế, khuyết điểm", ["Giải ngân còn chậm."]),
        ]
    )


def test_fresh_reply_with_the_directive_subject_goes_to_the_six_month_campaign(flow: Flow) -> None:
    row = _send(
        flow,
        "qlkh",
        "Re: V/v chuẩn bị nội dung Hội nghị sơ kết 6 tháng đầu năm 2023",
        "Phòng QLKH gửi báo cáo.",
        [("Bao cao QLKH.docx", _seed_report(flow), DOCX)],
    )
    assert (row["kind"], row["campaign"]) == ("report", CAMPAIGN), row["reason"]
    assert row["reason"] == "intake.why.campaign_content"


def test_bare_subject_is_placed_by_its_documents_outline_headings(flow: Flow) -> None:
    row = _send(flow, "qlcn", "Báo cáo", "Gửi anh chị.", [("BC.docx", _seed_report(flow), DOCX)])
    assert (row["kind"], row["campaign"]) == ("report", CAMPAIGN), row["detail"]
    layers = json.loads(row["detail"])["campaign_layers"]
    assert layers["decided"] == CAMPAIGN and PLAN in layers["content"]


def test_forwarded_plan_report_goes_to_the_plan_campaign(flow: Flow) -> None:
    doc = report_docx(
        [
            Section("Danh mục nhiệm vụ KH&CN đề xuất đặt hàng năm 2024", ["03 nhiệm vụ."]),
            Section("Dự toán ngân sách sự nghiệp khoa học và công nghệ", ["2,1 tỷ đồng."]),
        ]
    )
    row = _send(
        flow,
        "khtc",
        "Fwd: gửi số liệu",
        "---------- Forwarded message ---------\nPhòng KHTC gửi số liệu.",
        [("KH 2024.docx", doc, DOCX)],
    )
    assert (row["kind"], row["campaign"]) == ("report", PLAN), row["reason"]


def test_a_mail_that_says_nothing_is_held_and_campaign_command_files_it(flow: Flow) -> None:
    row = _send(flow, "qlkh", "Gửi báo cáo", "Gửi anh chị.")
    assert (row["kind"], row["reason"]) == ("review", "intake.why.campaign_unknown")
    flow.run("campaign", str(row["id"]), PLAN)
    after = flow.query("SELECT kind, campaign, department FROM mails WHERE id = ?", [row["id"]])
    assert after[0] == {"kind": "report", "campaign": PLAN, "department": "QLKH"}
