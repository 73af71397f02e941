"""The pure send plan: who gets which directive, with which sections and reminders."""

from __future__ import annotations

from datetime import date

from mailflow.core.send_plan import outbox_key, plan_directive, reminder_dates
from mailflow.model import Campaign, Department, Outline, Section

DEPS = (
    Department("VP", "Văn phòng", ("vanphong@s.example",)),
    Department("QLKH", "Phòng Quản lý khoa học", ("qlkh@s.example", "qlkh2@s.example")),
    Department("KHTC", "Phòng Kế hoạch tài chính", ("khtc@s.example",)),
)
CAMPAIGN = Campaign(
    id="2023-h1",
    title="Sơ kết",
    outline="o.docx",
    directive="d.docx",
    deadline=date(2023, 7, 21),
    token="2023-H1",
    reminder_days=(0, -3, -1, -3),
)
OUTLINE = Outline(
    title="Đề cương",
    sections=(
        Section("1", "I", 2, "Tình hình", assignees=("VP",)),
        Section("2", "II", 2, "Kết quả", assignees=("QLKH",)),
        Section("2.1", "1", 3, "Kết quả khoa học", assignees=("QLKH",), parent="2"),
        Section("2.2", "2", 3, "Riêng mục này", assignees=("QLKH", "VP"), parent="2"),
    ),
)


def test_every_department_of_the_campaign_gets_a_directive() -> None:
    plan = plan_directive(CAMPAIGN, DEPS, OUTLINE)
    assert [i.department.code for i in plan.items] == ["VP", "QLKH", "KHTC"]


def test_a_department_without_sections_is_still_planned_and_flagged() -> None:
    plan = plan_directive(CAMPAIGN, DEPS, OUTLINE)
    khtc = plan.items[2]
    assert khtc.sections == ()
    assert plan.without_sections == ("KHTC",)


def test_sections_are_the_top_most_ones_a_department_writes() -> None:
    plan = plan_directive(CAMPAIGN, DEPS, OUTLINE)
    assert plan.items[0].section_keys == ("1", "2.2")  # 2.2 alone: VP does not write 2
    assert plan.items[1].section_keys == ("2",)  # 2.1 and 2.2 are covered by 2


def test_recipients_are_all_of_the_department_addresses() -> None:
    assert plan_directive(CAMPAIGN, DEPS, OUTLINE).items[1].recipients == (
        "qlkh@s.example",
        "qlkh2@s.example",
    )


def test_dedupe_key_is_kind_campaign_code() -> None:
    assert outbox_key("2023-h1", "QLKH") == "directive:2023-h1:QLKH"
    assert plan_directive(CAMPAIGN, DEPS, OUTLINE).items[1].dedupe_key == "directive:2023-h1:QLKH"


def test_reminder_dates_are_relative_to_the_deadline_sorted_and_unique() -> None:
    assert reminder_dates(date(2023, 7, 21), (0, -3, -1, -3)) == (
        date(2023, 7, 18),
        date(2023, 7, 20),
        date(2023, 7, 21),
    )


def test_attachment_names_carry_token_and_code_in_the_mail_language() -> None:
    vi = plan_directive(CAMPAIGN, DEPS, OUTLINE, "vi").items[1].attachments
    en = plan_directive(CAMPAIGN, DEPS, OUTLINE, "en").items[1].attachments
    assert [a.filename for a in vi] == [
        "Công văn 2023-H1 - QLKH.docx",
        "Đề cương 2023-H1 - QLKH.docx",
    ]
    assert [a.filename for a in en] == [
        "Directive 2023-H1 - QLKH.docx",
        "Outline 2023-H1 - QLKH.docx",
    ]
    assert [a.role for a in vi] == ["directive", "outline"]
