"""Domain values shared by the core and the adapters.

Everything here is a frozen dataclass of plain values so the pure core can be tested
with literals and the adapters can build them from I/O without the core knowing how.
Modules that own a concept may add their own values next to their code; only values
that cross a module boundary live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True)
class Department:
    """A unit that writes sections; matched by code, address, name or alias."""

    code: str
    name: str
    emails: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    deputy_emails: tuple[str, ...] = ()
    head_emails: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every way the outline may spell this department: full name, aliases, code."""
        return (self.name, *self.aliases, self.code)


@dataclass(frozen=True)
class Campaign:
    """One report campaign: an outline sent to departments with a deadline."""

    id: str
    title: str
    outline: str  # path as written in config, resolved by config.py to an absolute path
    directive: str
    deadline: date
    token: str  # subject token, e.g. "2023-H1"; replies carry it as "[2023-H1]"
    number: str = ""  # "Số" of the directive, e.g. "123/SKHCN-VP"
    signer: str = ""
    signer_title: str = ""
    place: str = ""
    synonyms: tuple[tuple[str, str], ...] = ()
    reminder_days: tuple[int, ...] = (-3, -1, 0)  # days relative to the deadline
    departments: tuple[str, ...] = ()  # codes; empty = every department


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"
    TABLE = "table"
    IMAGE = "image"


@dataclass(frozen=True)
class Block:
    """One piece of a document in reading order, independent of the file format.

    ``index`` is the position of the element among the document body's top-level
    children (for .docx) so that assembly can copy the original XML of a part; for
    PDF or mail-body sources it is just the running line number.
    """

    index: int
    kind: BlockKind
    text: str
    style: str = ""
    bold: bool = False
    italic: bool = False
    heading_level: int | None = None  # from a Heading style or w:outlineLvl (1-based)
    number_label: str = ""  # visible auto-number computed from numbering.xml ("I.", "1.")
    numbered: bool = False  # paragraph carries Word automatic numbering
    cells: tuple[tuple[str, ...], ...] = ()  # table rows of cell texts
    has_image: bool = False

    @property
    def display_text(self) -> str:
        """The text as a reader sees it: the auto-number label is part of it."""
        if self.number_label:
            return f"{self.number_label} {self.text}".strip()
        return self.text


@dataclass(frozen=True)
class Section:
    """One outline section. ``key`` is stable across re-parses of the same outline."""

    key: str  # e.g. "1", "1.2", "1.2.3": the section's path in the outline tree
    number: str  # the visible label as printed: "Phần thứ nhất", "I", "1", "2.1", "-"
    level: int  # 1 = Phần, 2 = I., 3 = 1., 4 = 2.1., 5 = "-" item
    title: str
    guidance: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()  # department codes, in config order
    parent: str | None = None
    assignment_text: str = ""  # the raw "... báo cáo." line(s), for people to check
    all_departments: bool = False  # "Các phòng, đơn vị ..." assigns every department

    @property
    def heading(self) -> str:
        """How the heading reads in the outline, number included."""
        if self.number and self.number != "-" and not self.number.startswith("Phần"):
            return f"{self.number}. {self.title}"
        if self.number == "-":
            return f"- {self.title}"
        return self.title


@dataclass(frozen=True)
class UnresolvedAssignment:
    """An assignment line naming a department the config does not know."""

    section_key: str
    text: str
    fragment: str
    closest: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outline:
    title: str
    sections: tuple[Section, ...]
    unresolved: tuple[UnresolvedAssignment, ...] = ()

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def children(self, key: str | None) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.parent == key)

    def sections_for(self, code: str) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if code in s.assignees)


class MailKind(StrEnum):
    REPORT = "report"
    AUTO_REPLY = "auto-reply"
    BOUNCE = "bounce"
    OWN = "own"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"
    REVIEW = "review"
    OFFICE_REPLY = "office-reply"  # the Office's review commands (services.office_reply)


#: mail kinds that wait for a person (the review folder, the review list, the Office mail)
ATTENTION_KINDS = (MailKind.QUARANTINED.value, MailKind.REVIEW.value)


class SendStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Attribution:
    """Who wrote a part and when it arrived: printed under each part in the draft."""

    department: str
    received: datetime | None
    file_name: str = ""
    late: bool = False
    replaces: tuple[datetime, ...] = ()  # arrivals of the earlier parts this one replaced
    signed_copies: tuple[str, ...] = ()  # the same report's other forms in the mail (.pdf)


@dataclass(frozen=True)
class Due:
    """An action the core decided is due at ``at``; the shell carries it out."""

    action: str  # "poll" | "remind" | "digest" | "final"
    campaign: str = ""
    department: str = ""
    at: datetime | None = None
    detail: tuple[str, ...] = field(default=())
    recipients: tuple[str, ...] = ()  # who the action's mail goes to (reminders: To)
    cc: tuple[str, ...] = ()  # copied (reminders: the department head once overdue)
    reason: str = ""  # why it is due, e.g. "before", "deadline", "overdue", "postponed"


@dataclass(frozen=True)
class ReportPart:
    """A run of blocks of one document under one heading of the reply (the matcher's unit).

    ``block_start``/``block_end`` are ``Block.index`` values (end exclusive) so that
    assembly can copy the original elements of a .docx, formatting and all.
    """

    ordinal: int
    heading: str  # the reply's own heading text, "" when the part has none
    block_start: int
    block_end: int
    text: str  # plain text of the part, for matching, previews and non-.docx sources
    level: int = 0  # depth of the heading in the reply's own numbering (1 = top); 0 = none
    context: tuple[str, ...] = ()  # the reply's enclosing headings, outermost first
    rows: tuple[int, int] | None = None  # part cut from the table at block_start: rows [a, b)


class PlacementStatus(StrEnum):
    AUTO = "auto"  # placed by the matcher above threshold
    REVIEWED = "reviewed"  # placed or confirmed by a person
    REVIEW = "review"  # uncertain: waits for a person, candidates kept
    UNPLACED = "unplaced"  # fits no section: goes to the draft's appendix
    SUPERSEDED = "superseded"  # replaced by a later revision from the same department


@dataclass(frozen=True)
class Placement:
    """The matcher's decision for one part, with its evidence."""

    part: int  # ReportPart.ordinal
    section_key: str | None
    score: float
    status: PlacementStatus
    candidates: tuple[tuple[str, float], ...] = ()  # (section key, score), best first


@dataclass(frozen=True)
class PlacedPart:
    """What assembly needs of one placed part: where it goes, who wrote it, where it is."""

    section_key: str | None  # None: appendix (unplaced or in review)
    department: str  # code
    attribution: Attribution
    source: str  # absolute path of the .docx that holds the part; "" for text-only sources
    block_start: int
    block_end: int
    text: str  # used when ``source`` is not a .docx (PDF text, mail body)
    status: PlacementStatus = PlacementStatus.AUTO
    part_id: int = 0
    candidates: tuple[str, ...] = ()  # section keys, best first (parts waiting for review)
    from_scan: bool = False  # its text was recognised from a scan (OCR): check the original
    rows: tuple[int, int] | None = None  # cut from the table at block_start: rows [a, b)
    #: the department's own heading, left out because it restates the outline's (the
    #: draft's heading says it): its footnote/endnote references still go in
    dropped_heading: int | None = None
    may_renew: int = 0  # in review: may be a newer version of this earlier part (its id)
    may_renew_sent: datetime | None = None  # when that earlier part's mail came
