"""Safe display names: a sender's file name never becomes a path or a disguise."""

from __future__ import annotations

import unicodedata

import pytest

from mailflow.core.filenames import extension, name_problem, safe_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\a\\Báo cáo.docx", "Báo cáo.docx"),
        ("báo\u202ecod.exe", "báocod.exe"),
        ("a\x00b\x1f.docx", "ab.docx"),
        ("   ", "attachment"),
        ("..", "attachment"),
        ("CON.docx", "_CON.docx"),
        ('a<b>c:"d"|e?f*.docx', "a_b_c__d__e_f_.docx"),
        ("report.docx.", "report.docx"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw) == expected


def test_safe_name_is_nfc() -> None:
    assert safe_name(unicodedata.normalize("NFD", "Báo cáo.docx")) == "Báo cáo.docx"


def test_long_names_are_capped_and_keep_their_extension() -> None:
    name = safe_name("Báo cáo " * 50 + ".docx")
    assert len(name) <= 120 and name.endswith("….docx")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("../x.docx", "path-traversal"),
        ("a/../../x.docx", "path-traversal"),
        ("..\\..\\x.docx", "path-traversal"),
        ("/etc/x.docx", "absolute-path"),
        ("C:x.docx", "absolute-path"),
        ("nul.txt", "reserved-name"),
        ("LPT1", "reserved-name"),
        ("reports/qlkh.docx", None),
        ("Báo cáo..docx", None),
    ],
)
def test_name_problem(raw: str, problem: str | None) -> None:
    assert name_problem(raw) == problem


def test_extension() -> None:
    assert (extension("A.DOCX"), extension("noext"), extension(".bashrc")) == ("docx", "", "")
