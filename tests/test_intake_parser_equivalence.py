"""The faster line buffer under the mail parser builds the stdlib's very tree (issue 15).

``mail_parse.parse_message`` iterates the stdlib feed parser's lines with a generator of its
own (``mail_parse._Lines``); whatever the mail, the tree, payloads, preambles, epilogues and
defects must be exactly those of ``BytesParser(policy=RAW_POLICY)``.
"""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from pathlib import Path

import pytest
from fixtures.intake import build

from mailflow.adapters import mail_parse

FUZZ = Path(__file__).parent / "fixtures" / "fuzz"


def _tree(msg: Message) -> list[object]:
    out: list[object] = []
    for part in msg.walk():
        out.append(
            (
                list(part.raw_items()),
                part.get_unixfrom(),
                part.preamble,
                part.epilogue,
                [type(d).__name__ for d in part.defects],
                None if part.is_multipart() else part._payload,  # as stored, not decoded
            )
        )
    return out


def _multipart(boundary: str, parts: list[str], close: bool = True, nl: str = "\r\n") -> str:
    body = nl.join(f"--{boundary}{nl}{p}" for p in parts)
    return f"preamble{nl}{body}{nl}" + (f"--{boundary}--{nl}epilogue{nl}" if close else "")


def _mails() -> list[bytes]:
    big = "QUJD" * 19
    leaf = "Content-Type: text/plain\r\n\r\nhello\r\n"
    b64 = "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + (
        (big + "\r\n") * 400
    )
    inner = "Content-Type: multipart/mixed; boundary=in\r\n\r\n" + _multipart(
        "in", [leaf, "Content-Type: text/plain\r\n\r\nthe outer one inside:\r\n--out\r\nx\r\n"]
    )
    head = "From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\n"
    multi = head + "Content-Type: multipart/mixed; boundary=out\r\n\r\n"
    mails = [
        head + "\r\nplain body\r\n",
        multi + _multipart("out", [leaf, b64]),
        multi + _multipart("out", [leaf, inner]),  # an outer boundary inside the inner part
        multi + _multipart("out", [leaf, b64], close=False),  # no closing boundary
        (multi + _multipart("out", [leaf, b64])).replace("\r\n", "\n"),
        (multi + _multipart("out", [leaf, leaf])).replace("\r\n", "\r"),
        "From someone Mon Jul 10 09:00:00 2023\r\n" + head + "\r\nbody\r\n",
        multi + _multipart("out", [leaf, "Content-Type: message/rfc822\r\n\r\n" + head + "\r\nx"]),
        head + "Content-Type: multipart/mixed\r\n\r\nno boundary parameter\r\n",
        head + "\r\n",
        "",
        "not a header line\r\n\r\nbody",
        multi + "--out\r\n--out\r\n" + leaf + "--out--",  # doubled boundaries
    ]
    out = [m.encode("utf-8", "surrogateescape") for m in mails]
    out.append(build.rfc2231_continuations("Báo cáo.docx", build.docx_bytes("Nội dung")))
    out.append(build.forwarded_as_attachment(build.body_only("Chuyển tiếp")))
    out += [p.read_bytes() for p in sorted(FUZZ.glob("*.bin"))]
    return out


@pytest.mark.parametrize("raw", _mails())
def test_the_parser_builds_the_stdlib_tree(raw: bytes) -> None:
    ours = mail_parse.parse_message(raw)
    theirs = BytesParser(policy=mail_parse.RAW_POLICY).parsebytes(raw)
    assert _tree(ours) == _tree(theirs)


def test_the_faster_line_buffer_is_the_one_used(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []
    iterate = mail_parse._Lines.__iter__

    def counted(self: mail_parse._Lines) -> object:
        used.append(1)
        return iterate(self)

    monkeypatch.setattr(mail_parse._Lines, "__iter__", counted)
    mail_parse.parse_message(_mails()[1])
    assert used
