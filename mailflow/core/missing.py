"""What each department still owes: the one answer every view gives.

The Office mail, the draft (its markers and its appendix table), ``mailflow status``,
the receipts and the reminders all name what a department has not written yet. They
once computed it three ways and disagreed (1 section in the mail, 4 in the draft), so
they all ask :func:`missing_by_department`. Pure: plain values in, plain values out.

The rule: a department owes every section assigned to it (by name, or "every
department") on which nothing of its own is placed, neither on the section nor on any
sub-section; when a whole branch is owed it is named once, at its highest section, not
once per sub-section. Writing one sub-section of four leaves the other three owed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from mailflow.model import Outline, Section


def assignees(section: Section, codes: Sequence[str]) -> tuple[str, ...]:
    """Who must write ``section``, in ``codes`` order (the campaign's departments)."""
    if section.assignees:
        return tuple(c for c in codes if c in section.assignees) + tuple(
            c for c in section.assignees if c not in codes
        )
    if section.all_departments:
        return tuple(codes)
    return ()


def missing_by_department(
    outline: Outline, codes: Sequence[str], written: Collection[tuple[str, str]]
) -> Mapping[str, tuple[str, ...]]:
    """Department code → keys of the sections it still owes, in outline order.

    ``written`` holds (section key, department code) for every live part placed on a
    section (auto or reviewed: parts waiting for review do not count yet).
    """
    by_key = {s.key: s for s in outline.sections}
    mine: dict[str, set[str]] = {}
    for key, code in written:
        mine.setdefault(code, set()).add(key)

    def covered(key: str, code: str) -> bool:
        return any(k == key or k.startswith(key + ".") for k in mine.get(code, ()))

    def owed_above(section: Section, code: str) -> bool:
        parent = by_key.get(section.parent) if section.parent else None
        return (
            parent is not None
            and code in assignees(parent, codes)
            and not covered(parent.key, code)
        )

    out: dict[str, list[str]] = {c: [] for c in codes}
    for s in outline.sections:
        for code in assignees(s, codes):
            if not covered(s.key, code) and not owed_above(s, code):
                out.setdefault(code, []).append(s.key)
    return {c: tuple(keys) for c, keys in out.items()}


def missing_for(outline: Outline, code: str, received: Collection[str]) -> tuple[str, ...]:
    """:func:`missing_by_department` for one department, from the keys it has written."""
    return missing_by_department(outline, (code,), {(k, code) for k in received})[code]
