"""The Office's reply commands and section names — pure, tested with literals."""

from __future__ import annotations

import pytest

from mailflow.core.identify import MailHeaders
from mailflow.core.review_reply import (
    Appendix,
    Place,
    Release,
    Restore,
    office_reply_kind,
    parse_command,
    parse_reply,
    reply_trusted,
)
from mailflow.core.sections import resolve_section, section_name
from mailflow.model import Outline, Section

OFFICE = ("vanphong@sokhcn.example",)
TRUSTED = ("mail.sokhcn.example",)
SENT = {"<draft-1@mailflow>": ("2023-h1", ""), "<directive@mailflow>": ("2023-h1", "QLKH")}


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("đặt 33 vào 2.1", Place(33, "2.1")),
        ("dat 33 vao 2.1", Place(33, "2.1")),
        ("Đặt phần 33 vào mục 2.1.", Place(33, "2.1.")),
        ("place 33 2.1", Place(33, "2.1")),
        ("- place #33 under Những kết quả", Place(33, "Những kết quả")),
        ("phụ lục 33", Appendix(33)),
        ("phu luc 33", Appendix(33)),
        ("appendix 33", Appendix(33)),
        ("đặt 33 vào phụ lục", Appendix(33)),
        ("nhận thư 9 của QLKH", Release(9, "QLKH")),
        ("nhan thu 9 cua qlkh", Release(9, "QLKH")),
        ("release 9 QLKH", Release(9, "QLKH")),
        ("khôi phục 41", Restore(41)),
        ("KHOI PHUC 41", Restore(41)),
        ("restore 41", Restore(41)),
    ],
)
def test_each_accepted_form_reads_as_its_command(line: str, command: object) -> None:
    assert parse_command(line) == command


@pytest.mark.parametrize(
    "line", ["đặt phần mười hai vào mục hai", "place 33", "release 9", "khôi phục", "Cảm ơn"]
)
def test_a_line_that_is_not_an_accepted_form_is_no_command(line: str) -> None:
    assert parse_command(line) is None


def test_quoted_text_and_signature_are_not_read_as_commands() -> None:
    body = (
        "đặt 3 vào 2.1\nblah\n\nTrân trọng,\nChánh Văn phòng\n\n"
        "Vào ngày 1/7/2023, mailflow đã viết:\n> đặt 33 vào 2.1\n> phụ lục 7\n"
    )
    reply = parse_reply(body)
    assert [c for _, c in reply.commands] == [Place(3, "2.1")]
    assert reply.unreadable == ("blah",)


def _h(
    auth: str = "", sender: str = OFFICE[0], in_reply_to: str = "<draft-1@mailflow>"
) -> MailHeaders:
    trace = (("authentication-results", auth),) if auth else ()
    return MailHeaders(from_addr=sender, in_reply_to=in_reply_to, trace=trace)


PASS = "mail.sokhcn.example; dmarc=pass header.from=sokhcn.example"
FAIL = "mail.sokhcn.example; dmarc=fail header.from=sokhcn.example"


def test_an_authenticated_office_reply_to_a_draft_is_an_office_reply() -> None:
    got = office_reply_kind(_h(PASS), "report", "", SENT, OFFICE, TRUSTED, False)
    assert got is not None and got[:3] == ("office-reply", "2023-h1", "reply.why.office_reply")


def test_an_office_reply_failing_authentication_is_held_even_with_the_demo_switch() -> None:
    got = office_reply_kind(
        _h(FAIL), "quarantined", "intake.why.auth_fail", SENT, OFFICE, TRUSTED, True
    )
    assert got is not None and got[0] == "review" and got[2] == "reply.why.auth_fail"


def test_an_unauthenticated_office_reply_is_held_unless_the_demo_switch_is_on() -> None:
    assert reply_trusted(_h(), OFFICE, TRUSTED, False) == "reply.why.auth_missing"
    assert reply_trusted(_h(), OFFICE, TRUSTED, True) is None


def test_a_pass_from_a_server_we_do_not_trust_does_not_count() -> None:
    other = "mx.evil.test; dmarc=pass header.from=sokhcn.example"
    assert reply_trusted(_h(other), OFFICE, TRUSTED, False) == "reply.why.auth_missing"


def test_an_office_mail_answering_a_directive_stays_what_identify_said() -> None:
    h = _h(PASS, in_reply_to="<directive@mailflow>")
    assert office_reply_kind(h, "report", "", SENT, OFFICE, TRUSTED, False) is None


def test_an_auto_reply_from_the_office_is_never_read_as_commands() -> None:
    assert office_reply_kind(_h(PASS), "auto-reply", "", SENT, OFFICE, TRUSTED, False) is None


def test_a_department_answering_a_draft_is_not_an_office_reply() -> None:
    h = _h(PASS, sender="qlkh@sokhcn.example")
    assert office_reply_kind(h, "report", "", SENT, OFFICE, TRUSTED, False) is None


# --- section names ----------------------------------------------------------------------

OUTLINE = Outline(
    "Báo cáo",
    sections=(
        Section("1", "I", 2, "Kết quả"),
        Section("1.1", "1", 3, "Những kết quả đạt được", parent="1"),
        Section("1.2", "2", 3, "Hạn chế", parent="1"),
        Section("2", "II", 2, "Nhiệm vụ"),
        Section("2.1", "1", 3, "Nhiệm vụ trọng tâm", parent="2"),
        Section("2.2", "2.1", 4, "Những kết quả khác", parent="2"),
        Section("2.3", "-", 5, "Kết quả triển khai văn bản", parent="2"),
    ),
)


def test_a_section_is_named_by_its_outline_number_and_title() -> None:
    assert section_name(OUTLINE, OUTLINE.section("2.2")) == "2.1. Những kết quả khác"


def test_a_number_used_under_several_parents_carries_its_parents_number() -> None:
    assert section_name(OUTLINE, OUTLINE.section("1.1")) == "I.1. Những kết quả đạt được"
    assert section_name(OUTLINE, OUTLINE.section("2.1")) == "II.1. Nhiệm vụ trọng tâm"


def test_a_typed_number_key_or_unique_title_prefix_resolves_to_one_section() -> None:
    assert resolve_section(OUTLINE, "2.1").section == OUTLINE.section("2.2")
    assert resolve_section(OUTLINE, "II.1").section == OUTLINE.section("2.1")
    assert resolve_section(OUTLINE, "1.2").section == OUTLINE.section("1.2")  # the key
    assert resolve_section(OUTLINE, "nhung ket qua dat").section == OUTLINE.section("1.1")


def test_an_ambiguous_reference_is_refused_with_the_candidates() -> None:
    found = resolve_section(OUTLINE, "1")
    assert found.section is None and found.ambiguous
    assert {s.key for s in found.candidates} == {"1.1", "2.1"}
    assert resolve_section(OUTLINE, "Những kết quả").ambiguous
