"""Outline + placed parts + what we know of each department → the draft's plan.

The plan is everything the draft says, decided without touching a file: which headings
come in which order, whose parts go under each and in what order, where a department's
contribution is missing, which arrivals were late, and what goes to the appendix so
nothing received is ever lost. The .docx writer only renders it. Sentences are kept as
catalogue keys with parameters (``Note``) because the core has no language of its own.

``summarize`` turns a plan into plain JSON-able data that the shell stores with each
draft version; ``diff`` compares the stored summary of the previous version with a new
plan, so every draft can say what changed since the one before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from mailflow.core.missing import assignees, missing_by_department
from mailflow.core.sections import section_name
from mailflow.model import Campaign, Department, Outline, PlacedPart, PlacementStatus

_SKIPPED = frozenset({PlacementStatus.SUPERSEDED})
_UNSETTLED = frozenset({PlacementStatus.REVIEW, PlacementStatus.UNPLACED})


@dataclass(frozen=True)
class Note:
    """A sentence to show: a catalogue key and its parameters, rendered by the shell."""

    key: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def kwargs(self) -> dict[str, str]:
        return dict(self.params)


def note(key: str, **params: object) -> Note:
    return Note(key, tuple((k, str(v)) for k, v in params.items()))


@dataclass(frozen=True)
class DepartmentStatus:
    """What the shell knows about one department for this campaign (from sends and mail)."""

    code: str
    sent_at: datetime | None = None
    bounced: bool = False
    out_of_office: bool = False
    returns_on: date | None = None  # from the auto-reply, when it says
    received_at: datetime | None = None  # latest report mail taken in


@dataclass(frozen=True)
class PlanItem:
    """One thing under a section: a department's part, or a marker that it is missing."""

    department: str
    part: PlacedPart | None  # None: missing marker
    note: Note  # the attribution line, or the missing marker's sentence
    late: bool = False

    @property
    def missing(self) -> bool:
        return self.part is None


@dataclass(frozen=True)
class PlanSection:
    key: str
    number: str
    level: int
    title: str
    heading: str
    items: tuple[PlanItem, ...] = ()


class Cell(StrEnum):
    """One square of the department × section grid."""

    NONE = ""  # not assigned, nothing placed
    RECEIVED = "received"  # assigned and at least one part placed
    EXTRA = "extra"  # not assigned, but the department wrote something for it
    MISSING = "missing"  # owed (core.missing): once per branch, at its highest section


@dataclass(frozen=True)
class GridRow:
    """One department's line of the appendix status table."""

    code: str
    name: str
    sent_at: datetime | None
    bounced: bool
    out_of_office: bool
    returns_on: date | None
    received_at: datetime | None
    late: bool  # received after the deadline, or nothing received and the deadline passed
    missing: tuple[str, ...]  # section keys assigned to it with nothing placed


@dataclass(frozen=True)
class GridLine:
    """One section's line of the department × section grid (cells in department order)."""

    key: str
    heading: str
    cells: tuple[tuple[Cell, int], ...]  # (state, number of parts) per department


@dataclass(frozen=True)
class AppendixItem:
    part: PlacedPart
    note: Note  # attribution line
    reason: Note  # why it is here: in review, unplaced, unknown section
    late: bool = False


@dataclass(frozen=True)
class UnreadDocument:
    """A document a department sent that gave the draft no text, and why.

    Unsupported type, encrypted, a scan without OCR, quarantined, converted to nothing:
    the draft lists it in its appendix (sender, file name, reason) so that nothing
    received is invisible, and its original goes with the Office mail when ``attached``.
    """

    department: str  # code; "" when the mail was not tied to a department
    sender: str  # the mail's From address
    file_name: str
    reason: Note
    received: datetime | None
    archive_path: str  # relative to the archive root: where the original is kept
    size: int  # bytes of the original
    attached: bool = False  # decided by ``build_plan`` under the attachment cap
    #: its text is in the draft, but something was taken out at intake (active content,
    #: linked pictures): listed so the Office sees it, never attached
    gave_text: bool = False
    #: what the original holds that would act when opened (a program, macros, scripts,
    #: outside links, embedded objects; "unchecked" when it could not be read): never
    #: mailed on as is, the appendix says why and where it is kept
    withheld: str = ""


@dataclass(frozen=True)
class DraftPlan:
    campaign: str
    title: str
    number: str
    place: str
    deadline: date
    now: datetime
    departments: tuple[tuple[str, str], ...]  # (code, name) in config order
    sections: tuple[PlanSection, ...]
    grid: tuple[GridRow, ...]
    matrix: tuple[GridLine, ...]
    appendix: tuple[AppendixItem, ...]
    unread: tuple[UnreadDocument, ...] = ()
    #: section key → how a person reads it ("2.1. Những kết quả…", core.sections): every
    #: view names sections this way, never by the internal key
    names: tuple[tuple[str, str], ...] = ()

    def section_name(self, key: str) -> str:
        return dict(self.names).get(key, key)

    @property
    def review(self) -> tuple[AppendixItem, ...]:
        """Appendix parts waiting for a person (``mailflow place N``), in draft order."""
        return tuple(a for a in self.appendix if a.part.status is PlacementStatus.REVIEW)

    @property
    def unsorted(self) -> tuple[AppendixItem, ...]:
        """Appendix parts that fit no section (or one the outline lost)."""
        return tuple(a for a in self.appendix if a.part.status is not PlacementStatus.REVIEW)

    def department_name(self, code: str) -> str:
        return dict(self.departments).get(code, code)

    @property
    def parts(self) -> tuple[PlacedPart, ...]:
        """Every part the draft holds, body first then appendix, in draft order."""
        body = tuple(i.part for s in self.sections for i in s.items if i.part is not None)
        return body + tuple(a.part for a in self.appendix)


def is_late(received: datetime | None, deadline: date) -> bool:
    """Late means received on a day after the deadline day (the deadline day counts)."""
    return received is not None and received.date() > deadline


def _instant(value: datetime | None) -> float:
    """Comparable across naive and aware datetimes (the shell may hand either)."""
    return value.timestamp() if value else float("-inf")


def format_when(value: datetime | None) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else ""


def _order_key(part: PlacedPart, rank: Mapping[str, int]) -> tuple[Any, ...]:
    received = part.attribution.received
    return (
        rank.get(part.department, len(rank)),
        received.timestamp() if received else float("inf"),
        part.part_id,
        part.source,
        part.block_start,
    )


def _attribution(part: PlacedPart, name: str, deadline: date) -> tuple[Note, bool]:
    late = part.attribution.late or is_late(part.attribution.received, deadline)
    a = part.attribution
    # "thay cho phần gửi ngày 18/7": a part that replaced earlier ones says so; a report
    # sent as .docx + signed .pdf names the signed copy (see core.match.revise/twins).
    more = {}
    suffix = ""
    if a.replaces:
        suffix += "_replaces"
        days = dict.fromkeys(w.strftime("%d/%m/%Y") for w in sorted(a.replaces, key=_instant))
        more["replaced"] = ", ".join(days)
    if a.signed_copies and a.file_name:
        suffix += "_signed"
        more["signed"] = ", ".join(a.signed_copies)
    if a.received and a.file_name:
        n = note(
            "assemble.attribution" + suffix,
            department=name,
            received=format_when(a.received),
            file=a.file_name,
            **more,
        )
    elif a.received:
        n = note(
            "assemble.attribution_body" + ("_replaces" if a.replaces else ""),
            department=name,
            received=format_when(a.received),
            **{k: v for k, v in more.items() if k == "replaced"},
        )
    else:
        n = note("assemble.attribution_undated", department=name, file=a.file_name or "-")
    return n, late


def _missing_note(name: str, status: DepartmentStatus | None, in_appendix: bool = False) -> Note:
    """The marker for a section a department owes; "see Appendix" only when it holds its text."""
    if status is None or status.received_at is None:
        if in_appendix:
            return note("assemble.missing_see_appendix", department=name)
        if status is not None and status.bounced:
            return note("assemble.missing_bounced", department=name)
        if status is not None and status.out_of_office:
            if status.returns_on:
                return note(
                    "assemble.missing_away_until",
                    department=name,
                    until=status.returns_on.strftime("%d/%m/%Y"),
                )
            return note("assemble.missing_away", department=name)
        return note("assemble.missing", department=name)
    if in_appendix:
        return note("assemble.missing_section", department=name)
    return note("assemble.missing_section_received", department=name)


def attach_within(docs: Sequence[UnreadDocument], cap: int) -> tuple[UnreadDocument, ...]:
    """Mark originals to attach to the Office mail, in arrival order, while they fit ``cap``.

    A file that does not fit is skipped (a smaller later one may still fit); the draft
    names it with its archive path instead. ``cap`` 0 attaches nothing. A ``withheld``
    original (one that would act when opened) is never attached, whatever its size.
    """
    out: list[UnreadDocument] = []
    used = 0
    for d in sorted(docs, key=lambda d: (_instant(d.received), d.archive_path)):
        fits = not d.gave_text and not d.withheld and d.size > 0 and used + d.size <= cap
        used += d.size if fits else 0
        out.append(replace(d, attached=fits))
    return tuple(out)


def build_plan(
    outline: Outline,
    parts: Sequence[PlacedPart],
    statuses: Mapping[str, DepartmentStatus],
    departments: Sequence[Department],
    campaign: Campaign,
    now: datetime,
    *,
    unread: Sequence[UnreadDocument] = (),
    attach_max_bytes: int = 0,
) -> DraftPlan:
    """Decide the whole draft. ``departments`` is the config order (campaign subset first).

    Every part is either under its section or in the appendix: parts waiting for review
    in "Phần chờ xem lại" with their number for ``mailflow place``, the rest under
    "not placed"; documents that gave no text are listed with the reason.
    """
    if campaign.departments:
        chosen = [d for d in departments if d.code in campaign.departments]
    else:
        chosen = list(departments)
    codes = [d.code for d in chosen]
    names = {d.code: d.name for d in departments}
    rank = {c: i for i, c in enumerate(codes)}
    keys = {s.key for s in outline.sections}

    live = [p for p in parts if p.status not in _SKIPPED]
    placed: dict[str, list[PlacedPart]] = {}
    leftover: list[tuple[PlacedPart, Note]] = []
    for p in live:
        if p.status in _UNSETTLED:
            leftover.append((p, note(f"assemble.reason_{p.status.value}")))
        elif p.section_key is None:
            leftover.append((p, note("assemble.reason_unplaced")))
        elif p.section_key not in keys:
            leftover.append((p, note("assemble.reason_unknown_section", section=p.section_key)))
        else:
            placed.setdefault(p.section_key, []).append(p)
    in_appendix = {p.department for p, _ in leftover} | {
        d.department for d in unread if not d.gave_text
    }

    sections: list[PlanSection] = []
    matrix: list[GridLine] = []
    written = {(key, p.department) for key, ps in placed.items() for p in ps}
    # the one answer to "what is missing" (core.missing): markers, grid, Office mail
    owed = missing_by_department(outline, codes, written)
    missing_by_dept: dict[str, list[str]] = {c: [] for c in codes}

    def covered(key: str, code: str) -> bool:
        # a section counts as written when the department wrote it or any sub-section
        return any(d == code and (k == key or k.startswith(key + ".")) for k, d in written)

    for s in outline.sections:
        here = sorted(placed.get(s.key, ()), key=lambda p: _order_key(p, rank))
        assigned = assignees(s, codes)
        items: list[PlanItem] = []
        writers = {p.department for p in here}
        due = {c for c in assigned if s.key in owed.get(c, ())}
        # department order: every writer and every department still owing it, config order
        order = sorted(writers | due, key=lambda c: (rank.get(c, len(rank)), c))
        for code in order:
            mine = [p for p in here if p.department == code]
            name = names.get(code, code)
            if not mine:
                marker = _missing_note(name, statuses.get(code), code in in_appendix)
                items.append(PlanItem(code, None, marker))
                missing_by_dept.setdefault(code, []).append(s.key)
                continue
            for p in mine:
                n, late = _attribution(p, name, campaign.deadline)
                items.append(PlanItem(code, p, n, late))
        sections.append(PlanSection(s.key, s.number, s.level, s.title, s.heading, tuple(items)))
        cells: list[tuple[Cell, int]] = []
        for code in codes:
            count = sum(1 for p in here if p.department == code)
            if code in assigned:
                if count or covered(s.key, code):
                    cells.append((Cell.RECEIVED, count))
                elif s.key in owed.get(code, ()):
                    cells.append((Cell.MISSING, 0))
                else:
                    # owed as part of a whole branch: ✗ once, at its top (core.missing)
                    cells.append((Cell.NONE, 0))
            else:
                cells.append((Cell.EXTRA, count) if count else (Cell.NONE, 0))
        if assigned or here:
            matrix.append(GridLine(s.key, s.heading, tuple(cells)))

    grid: list[GridRow] = []
    for code in codes:
        st = statuses.get(code, DepartmentStatus(code))
        arrivals = [
            p.attribution.received for p in live if p.department == code and p.attribution.received
        ]
        received = st.received_at or max(arrivals, key=_instant, default=None)
        late = any(is_late(a, campaign.deadline) for a in (received, *arrivals)) or (
            received is None and now.date() > campaign.deadline and bool(missing_by_dept[code])
        )
        grid.append(
            GridRow(
                code,
                names.get(code, code),
                st.sent_at,
                st.bounced,
                st.out_of_office,
                st.returns_on,
                received,
                late,
                tuple(missing_by_dept[code]),
            )
        )

    appendix: list[AppendixItem] = []
    named = {s.key: section_name(outline, s) for s in outline.sections}
    for p, reason in sorted(leftover, key=lambda pr: _order_key(pr[0], rank)):
        if p.status is PlacementStatus.REVIEW and p.may_renew:
            # alike a part sent before, but maybe a different report: a person decides
            sent = p.may_renew_sent
            reason = note(
                "assemble.reason_maybe_revision",
                number=p.part_id,
                earlier=p.may_renew,
                sent=sent.strftime("%d/%m/%Y") if sent else "-",
            )
        elif p.status is PlacementStatus.REVIEW:
            best = [named[k] for k in p.candidates if k in named][:2]
            reason = note(
                "assemble.reason_review_part",
                number=p.part_id,
                best="; ".join(best) or "-",
            )
        n, late = _attribution(p, names.get(p.department, p.department), campaign.deadline)
        appendix.append(AppendixItem(p, n, reason, late))

    return DraftPlan(
        campaign=campaign.id,
        title=campaign.title,
        number=campaign.number,
        place=campaign.place,
        deadline=campaign.deadline,
        now=now,
        departments=tuple((c, names.get(c, c)) for c in codes),
        sections=tuple(sections),
        grid=tuple(grid),
        matrix=tuple(matrix),
        appendix=tuple(appendix),
        unread=attach_within(unread, attach_max_bytes),
        names=tuple(named.items()),
    )


# --- what changed between draft versions -------------------------------------------


def part_identity(part: PlacedPart) -> str:
    """A stable name for a part across runs: its id, or where it comes from."""
    if part.part_id:
        return f"#{part.part_id}"
    return f"{part.department}:{part.source}:{part.block_start}-{part.block_end}"


def summarize(plan: DraftPlan) -> dict[str, Any]:
    """The plain-data memory of a plan, stored with its draft version (JSON-able)."""
    placed = {
        part_identity(i.part): [s.key, i.department]
        for s in plan.sections
        for i in s.items
        if i.part is not None
    }
    missing = sorted([s.key, i.department] for s in plan.sections for i in s.items if i.missing)
    review = {part_identity(a.part): a.part.department for a in plan.appendix}
    late = sorted(r.code for r in plan.grid if r.late)
    unread = sorted({d.archive_path: d.department for d in plan.unread}.items())
    return {
        "placed": placed,
        "missing": missing,
        "appendix": review,
        "late": late,
        "unread": [list(u) for u in unread],
    }


@dataclass(frozen=True)
class PlanChanges:
    first: bool  # no previous version
    added: tuple[tuple[str, str, str], ...] = ()  # (part id, section key, department)
    moved: tuple[tuple[str, str, str, str], ...] = ()  # (part id, from, to, department)
    removed: tuple[tuple[str, str, str], ...] = ()  # (part id, section key, department)
    filled: tuple[tuple[str, str], ...] = ()  # (section key, department) no longer missing
    still_missing: tuple[tuple[str, str], ...] = ()
    new_in_appendix: tuple[tuple[str, str], ...] = ()  # (part id, department)
    newly_late: tuple[str, ...] = ()
    new_unread: tuple[tuple[str, str], ...] = ()  # (archive path, department)
    notes: tuple[Note, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.first or bool(
            self.added
            or self.moved
            or self.removed
            or self.filled
            or self.new_in_appendix
            or self.newly_late
            or self.new_unread
        )


def diff(previous: Mapping[str, Any] | None, plan: DraftPlan) -> PlanChanges:
    """What this plan adds to, moves in or removes from the previous version's summary."""
    now = summarize(plan)
    missing_now: list[tuple[str, str]] = [(m[0], m[1]) for m in now["missing"]]
    names = dict(plan.departments)
    headings = {s.key: s.heading for s in plan.sections} | dict(plan.names)

    def dn(code: str) -> str:
        return names.get(code, code)

    if previous is None:
        first = note("assemble.diff_first", parts=len(now["placed"]), missing=len(missing_now))
        return PlanChanges(True, still_missing=tuple(missing_now), notes=(first,))
    before: dict[str, list[str]] = dict(previous.get("placed", {}))
    after: dict[str, list[str]] = now["placed"]
    added = tuple((pid, v[0], v[1]) for pid, v in after.items() if pid not in before)
    removed = tuple((pid, v[0], v[1]) for pid, v in before.items() if pid not in after)
    moved = tuple(
        (pid, before[pid][0], v[0], v[1])
        for pid, v in after.items()
        if pid in before and before[pid][0] != v[0]
    )
    was_missing = {(m[0], m[1]) for m in previous.get("missing", [])}
    filled = tuple(sorted(m for m in was_missing if m not in set(missing_now)))
    old_appendix = set(previous.get("appendix", {}))
    new_app = tuple((pid, d) for pid, d in now["appendix"].items() if pid not in old_appendix)
    newly_late = tuple(c for c in now["late"] if c not in set(previous.get("late", [])))
    old_unread = {u[0] for u in previous.get("unread", [])}
    new_unread = tuple((u[0], u[1]) for u in now["unread"] if u[0] not in old_unread)

    notes: list[Note] = []
    for _pid, key, dept in added:
        notes.append(
            note("assemble.diff_added", department=dn(dept), section=headings.get(key, key))
        )
    for _pid, src, dst, dept in moved:
        notes.append(
            note(
                "assemble.diff_moved",
                department=dn(dept),
                source=headings.get(src, src),
                target=headings.get(dst, dst),
            )
        )
    for _pid, key, dept in removed:
        notes.append(
            note("assemble.diff_removed", department=dn(dept), section=headings.get(key, key))
        )
    for _pid, dept in new_app:
        notes.append(note("assemble.diff_appendix", department=dn(dept)))
    for code in newly_late:
        notes.append(note("assemble.diff_late", department=dn(code)))
    for _path, dept in new_unread:
        notes.append(note("assemble.diff_unread", department=dn(dept) if dept else "-"))
    if not notes:
        notes.append(note("assemble.diff_none"))
    return PlanChanges(
        first=False,
        added=added,
        moved=moved,
        removed=removed,
        filled=filled,
        still_missing=tuple(missing_now),
        new_in_appendix=new_app,
        newly_late=newly_late,
        new_unread=new_unread,
        notes=tuple(notes),
    )
