"""Inputs the fuzzer (bench/fuzz.py) once crashed on: each now ends in a clean outcome."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from mailflow.adapters import mail_parse, unpack
from mailflow.adapters.docx_read import read_docx
from mailflow.core import identify
from mailflow.errors import MailflowError

FIXTURES = Path(__file__).parent / "fixtures" / "fuzz"


def _intake(data: bytes) -> None:
    parsed = mail_parse.parse(data)
    identify.identify(mail_parse.mail_headers(parsed), identify.KnownState())
    unpack.extract(parsed.message)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("intake-*.bin")), ids=lambda p: p.name)
def test_saved_intake_crash_inputs_pass_through(path: Path) -> None:
    _intake(path.read_bytes())


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("document-*.bin")), ids=lambda p: p.name)
def test_saved_document_crash_inputs_are_refused_cleanly(path: Path) -> None:
    with pytest.raises(MailflowError):
        read_docx(path.read_bytes(), "fuzz.docx")


def test_non_ascii_inside_an_encoded_word_is_decoded() -> None:
    parsed = mail_parse.parse("Subject: =?utf-8?q?B\u00e1o_c\u00e1o?=\r\n\r\nx\r\n".encode())
    assert "áo" in parsed.subject


def test_nul_in_a_charset_name_does_not_crash_the_parser() -> None:
    parsed = mail_parse.parse(b"From: a@b.example\r\nSubject: =?ut\x00f-8?q?x?=\r\n\r\nbody\r\n")
    assert parsed.size > 0


def test_zip_with_an_unknown_version_is_a_readable_refusal() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buf.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 6] = 148  # "version needed to extract" 14.8, as the fuzzer wrote it
    with pytest.raises(MailflowError):
        read_docx(bytes(data), "odd.docx")


def test_nul_in_a_leaf_part_charset_does_not_crash_walking_the_parts() -> None:
    # a non-ASCII byte makes the stdlib decode the leaf with its charset on get_payload();
    # a NUL in that charset name raised ValueError from mail_parse.walk (fuzzing, 2nd run)
    raw = (
        b'From: a@b.example\r\nContent-Type: multipart/mixed; boundary="1"\r\n\r\n'
        b'--1\r\nContent-Type: text/plain; charset="ut\x00f-8"\r\n\r\nB\xc3\xa1o c\xc3\xa1o\r\n'
        b"--1--\r\n"
    )
    parsed = mail_parse.parse(raw)
    identify.identify(mail_parse.mail_headers(parsed), identify.KnownState())
    assert len(list(mail_parse.walk(parsed.message))) == 1


def test_raw_8bit_bytes_in_an_rfc2231_file_name_do_not_crash() -> None:
    # the stdlib hands raw 8-bit header bytes over as surrogates; unquote_to_bytes refused
    # them with UnicodeEncodeError (fuzzing, 3rd run)
    raw = (
        b'From: a@b.example\r\nContent-Type: multipart/mixed; boundary="1"\r\n\r\n'
        b"--1\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''bao%20c\xffo.docx\r\n\r\nx\r\n"
        b"--1--\r\n"
    )
    parsed = mail_parse.parse(raw)
    identify.identify(mail_parse.mail_headers(parsed), identify.KnownState())
    (part,) = list(mail_parse.walk(parsed.message))
    assert (mail_parse.filename(part) or "").startswith("bao c")
