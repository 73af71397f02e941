"""Pure reminder decisions over simulated days: no clock, no I/O, plain values."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from mailflow.core.due import Away, missing_sections, reminder_days, reminders_due
from mailflow.model import Campaign, Department, Outline, Section

DEADLINE = date(2023, 7, 21)
CAMPAIGN = Campaign(
    id="2023-h1",
    title="Sơ kết",
    outline="o.docx",
    directive="d.docx",
    deadline=DEADLINE,
    token="2023-H1",
    reminder_days=(-3, -1, 0),
)
OUTLINE = Outline(
    title="Đề cương",
    sections=(
        Section("1", "Phần thứ nhất", 1, "Kết quả"),
        Section("1.1", "I", 2, "Quản lý khoa học", assignees=("QLKH",), parent="1"),
        Section("1.1.1", "1", 3, "Đề tài", assignees=("QLKH",), parent="1.1"),
        Section("1.1.2", "2", 3, "Sáng kiến", assignees=("QLKH",), parent="1.1"),
        Section("1.2", "II", 2, "Công nghệ", assignees=("QLCN",), parent="1"),
        Section("1.3", "III", 2, "Tài chính", assignees=("KHTC",), parent="1"),
        Section("1.4", "IV", 2, "Tiêu chuẩn", assignees=("TDC", "KHTC"), parent="1"),
    ),
)
QLKH = Department("QLKH", "Phòng QLKH", ("qlkh@x.vn",), head_emails=("truong.qlkh@x.vn",))
QLCN = Department("QLCN", "Phòng QLCN", ("qlcn@x.vn",))
KHTC = Department("KHTC", "Phòng KHTC", ("khtc@x.vn",), deputy_emails=("pho.khtc@x.vn",))
TDC = Department("TDC", "Phòng TĐC", ("tdc@x.vn",))
DEPARTMENTS = (QLKH, QLCN, KHTC, TDC)
SENT = {d.code: datetime(2023, 7, 10, 9, 0) for d in DEPARTMENTS}


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2023, 7, day, hour, 0)


def due(now: datetime, **kw):  # type: ignore[no-untyped-def]
    args = dict(
        now=now,
        campaign=CAMPAIGN,
        outline=OUTLINE,
        departments=DEPARTMENTS,
        sent_directives=SENT,
        received_sections={},
        reminders_sent={},
        away={},
    )
    args.update(kw)
    return reminders_due(**args)


def codes(dues) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(d.department for d in dues)


def test_reminder_days_are_the_offsets_then_every_overdue_day() -> None:
    days = reminder_days(CAMPAIGN, date(2023, 7, 11), date(2023, 7, 24))
    assert days == [date(2023, 7, d) for d in (18, 20, 21, 22, 23, 24)]


def test_no_reminder_on_an_ordinary_day_before_the_deadline() -> None:
    assert due(at(15)) == []
    assert due(at(19)) == []


def test_three_days_before_every_department_with_missing_sections_is_reminded() -> None:
    dues = due(at(18))
    assert codes(dues) == ["KHTC", "QLCN", "QLKH", "TDC"]
    assert {d.reason for d in dues} == {"before"}
    assert all(d.action == "remind" and d.campaign == "2023-h1" for d in dues)


def test_the_deadline_day_reminder_says_deadline() -> None:
    assert {d.reason for d in due(at(21))} == {"deadline"}


def test_overdue_reminders_go_every_day_after_the_deadline() -> None:
    for day in (22, 23, 24, 25):
        dues = due(at(day))
        assert codes(dues) == ["KHTC", "QLCN", "QLKH", "TDC"], day
        assert {d.reason for d in dues} == {"overdue"}


def test_custom_offsets_are_followed() -> None:
    campaign = Campaign(**{**CAMPAIGN.__dict__, "reminder_days": (-5, -2)})
    assert due(at(16), campaign=campaign) != []
    assert due(at(19), campaign=campaign) != []
    assert due(at(18), campaign=campaign) == []
    assert due(at(21), campaign=campaign) == []


def test_not_before_the_morning_hour() -> None:
    assert due(at(18, hour=7)) == []
    assert due(at(18, hour=8)) != []


def test_the_reminder_names_the_highest_sections_still_missing() -> None:
    dues = {d.department: d for d in due(at(18), received_sections={"QLKH": {"1.1.1"}})}
    # the draft's rule (core.missing): 1.1.1 written leaves its sibling 1.1.2 owed;
    # nothing written names the branch once, at its top (1.1, not 1.1.1 and 1.1.2)
    assert dues["QLKH"].detail == ("1.1.2",)
    assert dues["KHTC"].detail == ("1.3", "1.4")
    assert missing_sections(OUTLINE, "QLKH", ()) == ("1.1",)
    assert missing_sections(OUTLINE, "QLKH", {"1.1.1", "1.1.2"}) == ()
    assert missing_sections(OUTLINE, "KHTC", {"1.3"}) == ("1.4",)


def test_a_department_that_wrote_part_of_its_sections_is_reminded_of_the_rest() -> None:
    dues = due(at(18), received_sections={"KHTC": {"1.3"}})
    khtc = next(d for d in dues if d.department == "KHTC")
    assert khtc.detail == ("1.4",)


def test_none_after_the_department_submitted_its_sections() -> None:
    received = {"QLKH": {"1.1.1", "1.1.2"}, "QLCN": {"1.2"}}
    for day in (18, 20, 21, 22, 23):
        assert codes(due(at(day), received_sections=received)) == ["KHTC", "TDC"]


def test_no_reminder_without_a_directive_or_on_the_day_it_went() -> None:
    sent = {"QLKH": at(18, 8), "QLCN": at(10)}
    assert codes(due(at(18), sent_directives=sent)) == ["QLCN"]
    assert codes(due(at(20), sent_directives=sent)) == ["QLCN", "QLKH"]


def test_recipients_are_the_department_addresses() -> None:
    dues = {d.department: d for d in due(at(20))}
    assert dues["QLCN"].recipients == ("qlcn@x.vn",)
    assert dues["QLCN"].cc == ()


def test_escalation_copies_the_head_only_after_the_deadline() -> None:
    assert {d.department: d.cc for d in due(at(21))}["QLKH"] == ()
    overdue = {d.department: d for d in due(at(22))}
    assert overdue["QLKH"].recipients == ("qlkh@x.vn",)
    assert overdue["QLKH"].cc == ("truong.qlkh@x.vn",)
    assert overdue["QLCN"].cc == ()


def test_postponed_while_away_without_a_deputy() -> None:
    away = {"QLCN": Away(since=at(17, 10), until=date(2023, 7, 21))}
    assert "QLCN" not in codes(due(at(18), away=away))
    assert "QLCN" not in codes(due(at(20), away=away))
    assert "QLCN" in codes(due(at(21), away=away))


def test_the_postponed_reminder_goes_once_on_the_day_the_person_is_back() -> None:
    away = {"QLCN": Away(since=at(17, 10), until=date(2023, 7, 19))}
    back = due(at(19), away=away)
    assert codes(back) == ["QLCN"]
    assert back[0].reason == "postponed"
    sent = {"QLCN": [at(19, 9)]}
    assert due(at(19, 15), away=away, reminders_sent=sent) == []


def test_no_catch_up_when_nothing_was_missed_while_away() -> None:
    away = {"QLCN": Away(since=at(11, 10), until=date(2023, 7, 13))}
    assert due(at(13), away=away) == []
    assert due(at(14), away=away) == []


def test_while_away_the_deputy_gets_the_reminder() -> None:
    away = {"KHTC": Away(since=at(17, 10), until=date(2023, 7, 25))}
    khtc = next(d for d in due(at(18), away=away) if d.department == "KHTC")
    assert khtc.recipients == ("pho.khtc@x.vn",)
    back = next(d for d in due(at(25), away=away) if d.department == "KHTC")
    assert back.recipients == ("khtc@x.vn",)


def test_an_out_of_office_without_a_date_postpones_for_a_short_while() -> None:
    away = {"QLCN": Away(since=at(17, 10))}
    assert "QLCN" not in codes(due(at(18), away=away))
    assert "QLCN" in codes(due(at(20), away=away))


def test_at_most_the_configured_number_per_department_per_day() -> None:
    sent = {"QLCN": [at(22, 8)]}
    assert "QLCN" not in codes(due(at(22, 12), reminders_sent=sent))
    assert "QLCN" in codes(due(at(22, 12), reminders_sent=sent, per_day=2))
    assert due(at(22), per_day=0) == []


def test_yesterdays_reminder_does_not_count_against_today() -> None:
    sent = {"QLCN": [at(21, 8)]}
    assert "QLCN" in codes(due(at(22), reminders_sent=sent))


def test_a_reply_waiting_for_review_holds_reminders_back() -> None:
    assert "QLCN" not in codes(due(at(20), pending_review={"QLCN"}))


def test_only_the_campaigns_departments_are_reminded() -> None:
    campaign = Campaign(**{**CAMPAIGN.__dict__, "departments": ("QLCN",)})
    assert codes(due(at(20), campaign=campaign)) == ["QLCN"]


def test_a_simulated_campaign_reminds_on_the_right_days_only() -> None:
    """Ten days: QLCN replies on the 19th, so it gets only the reminder of the 18th."""
    log: dict[str, list[date]] = {}
    received: dict[str, set[str]] = {}
    sent: dict[str, list[datetime]] = {}
    now = at(12, 0)
    while now < at(24, 0):
        if now.date() == date(2023, 7, 19):
            received["QLCN"] = {"1.2"}
        for d in due(now, received_sections=received, reminders_sent=sent):
            log.setdefault(d.department, []).append(now.date())
            sent.setdefault(d.department, []).append(now)
        now += timedelta(hours=1)
    days = [date(2023, 7, d) for d in (18, 20, 21, 22, 23)]
    assert log["QLCN"] == [date(2023, 7, 18)]
    assert log["QLKH"] == days
    assert log["TDC"] == days
