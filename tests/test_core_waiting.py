"""core.waiting: the Office mail's "what waits for a person" lines, from literal rows."""

from __future__ import annotations

from typing import Any

from mailflow.core.draft_plan import Note, UnreadDocument
from mailflow.core.waiting import short, waiting_lines
from mailflow.model import Outline, Section

OUTLINE = Outline(
    "Báo cáo",
    (
        Section("1", "I", 1, "Tình hình chung"),
        Section("1.1", "1", 2, "Kết quả", parent="1"),
    ),
)


def say(key: str, **params: Any) -> str:
    """The catalogue stand-in: the key and its params, so a line shows what it was given."""
    if key == "no.such.key":
        raise KeyError(key)
    return key + "".join(f" {k}={v}" for k, v in sorted(params.items()))


def reason(key: str, params: dict[str, str]) -> str:
    return f"<{key}>"


def _doc(name: str, *, gave_text: bool, why: str = "assemble.unread_no_text") -> UnreadDocument:
    return UnreadDocument(
        "QLKH", "a@x.vn", name, Note(why), None, "x/a.pdf", 1, gave_text=gave_text
    )


def test_a_part_in_review_names_its_best_three_candidates_by_the_outlines_numbers() -> None:
    part = {
        "id": 7,
        "department": "VP",
        "heading": "Kết quả",
        "text": "…",
        "candidates": '[["1.1", 0.9], ["gone", 0.5], ["1", 0.4], ["1", 0.1]]',
    }
    [line] = waiting_lines(OUTLINE, [part], [], [], [], say, reason)
    assert line.startswith("office.wait_part best=")
    best = line.split("best=")[1].split(" department=")[0]
    assert best.split("; ")[1] == "gone"  # a key the outline no longer has is shown as is
    assert len(best.split("; ")) == 3


def test_a_document_whose_text_is_in_the_draft_waits_on_nothing() -> None:
    lines = waiting_lines(
        OUTLINE,
        [],
        [],
        [_doc("in.docx", gave_text=True), _doc("scan.pdf", gave_text=False)],
        [],
        say,
        reason,
    )
    assert len(lines) == 1 and "name=scan.pdf" in lines[0]


def test_an_unknown_reason_key_is_shown_as_the_key() -> None:
    [line] = waiting_lines(
        OUTLINE, [], [], [_doc("a.pdf", gave_text=False, why="no.such.key")], [], say, reason
    )
    assert "reason=no.such.key" in line


def test_a_held_mail_with_unreadable_detail_keeps_its_reason_without_params() -> None:
    mail = {"id": 3, "from_addr": None, "subject": "x", "reason": "r.k", "detail": "{bad"}
    [line] = waiting_lines(OUTLINE, [], [mail], [], [], say, reason)
    assert "reason=<r.k>" in line and "sender=?" in line


def test_a_long_text_is_cut_on_one_line_with_an_ellipsis() -> None:
    assert short("a  b\n" + "c" * 100, 10) == "a b ccccc…"  # 10 characters in all
    assert short(None, 10) == ""
