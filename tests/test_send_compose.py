"""The bytes of outgoing mail: our headers, both bodies, Vietnamese attachment names."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from send_support import parse

from mailflow.adapters.mail_build import (
    LOOP_HEADER,
    Attachment,
    Outgoing,
    compose,
    loop_id,
    new_message_id,
)

WHEN = datetime(2023, 7, 10, 8, 30, tzinfo=UTC)
NAME = "Đề cương 2023-H1 - Phòng Quản lý công nghệ và Đổi mới sáng tạo (bản đánh dấu).docx"


def _mail(**changes: object) -> Outgoing:
    base = Outgoing(
        from_addr="baocao@sokhcn.example",
        from_name="Văn phòng Sở Khoa học và Công nghệ (KH&CN)",
        to=("qlkh@sokhcn.example",),
        subject="[2023-H1] Đề nghị báo cáo: Sơ kết 6 tháng đầu năm 2023",
        text="Kính gửi: Phòng Quản lý khoa học,\nHạn: 21/07/2023.",
        html="<p>Kính gửi: <strong>Phòng Quản lý khoa học</strong></p>",
        attachments=(Attachment(NAME, b"PK\x03\x04 not really a docx"),),
        loop_id=loop_id("2023-h1", "directive", "directive:2023-h1:QLKH"),
    )
    return Outgoing(**{**base.__dict__, **changes})


def test_lines_end_in_crlf_as_on_the_wire() -> None:
    data = compose(_mail(), new_message_id("baocao@sokhcn.example"), WHEN)
    assert b"\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_message_id_is_ours_in_the_mailbox_domain_and_unique() -> None:
    ids = {new_message_id("baocao@sokhcn.example") for _ in range(200)}
    assert len(ids) == 200
    mid = next(iter(ids))
    msg = parse(compose(_mail(), mid, WHEN))
    assert msg["Message-ID"] == mid
    assert mid.endswith("@sokhcn.example>")


def test_reply_to_and_from_are_the_mailbox_with_the_office_name() -> None:
    raw = compose(_mail(), "<a@sokhcn.example>", WHEN)
    msg = parse(raw)
    office = "Văn phòng Sở Khoa học và Công nghệ (KH&CN)"
    for name in ("From", "Reply-To"):
        assert msg[name].addresses[0].addr_spec == "baocao@sokhcn.example"
        assert _rfc2047(email.message_from_bytes(raw)[name]) == f"{office} <baocao@sokhcn.example>"
    assert msg["Subject"] == "[2023-H1] Đề nghị báo cáo: Sơ kết 6 tháng đầu năm 2023"
    assert msg["Date"].datetime == WHEN


def _rfc2047(value: str) -> str:
    """Decode as RFC 2047 says (whitespace between encoded words is dropped), like mail
    clients do; Python's address parser keeps it and would add a space."""
    return str(make_header(decode_header(value)))


def test_headers_are_folded_under_78_characters() -> None:
    data = compose(
        _mail(subject="[2023-H1] " + "Đề nghị báo cáo sơ kết " * 8), "<a@x.example>", WHEN
    )
    head = data.split(b"\r\n\r\n")[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78


def test_loop_header_names_campaign_kind_and_key() -> None:
    msg = parse(compose(_mail(), "<a@sokhcn.example>", WHEN))
    assert msg[LOOP_HEADER] == "2023-h1/directive/directive:2023-h1:QLKH"


def test_directive_is_not_marked_auto_submitted_but_machine_mail_is() -> None:
    assert parse(compose(_mail(), "<a@x.example>", WHEN))["Auto-Submitted"] is None
    reminder = parse(compose(_mail(auto_submitted="auto-generated"), "<b@x.example>", WHEN))
    assert reminder["Auto-Submitted"] == "auto-generated"
    with pytest.raises(ValueError):
        compose(_mail(auto_submitted="yes please"), "<c@x.example>", WHEN)


def test_text_and_html_bodies_are_alternatives() -> None:
    msg = parse(compose(_mail(), "<a@x.example>", WHEN))
    assert "Kính gửi: Phòng Quản lý khoa học" in msg.get_body(("plain",)).get_content()
    assert "<strong>Phòng Quản lý khoa học</strong>" in msg.get_body(("html",)).get_content()
    assert msg.get_body(("plain",)).get_content_charset() == "utf-8"


def test_vietnamese_attachment_name_is_rfc2231_and_reads_back() -> None:
    data = compose(_mail(), "<a@x.example>", WHEN)
    assert b"filename*" in data and b"utf-8''" in data
    (part,) = list(parse(data).iter_attachments())
    assert part.get_filename() == NAME
    assert part.get_content_type().startswith("application/vnd.openxmlformats")
    assert part.get_content() == b"PK\x03\x04 not really a docx"


def test_naive_dates_are_the_office_wall_time() -> None:
    naive = datetime(2023, 7, 10, 8, 30)
    msg = parse(compose(_mail(), "<a@x.example>", naive))
    assert msg["Date"].datetime == naive.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
