"""File-name and header decoding: every style a department's mail client may use."""

from __future__ import annotations

import unicodedata

import pytest
from fixtures.intake import build

from mailflow.adapters import mail_parse

NAME = "Báo cáo sơ kết 6 tháng đầu năm 2023 - Phòng Quản lý khoa học.docx"
DOC = build.docx_bytes("Nội dung báo cáo")


def _only_attachment_name(raw: bytes) -> str:
    parsed = mail_parse.parse(raw)
    names = [
        mail_parse.filename(p) for p in mail_parse.walk(parsed.message) if mail_parse.filename(p)
    ]
    assert len(names) == 1
    return names[0]


def test_rfc2231_continuations_with_charset_and_language_decode_to_nfc() -> None:
    raw = build.rfc2231_continuations(NAME, DOC)
    assert b"filename*0*=utf-8'vi'" in raw and b"filename*3*=" in raw
    assert _only_attachment_name(raw) == NAME


def test_rfc2231_continuations_in_windows_1258_decode() -> None:
    raw = build.rfc2231_continuations("Báo cáo tổng hợp.docx", DOC, charset="windows-1258")
    name = _only_attachment_name(raw)
    assert name == "Báo cáo tổng hợp.docx"
    assert unicodedata.is_normalized("NFC", name)


def test_rfc2231_in_viscii_uses_our_codec() -> None:
    raw = build.rfc2231_continuations("Đề cương báo cáo.docx", DOC, charset="viscii")
    assert _only_attachment_name(raw) == "Đề cương báo cáo.docx"


def test_rfc2047_inside_quotes_as_webmail_writes_it() -> None:
    raw = build.rfc2047_in_quotes(NAME, DOC)
    assert b'filename="=?UTF-8?B?' in raw
    assert _only_attachment_name(raw) == NAME


def test_rfc2047_split_across_words_mid_character_is_joined_as_bytes() -> None:
    data = "Báo cáo.docx".encode()
    # split inside the two-byte "á": each half alone is not valid UTF-8
    first, second = data[:2], data[2:]
    import base64

    value = (
        f"=?UTF-8?B?{base64.b64encode(first).decode()}?= "
        f"=?UTF-8?B?{base64.b64encode(second).decode()}?="
    )
    assert mail_parse.decode_words(value) == "Báo cáo.docx"


def test_raw_8bit_utf8_name_decodes() -> None:
    raw = build.raw_8bit(NAME.encode("utf-8"), DOC)
    assert _only_attachment_name(raw) == NAME


def test_raw_8bit_windows_1258_name_with_combining_tones_becomes_nfc() -> None:
    name = "Kế hoạch năm 2023.docx"
    raw = build.raw_8bit(build.cp1258_bytes(name), DOC)
    decoded = _only_attachment_name(raw)
    assert decoded == name
    assert unicodedata.is_normalized("NFC", decoded)


def test_raw_8bit_viscii_name_is_recognised() -> None:
    name = "Báo cáo Phòng Quản lý công nghệ.docx"
    raw = build.raw_8bit(name.encode("viscii"), DOC)
    assert _only_attachment_name(raw) == name


def test_viscii_codec_round_trips_every_vietnamese_letter() -> None:
    letters = "".join(sorted(mail_parse.VIETNAMESE_LETTERS))
    assert len(letters) == 134
    assert letters.encode("viscii").decode("viscii") == letters


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("=?utf-8?Q?B=C3=A1o_c=C3=A1o?=", "Báo cáo"),
        ("=?windows-1258?Q?B=E1o_c=E1o?=", "Báo cáo"),
        ("Re: =?UTF-8?B?VHLhuqMgbOG7nWk=?= [2023-H1]", "Re: Trả lời [2023-H1]"),
        ("=?x-unknown?Q?caf=C3=A9?=", "café"),
    ],
)
def test_subject_decoding(header: str, expected: str) -> None:
    raw = f"From: a@b.example\r\nSubject: {header}\r\n\r\nbody\r\n".encode()
    assert mail_parse.parse(raw).subject == expected


def test_parse_reads_addresses_ids_and_date() -> None:
    raw = build.rfc2047_in_quotes(NAME, DOC)
    parsed = mail_parse.parse(raw)
    assert parsed.from_addr == "qlkh@sokhcn.example"
    assert parsed.from_name == "Phong QLKH"
    assert parsed.message_id == "<reply-1@sokhcn.example>"
    assert parsed.in_reply_to == "<send-qlkh@mailflow>"
    assert parsed.date is not None and parsed.date.utcoffset() is not None
    assert parsed.subject == "Re: [2023-H1] Báo cáo sơ kết"


def test_parse_never_raises_on_garbage() -> None:
    for raw in (b"", b"\x00\xff" * 100, b"From: \r\nContent-Type: multipart/mixed\r\n\r\nx"):
        parsed = mail_parse.parse(raw)
        assert parsed.from_addr == ""


def test_outlook_msg_file_is_flagged_not_mail() -> None:
    parsed = mail_parse.parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert parsed.not_mail == "ole2-msg"


def test_a_mail_over_the_size_cap_is_read_for_its_headers_only() -> None:
    raw = b"From: qlkh@sokhcn.example\r\nSubject: [2023-H1] lon\r\n\r\n" + b"x" * 5000
    parsed = mail_parse.parse(raw, max_bytes=1000)
    assert (parsed.not_mail, parsed.from_addr, parsed.size) == (
        "too-large",
        "qlkh@sokhcn.example",
        len(raw),
    )
