"""How a person names a section, and how what a person typed names one back.

The outline prints its own numbers ("II", "1", "2.1", "-"); the store keys sections by
their path in the tree ("1.2.2.1"). People read and type the printed numbers, so every
view (terminal, status page, draft appendix, Office mails, receipts, history) shows
:func:`section_name`, and ``place`` (CLI or a reply mail) resolves what was typed with
:func:`resolve_section`. Pure: plain values in, plain values out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from mailflow.core.names import fold
from mailflow.model import Outline, Section

#: how long the title part of a name may be before it is cut with "…"
TITLE_WIDTH = 60


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _numbered(number: str) -> bool:
    return bool(number) and number != "-" and not number.startswith("Phần")


def _duplicates(outline: Outline) -> set[str]:
    counts = Counter(s.number for s in outline.sections if _numbered(s.number))
    return {n for n, c in counts.items() if c > 1}


def section_number(outline: Outline, section: Section) -> str:
    """The number a person reads and types: "2.1", or "II.1" when "1" occurs under
    several parents; "" for a "-" item or a "Phần" (they are named by title)."""
    if not _numbered(section.number):
        return ""
    if section.number in _duplicates(outline) and section.parent is not None:
        parent = outline.section(section.parent)
        prefix = section_number(outline, parent) or parent.number
        return f"{prefix}.{section.number}"
    return section.number


def section_name(outline: Outline, section: Section, width: int = TITLE_WIDTH) -> str:
    """ "2.1. Những kết quả đạt được": the outline's number and a short title."""
    number = section_number(outline, section)
    if number:
        return f"{number}. {_short(section.title, width)}"
    if section.number == "-" and section.parent is not None:
        parent = outline.section(section.parent)
        where = section_number(outline, parent) or parent.number
        return f"{where} › - {_short(section.title, width)}"
    if section.number.startswith("Phần"):
        return f"{section.number}: {_short(section.title, width)}"
    return _short(section.title, width)


def name_of_key(outline: Outline, key: str | None, none: str) -> str:
    """:func:`section_name` for a stored key; ``none`` (e.g. "(phụ lục)") for no section,
    the key itself for a key the outline no longer has."""
    if key is None:
        return none
    try:
        return section_name(outline, outline.section(key))
    except KeyError:
        return key


@dataclass(frozen=True)
class Resolution:
    """What a typed section reference named: one section, or none with the candidates."""

    section: Section | None
    candidates: tuple[Section, ...] = ()  # several matched: the choice is the person's

    @property
    def ambiguous(self) -> bool:
        return self.section is None and len(self.candidates) > 1


_TRAILING = re.compile(r"[.\s]+$")


def resolve_section(outline: Outline, text: str) -> Resolution:
    """The section ``text`` names: the outline's number ("2.1", "III", "II.1"), the
    internal key ("1.2.2.1") or a title prefix that only one section starts with
    (compared without case or diacritics). Several matches: none, with candidates.
    Numbers come first: they are what people read in the outline and the draft."""
    typed = _TRAILING.sub("", text.strip())
    if not typed:
        return Resolution(None)
    upper = typed.upper()
    by_number = [s for s in outline.sections if section_number(outline, s).upper() == upper]
    if len(by_number) == 1:
        return Resolution(by_number[0])
    plain = [s for s in outline.sections if _numbered(s.number) and s.number.upper() == upper]
    if len(plain) == 1:
        return Resolution(plain[0])
    if len(plain) > 1:  # what people read wins over an internal key that looks alike
        return Resolution(None, tuple(plain))
    by_key = [s for s in outline.sections if s.key == typed]
    if by_key:
        return Resolution(by_key[0])
    folded = fold(typed)
    by_title = [s for s in outline.sections if fold(s.title).startswith(folded)]
    if len(by_title) == 1:
        return Resolution(by_title[0])
    return Resolution(None, tuple(by_title))
