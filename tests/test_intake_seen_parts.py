"""What intake remembers to go faster never changes what it decides (issue 15).

Each remembered thing is keyed by a digest of bytes: a part met again with the same
name and size but other bytes is read and checked as if nothing had been remembered.
"""

from __future__ import annotations

import io
import re
import zipfile
from email import feedparser

from test_document_sanitise import base_docx, edit, intake, package, run

from mailflow.adapters import sanitize, unpack

DDE = (
    '<w:p><w:fldSimple w:instr=" DDE Excel C:\\\\a.xlsx R1C1 ">' + run("9") + "</w:fldSimple></w:p>"
)
VML_NS = 'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'


def _forget() -> None:
    unpack._FACTS.clear()
    unpack._PARTS.clear()
    unpack._SEEN_ONCE.clear()
    sanitize._INERT.clear()


def test_the_line_end_before_a_boundary_is_found_as_the_stdlib_pattern_finds_it() -> None:
    stdlib = re.compile(r"(\r\n|\r|\n)\Z")
    assert feedparser.NLCRE_eol.search is not stdlib.search  # ours is installed
    for text in ("", "a", "\r", "\n", "\r\n", "\n\r", "\n\n", "\r\r", "ab\r\n", "x\r\n\r\n"):
        ours, theirs = feedparser.NLCRE_eol.search(text), stdlib.search(text)
        assert (ours and (ours.group(0), ours.span())) == (
            theirs and (theirs.group(0), theirs.span())
        ), repr(text)
    long = "QUJD" * 19 + "\r\n"
    assert feedparser.NLCRE_eol.search(long * 700).span() == (len(long) * 700 - 2, len(long) * 700)


def test_an_attachment_reads_the_same_bytes_through_the_parser() -> None:
    data = base_docx()
    item = intake(data)
    assert item.status == unpack.OK and item.data == data


def test_a_small_part_met_again_reads_as_when_it_was_first_inflated() -> None:
    data = base_docx("Báo cáo nhỏ.")
    assert len(package(data)["word/settings.xml"]) < 16 * 1024
    _forget()
    cold = intake(data)
    for _ in range(3):  # met again: remembered, then read from memory
        warm = intake(data)
    assert unpack._PARTS  # the small parts are remembered now
    assert (warm.status, warm.reason, warm.params) == (cold.status, cold.reason, cold.params)
    assert warm.docx == cold.docx == data


def test_a_small_part_with_a_field_is_sanitised_after_a_clean_one_of_the_same_size() -> None:
    clean = DDE.replace("fldSimple", "fldSimplX")
    _forget()
    for _ in range(3):
        first = intake(edit(base_docx(), body=clean))
        assert first.status == unpack.OK and dict(first.params) == {}
    data = edit(base_docx(), body=DDE)
    assert len(package(data)["word/document.xml"]) < 16 * 1024
    second = intake(data)
    assert second.status == unpack.OK and ("removed_dde", "1") in second.params
    assert b"fldSimple" not in package(second.docx or b"")["word/document.xml"]


def _with_theme(data: bytes, extra: str) -> bytes:
    theme = package(data)["word/theme/theme1.xml"]
    assert b"objectDefaults" in theme  # a marker: every theme is parsed by the sanitiser
    changed = theme.replace(b"</a:theme>", extra.encode() + b"</a:theme>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(
                info, changed if info.filename == "word/theme/theme1.xml" else src.read(info)
            )
    return out.getvalue()


def test_a_theme_found_clean_does_not_let_one_of_the_same_size_with_a_file_link_through() -> None:
    linked = f'<v:fill {VML_NS} o:href="file:///C:/secret.png"/>'
    clean = linked.replace("o:href", "o:hreg")
    _forget()
    for _ in range(2):
        first = intake(_with_theme(base_docx(), clean))
        assert first.status == unpack.OK and first.docx == first.data  # nothing to change
    assert sanitize._INERT  # the clean theme is remembered as needing nothing
    second = intake(_with_theme(base_docx(), linked))
    assert second.status == unpack.OK
    assert b"file:///C:/secret.png" not in package(second.docx or b"")["word/theme/theme1.xml"]
