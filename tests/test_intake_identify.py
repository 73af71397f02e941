"""identify(): campaign, department and kind from headers — pure, tested with literals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mailflow.core.identify import (
    DsnRecipient,
    KnownState,
    MailHeaders,
    OpenCampaign,
    identify,
    may_auto_answer,
    strip_subject_prefixes,
)
from mailflow.model import MailKind

KNOWN = KnownState(
    sent={"<send-qlkh@mailflow>": ("2023-h1", "QLKH")},
    addresses={"qlkh@sokhcn.example": "QLKH", "tdc@sokhcn.example": "TDC"},
    aliases={"phòng qlkh": "QLKH"},
    campaigns=(OpenCampaign("2023-h1", "2023-H1"),),
    trusted_authserv_ids=("mail.sokhcn.example",),
    own_addresses=("baocao@sokhcn.example",),
)
TWO_OPEN = KnownState(
    addresses=KNOWN.addresses,
    campaigns=(OpenCampaign("2023-h1", "2023-H1"), OpenCampaign("2023-y", "2023-NAM")),
)
WHEN = datetime(2023, 7, 10, 2, 0, tzinfo=UTC)


def mail(**kw: object) -> MailHeaders:
    headers = kw.pop("headers", {})
    base: dict[str, object] = {
        "message_id": "<r1@sokhcn.example>",
        "from_addr": "qlkh@sokhcn.example",
        "from_name": "Phòng QLKH",
        "subject": "Báo cáo",
        "date": WHEN,
        "attachment_count": 1,
    }
    base.update(kw)
    return MailHeaders(headers={k.lower(): tuple(v) for k, v in headers.items()}, **base)  # type: ignore[arg-type]


def test_reply_to_our_send_is_a_report_of_that_campaign() -> None:
    got = identify(mail(in_reply_to="<send-qlkh@mailflow>"), KNOWN)
    assert (got.kind, got.campaign, got.department) == (MailKind.REPORT, "2023-h1", "QLKH")
    assert got.reason == "intake.why.campaign_reply"


def test_references_find_our_send_when_in_reply_to_is_missing() -> None:
    known = KnownState(**{**KNOWN.__dict__, "campaigns": TWO_OPEN.campaigns})
    got = identify(mail(references=("<other@x>", "<send-qlkh@mailflow>")), known)
    assert (got.kind, got.campaign) == (MailKind.REPORT, "2023-h1")


@pytest.mark.parametrize(
    "subject",
    [
        "Re: [2023-H1] Báo cáo",
        "TL: Fwd: [2023-h1] báo cáo",
        "Trả lời: Chuyển tiếp: 2023-H1 BC",
        "RE: bao cao 2023 H1",
        "Fwd: Báo cáo sơ kết (2023-H1)",
    ],
)
def test_subject_token_finds_the_campaign_among_several(subject: str) -> None:
    got = identify(mail(subject=subject), TWO_OPEN)
    assert (got.kind, got.campaign, got.reason) == (
        MailKind.REPORT,
        "2023-h1",
        "intake.why.campaign_token",
    )


def test_token_must_not_match_inside_a_longer_token() -> None:
    got = identify(mail(subject="[2023-H12] Báo cáo"), TWO_OPEN)
    assert (got.kind, got.campaign) == (MailKind.REVIEW, None)


def test_the_only_open_campaign_is_taken_when_nothing_else_says() -> None:
    got = identify(mail(subject="Báo cáo"), KNOWN)
    assert (got.campaign, got.reason) == ("2023-h1", "intake.why.campaign_only_open")


def test_several_open_campaigns_and_no_clue_go_to_review() -> None:
    got = identify(mail(subject="Báo cáo"), TWO_OPEN)
    assert (got.kind, got.reason) == (MailKind.REVIEW, "intake.why.campaign_unknown")


def test_unknown_sender_goes_to_review_with_the_sends_department_as_a_hint() -> None:
    got = identify(
        mail(
            from_addr="nguyenvana@gmail.com",
            from_name="Nguyễn Văn A",
            in_reply_to="<send-qlkh@mailflow>",
        ),
        KNOWN,
    )
    assert (got.kind, got.campaign, got.department) == (MailKind.REVIEW, "2023-h1", "QLKH")
    assert got.reason == "intake.why.unknown_sender"


def test_display_name_alias_alone_is_not_trusted() -> None:
    got = identify(mail(from_addr="someone@gmail.com", from_name="Phòng  QLKH"), KNOWN)
    assert (got.kind, got.department, got.reason) == (
        MailKind.REVIEW,
        "QLKH",
        "intake.why.alias_only",
    )


def test_loop_header_marks_our_own_mail() -> None:
    got = identify(mail(headers={"X-Mailflow-Id": ["2023-h1/directive/QLKH"]}), KNOWN)
    assert (got.kind, got.campaign) == (MailKind.OWN, "2023-h1")


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": ["auto-replied"]},
        {"X-Autoreply": ["yes"]},
        {"X-Autorespond": ["1"]},
        {"Precedence": ["auto_reply"]},
    ],
)
def test_auto_reply_headers(headers: dict[str, list[str]]) -> None:
    assert identify(mail(headers=headers), KNOWN).kind == MailKind.AUTO_REPLY


@pytest.mark.parametrize(
    "headers",
    [{"Precedence": ["bulk"]}, {"Precedence": ["junk"]}, {"X-Auto-Response-Suppress": ["All"]}],
)
def test_weak_auto_reply_headers_count_only_without_attachments(
    headers: dict[str, list[str]],
) -> None:
    assert identify(mail(headers=headers, attachment_count=0), KNOWN).kind == MailKind.AUTO_REPLY
    assert identify(mail(headers=headers, attachment_count=1), KNOWN).kind == MailKind.REPORT


def test_auto_submitted_no_is_a_person() -> None:
    assert identify(mail(headers={"Auto-Submitted": ["no"]}), KNOWN).kind == MailKind.REPORT


@pytest.mark.parametrize(
    ("subject", "body", "back"),
    [
        (
            "Trả lời tự động: [2023-H1] Công văn",
            "Tôi vắng mặt đến ngày 25/7/2023.",
            date(2023, 7, 25),
        ),
        (
            "Vắng mặt: Công văn",
            "Tôi nghỉ phép, sẽ trở lại làm việc vào ngày 24/07.",
            date(2023, 7, 24),
        ),
        ("Out of Office: Directive", "I am out of the office until July 25.", date(2023, 7, 25)),
        ("Automatic reply: Directive", "Back on Monday, 24 July 2023.", date(2023, 7, 24)),
        ("Autoreply", "Away.", None),
    ],
)
def test_auto_reply_subjects_keep_the_return_date(
    subject: str, body: str, back: date | None
) -> None:
    got = identify(mail(subject=subject, body_text=body, attachment_count=0), KNOWN)
    assert (got.kind, got.return_date) == (MailKind.AUTO_REPLY, back)


def test_dsn_bounce_names_recipient_status_and_original_send() -> None:
    got = identify(
        mail(
            from_addr="mailer-daemon@mail.sokhcn.example",
            from_name="Mail Delivery System",
            subject="Undelivered Mail Returned to Sender",
            content_type="multipart/report",
            report_type="delivery-status",
            returned_message_id="<send-qlkh@mailflow>",
            dsn=(
                DsnRecipient(
                    "qlkh@sokhcn.example", "failed", "5.1.1", "smtp; 550 5.1.1 User unknown"
                ),
            ),
        ),
        KNOWN,
    )
    assert (got.kind, got.campaign, got.department) == (MailKind.BOUNCE, "2023-h1", "QLKH")
    assert got.bounce is not None
    assert (
        got.bounce.original_message_id,
        got.bounce.recipient,
        got.bounce.status,
        got.bounce.failed,
    ) == ("<send-qlkh@mailflow>", "qlkh@sokhcn.example", "5.1.1", True)


def test_delayed_dsn_is_a_bounce_that_did_not_fail() -> None:
    got = identify(
        mail(
            from_addr="mailer-daemon@x.example",
            report_type="delivery-status",
            dsn=(DsnRecipient("tdc@sokhcn.example", "delayed", "4.4.1"),),
        ),
        KNOWN,
    )
    assert got.kind == MailKind.BOUNCE and got.bounce is not None and not got.bounce.failed
    assert got.department == "TDC"


def test_plain_text_mta_bounce_yields_recipient_and_message_id() -> None:
    body = (
        "This is the mail system at host mail.sokhcn.example.\n\n"
        "I'm sorry to have to inform you that your message could not\nbe delivered.\n\n"
        "<tdc@sokhcn.example>: host mx.sokhcn.example said: 550 5.1.1 <tdc@sokhcn.example>:"
        " Recipient address rejected: User unknown\n\n"
        "--- Below this line is a copy of the message.\n\nFrom: baocao@sokhcn.example\n"
        "Message-ID: <send-tdc@mailflow>\nSubject: [2023-H1] Cong van\n"
    )
    got = identify(
        mail(
            from_addr="postmaster@mail.sokhcn.example",
            from_name="",
            subject="failure notice",
            body_text=body,
            attachment_count=0,
        ),
        KNOWN,
    )
    assert got.kind == MailKind.BOUNCE and got.bounce is not None
    assert (got.bounce.recipient, got.bounce.original_message_id, got.bounce.status) == (
        "tdc@sokhcn.example",
        "<send-tdc@mailflow>",
        "5.1.1",
    )
    assert got.department == "TDC"


def test_mailing_list_is_ignored() -> None:
    got = identify(
        mail(from_addr="news@example.org", headers={"List-Id": ["<x.example.org>"]}), KNOWN
    )
    assert (got.kind, got.reason) == (MailKind.IGNORED, "intake.why.mailing_list")


def _ar(value: str) -> dict[str, list[str]]:
    return {"Authentication-Results": [value]}


@pytest.mark.parametrize("result", ["dmarc=fail (p=none)", "spf=fail smtp.mailfrom=x"])
def test_department_address_failing_our_servers_check_is_quarantined(result: str) -> None:
    got = identify(mail(headers=_ar(f"mail.sokhcn.example; {result}")), KNOWN)
    assert (got.kind, got.reason) == (MailKind.QUARANTINED, "intake.why.auth_fail")


def test_authentication_results_of_other_servers_are_ignored() -> None:
    got = identify(mail(headers=_ar("evil.example; dmarc=fail; spf=fail")), KNOWN)
    assert got.kind == MailKind.REPORT


def test_no_authentication_results_is_not_a_failure() -> None:
    assert identify(mail(), KNOWN).kind == MailKind.REPORT


def test_strict_mode_requires_a_pass_from_our_server() -> None:
    strict = KnownState(**{**KNOWN.__dict__, "require_auth_pass": True})
    assert identify(mail(), strict).kind == MailKind.QUARANTINED
    passed = mail(
        headers=_ar("mail.sokhcn.example; spf=pass; dmarc=pass header.from=sokhcn.example")
    )
    assert identify(passed, strict).kind == MailKind.REPORT


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, True),
        ({"headers": {"Auto-Submitted": ["auto-replied"]}}, False),
        ({"headers": {"List-Unsubscribe": ["<mailto:x>"]}}, False),
        ({"headers": {"Precedence": ["bulk"]}}, False),
        ({"headers": {"Return-Path": ["<>"]}}, False),
        ({"from_addr": "mailer-daemon@x.example"}, False),
        ({"report_type": "delivery-status"}, False),
        ({"subject": "Automatic reply: x"}, False),
        ({"headers": {"X-Mailflow-Id": ["a/b/c"]}}, False),
    ],
)
def test_may_auto_answer_follows_rfc_3834(kw: dict[str, object], expected: bool) -> None:
    assert may_auto_answer(mail(**kw)) is expected


def test_subject_prefixes_in_both_languages_are_stripped() -> None:
    assert strip_subject_prefixes("Re: TL: Fwd: Trả lời: Chuyển tiếp: RE[2]: X") == "X"


def test_an_oversized_mail_is_held_for_a_person() -> None:
    from mailflow.adapters import mail_parse

    h = mail_parse.mail_headers(mail_parse.parse(b"Subject: x\r\n\r\n" + b"y" * 100, max_bytes=50))
    assert identify(h, KnownState()).kind is MailKind.QUARANTINED
