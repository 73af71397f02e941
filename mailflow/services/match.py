"""After intake recorded a report mail: its documents → parts → placements, then a receipt.

The shell around the pure matcher (``core.segment.split``, ``core.match.decide_placements``,
``revise``):
read each document's blocks from the archive, set aside a re-attached outline, split,
place, and store parts, placements and what a revision supersedes in ONE transaction, so
a crash leaves the mail either fully matched or not at all (and the next run redoes it).

Placements are append-only: a part's current placement is its newest row; superseding a
part or a person's ``mailflow place`` adds a row. So ``mailflow history`` can show every
decision, and nothing a department wrote is ever deleted.

Then the department gets ONE receipt (Auto-Submitted: auto-replied) saying which of its
sections arrived and which are missing, so a wrong placement is caught by its authors;
never to an auto-reply, a bounce or a list (RFC 3834, ``identify.may_auto_answer``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from mailflow.adapters import mail_parse
from mailflow.adapters.archive import Archive
from mailflow.adapters.docx_read import read_docx
from mailflow.adapters.sanitize import removed_lines
from mailflow.adapters.store import Store
from mailflow.config import Config, IntakeSettings
from mailflow.core.due import missing_sections
from mailflow.core.identify import list_addresses, may_auto_answer
from mailflow.core.match import (
    CopyCheck,
    PlacedRow,
    Revision,
    check_copy,
    decide_placements,
    fill_in,
    revise,
    revision_word,
    same_report_copies,
    title_heading,
)
from mailflow.core.reply_body import strip_reply
from mailflow.core.sections import name_of_key, section_name
from mailflow.core.segment import (
    Boilerplate,
    Segmentation,
    blocks_from_text,
    split,
    title_lines,
)
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import (
    Block,
    BlockKind,
    Campaign,
    MailKind,
    Outline,
    Placement,
    PlacementStatus,
    ReportPart,
)
from mailflow.services.basics import (  # moved there: `mailflow status` needs only these
    MAYBE_RENEWS_PREFIX,
    REPLACED_PREFIX,
    SAME_REPORT_REASON,
    SYSTEM,
    arrival,
    load_outline,
)
from mailflow.services.outbox import queue_mail

#: Placement statuses that count as "this section was received".
LIVE = (PlacementStatus.AUTO.value, PlacementStatus.REVIEWED.value)


# --- a document's blocks ------------------------------------------------------------------


def _pdf_text(data: bytes, bounds: IntakeSettings) -> str:
    """Text of a PDF stored before intake kept its docx form (older state files).

    Intake now extracts a PDF's text ONCE and stores it as the document's docx form; this
    reads only rows from before that, with the same bounded extractor and the same bounds:
    the unpacker's page cap and ``[intake]``'s time and text size, as configured.
    """
    # here, not at the top: only a state file from before docx forms ever needs them
    from mailflow.adapters import pdf
    from mailflow.adapters.unpack import Limits

    try:
        return pdf.extract_text(
            data,
            max_pages=Limits().pdf_max_pages,
            timeout=bounds.pdf_timeout_seconds,
            max_bytes=bounds.pdf_max_text_bytes,
        ).text
    except pdf.PdfProblem:  # unpack vetted it then; unreadable now is no text
        return ""


def document_blocks(
    archive: Archive, doc: dict[str, Any], bounds: IntakeSettings | None = None
) -> tuple[tuple[Block, ...], str]:
    """Blocks of one stored document and the .docx that holds them ("" for text sources).

    ``bounds``: the ``[intake]`` settings that bound reading an old row's PDF (defaults
    when not given)."""
    if doc.get("docx_path"):
        path = archive.path(doc["docx_path"])
        return read_docx(path, doc.get("name") or path.name), str(path)
    data = archive.read(doc["archive_path"])
    ctype = (doc.get("content_type") or "").lower()
    if ctype == "application/pdf" or data[:5] == b"%PDF-":
        return blocks_from_text(_pdf_text(data, bounds or IntakeSettings())), ""
    if ctype.startswith("text/"):
        text = data.decode("utf-8", "replace")
        return blocks_from_text(strip_reply(text)), ""
    return (), ""


def directive_lines(
    store: Store, archive: Archive, campaign: str, department: str | None = None
) -> tuple[str, ...]:
    """The text lines of the directive letter we sent, to recognise it when sent back.

    Each department's letter names it and its sections, so the one sent to
    ``department`` is read (any other when it got none): its first .docx attachment is
    the letter, the second the marked outline. () when none was sent from this state.
    """
    return _sent_docx_lines(store, archive, campaign, department)[0]


def marked_outline_lines(
    store: Store, archive: Archive, campaign: str, department: str | None = None
) -> tuple[str, ...]:
    """The lines of the marked outline we sent the department (its notes "Phòng X viết
    mục này", the summary of its sections): when it fills that outline in and sends it
    back, these lines are ours, never its report text."""
    return _sent_docx_lines(store, archive, campaign, department)[1]


def _sent_docx_lines(
    store: Store, archive: Archive, campaign: str, department: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(letter lines, marked outline lines) of the directive sent to ``department``."""
    try:
        key = store.directive_archive_path(campaign, department)
    except Exception:  # no outbox table in an old state file
        return (), ()
    if key is None:
        return (), ()
    if key not in _DIRECTIVES:
        docs: list[tuple[str, ...]] = []
        try:
            parsed = mail_parse.parse(archive.read(key))
            for part in mail_parse.walk(parsed.message):
                name = (mail_parse.filename(part) or "").lower()
                if name.endswith(".docx") and len(docs) < 2:
                    blocks = read_docx(mail_parse.payload_bytes(part), name)
                    found: list[str] = []
                    for b in blocks:
                        cells = [c for row in b.cells for c in row] if b.cells else []
                        found.extend(cells or [b.display_text])
                    docs.append(tuple(x for x in found if x.strip()))
        except (OSError, MailflowError):
            docs = []
        docs += [()] * (2 - len(docs))
        _DIRECTIVES[key] = (docs[0], docs[1])
    return _DIRECTIVES[key]


_DIRECTIVES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}


# --- one mail -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchResult:
    mail_id: int
    campaign: str
    department: str
    parts: int = 0
    placed: int = 0
    review: int = 0
    unplaced: int = 0
    superseded: int = 0
    ignored: tuple[str, ...] = ()  # documents set aside (outline copies), by name
    receipt: bool = False  # a receipt was queued
    already: bool = False  # the mail had been matched before: nothing done
    #: documents intake has not read yet: the mail is left unmatched until they are read
    #: (then the next match places the whole mail once)
    waiting: int = 0
    received: tuple[str, ...] = field(default=())  # the department's sections now in
    missing: tuple[str, ...] = field(default=())  # the department's sections still missing
    #: a mail split between campaigns (issue 18): the result for each other campaign
    others: tuple[MatchResult, ...] = ()


@dataclass
class _DocParts:
    doc: dict[str, Any]
    parts: tuple[ReportPart, ...]
    placements: tuple[Placement, ...]


def _mail_row(store: Store, mail_id: int) -> dict[str, Any]:
    row = store.mail_by_id(mail_id)
    if row is None:
        raise MailflowError(t("review.no_mail", id=mail_id), t("review.no_mail_hint"))
    return row


def _previous(
    store: Store, campaign: str, department: str, mail_id: int
) -> list[tuple[PlacedRow, datetime | None, str]]:
    """The department's other parts in this campaign: current placement, arrival and the
    subject of the mail each came in."""
    rows = store.department_parts_elsewhere(campaign, department, mail_id)
    return [
        (
            PlacedRow(
                r["part_id"],
                r["section_key"],
                PlacementStatus(r["status"]),
                str(r["document_id"]),
                own_text(r["text"] or "", r["heading"] or ""),
            ),
            arrival(r),
            r["subject"] or "",
        )
        for r in rows
    ]


#: ``decided_by`` of a newer version that took the section of the part it renews.
SAME_TEXT_MARK = "same text as an earlier part"


def replaced_mark(part_id: int) -> str:
    return f"{REPLACED_PREFIX}{part_id}"


def own_text(text: str, heading: str) -> str:
    """A part's text without its heading line: two parts under the same long heading are
    not versions of each other because of the heading (revise compares what they say)."""
    first, _, rest = text.partition("\n")
    return rest if heading and first.strip() == heading.strip() else text


def _plain_text(blocks: Sequence[Block]) -> str:
    return "\n".join(
        " ".join(c for row in b.cells for c in row) if b.kind is BlockKind.TABLE else b.text
        for b in blocks
    )


_WORD_EXT = frozenset({"docx", "docm", "dotx", "dotm"})
_CONVERTED_EXT = frozenset({"doc", "dot", "odt", "ott", "rtf", "wps"})
_SHEET_EXT = frozenset({"xlsx", "xlsm", "xls", "ods"})
_IMAGE_EXT = frozenset({"jpg", "jpeg", "png", "tif", "tiff", "bmp", "webp", "gif"})
_OCR_REASONS = frozenset({"intake.unpack.pdf_ocr", "intake.unpack.image_ocr"})


def _form_rank(doc: dict[str, Any]) -> int | None:
    """How editable a document's ORIGINAL is: the draft takes the most editable of twins.

    Every format now has a docx form at intake (PDF text, OCR text, sheets, HTML bodies), so
    the docx form says nothing about editability: the original's extension decides (intake
    trusts it over the declared type), then its content type, then how its text was got.
    0 native Word, 1 converted .doc/.odt/.rtf, 2 a mail body (HTML or plain), 3 a PDF's text
    layer, 4 text recognised from a scan, 5 a picture. ``None``: a workbook is tables, never
    another form of a written report, so it is never compared.
    """
    ctype = (doc.get("content_type") or "").lower()
    name = (doc.get("name") or "").lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in _SHEET_EXT or "spreadsheet" in ctype or "ms-excel" in ctype:
        return None
    if doc.get("reason") in _OCR_REASONS:
        return 4
    if ext in _WORD_EXT or (not ext and "wordprocessingml" in ctype):
        return 0
    if ext in _CONVERTED_EXT or (
        not ext and any(m in ctype for m in ("msword", "ms-word", "opendocument.text", "rtf"))
    ):
        return 1
    if name in ("body.txt", "body.html") or ext in ("txt", "htm", "html"):
        return 2
    if ext == "pdf" or ctype == "application/pdf":
        return 3
    if ext in _IMAGE_EXT or ctype.startswith("image/"):
        return 5
    if ctype.startswith("text/"):
        return 2
    return 3


_OUTLINE_LINES: dict[tuple[str, float], tuple[str, ...]] = {}


def outline_lines(campaign: Campaign) -> tuple[str, ...]:
    """Every line of the outline document as sent (title, notes and all), cached."""
    path = Path(campaign.outline)
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return ()
    if key not in _OUTLINE_LINES:
        found: list[str] = []
        for b in read_docx(path):
            found.extend([c for row in b.cells for c in row] if b.cells else [b.display_text])
        _OUTLINE_LINES[key] = tuple(x for x in found if x.strip())
    return _OUTLINE_LINES[key]


def current_sections(store: Store, campaign: str, department: str) -> set[str]:
    """Sections the department has live (auto or reviewed) parts in."""
    return store.sections_with_status(campaign, department, LIVE)


def _keep_pictures(
    parts: tuple[ReportPart, ...], boiler: Sequence[Boilerplate], blocks: Sequence[Block]
) -> tuple[ReportPart, ...]:
    """A picture set aside as an "empty" line right after a part belongs to that part.

    A picture paragraph has no text, so a trailing one can look like blank noise; but
    nothing a department wrote may be dropped, and the draft must carry its pictures.
    """
    pictures = {b.index for b in blocks if b.has_image or b.kind is BlockKind.IMAGE}
    out = list(parts)
    for b in sorted(boiler, key=lambda x: x.block_start):
        if b.rows is not None or b.block_start not in pictures:
            continue
        for i, part in enumerate(out):
            if part.rows is None and part.block_end == b.block_start:
                out[i] = replace(part, block_end=b.block_end)
                break
    return tuple(out)


def _readable(
    store: Store,
    docs: list[dict[str, Any]],
    archive: Archive,
    now: datetime,
    bounds: IntakeSettings,
) -> list[tuple[dict[str, Any], tuple[Block, ...]]]:
    """Each document's blocks; one that cannot be read is quarantined, never stops the rest.

    A file intake accepted may still defeat the reader (Strict OOXML, a broken package):
    it is marked ``quarantined`` (the reader's one-line error goes to the event log), so
    the draft's appendix lists it and its original goes to the Office, and the mail's
    other documents are matched as usual.
    """
    out: list[tuple[dict[str, Any], tuple[Block, ...]]] = []
    for doc in docs:
        try:
            blocks = document_blocks(archive, doc, bounds)[0]
        except MailflowError as exc:
            with store.transaction():
                store.set_document_status(doc["id"], "quarantined", "assemble.document_unreadable")
                store.event("match.unreadable", now, document=doc["id"], error=exc.message[:300])
            continue
        if blocks:
            out.append((doc, blocks))
    return out


def match_mail(
    cfg: Config,
    store: Store,
    archive: Archive,
    mail_id: int,
    now: datetime,
    *,
    send_receipt: bool = True,
    decided_by: str = SYSTEM,
) -> MatchResult:
    """Match one recorded report mail; a mail matched before is left alone."""
    mail = _mail_row(store, mail_id)
    campaign_id, department = mail.get("campaign"), mail.get("department")
    if mail.get("kind") != MailKind.REPORT.value or not campaign_id or not department:
        raise MailflowError(
            t("review.not_a_report", id=mail_id, kind=mail.get("kind") or "-"),
            t("review.not_a_report_hint", id=mail_id),
        )
    if mail.get("matched_at"):
        return MatchResult(mail_id, campaign_id, department, already=True)
    if waiting := store.waiting_documents(mail_id):  # matched now, their text would be lost
        return MatchResult(mail_id, campaign_id, department, waiting=waiting)
    docs = store.readable_documents(mail_id)
    # one mail, two campaigns (issue 18): documents intake found answering another campaign
    # carry it; each campaign is matched over its own documents, the mail's own first
    groups: dict[str, list[dict[str, Any]]] = {campaign_id: []}
    for doc in docs:
        groups.setdefault(doc.get("campaign") or campaign_id, []).append(doc)
    results = [
        _match_campaign(
            cfg,
            store,
            archive,
            mail,
            cid,
            cdocs,
            now,
            send_receipt=send_receipt,
            decided_by=decided_by,
            last=n == len(groups) - 1,
            split_note=_split_note(groups, cid) if len(groups) > 1 else None,
        )
        for n, (cid, cdocs) in enumerate(groups.items())
    ]
    return replace(results[0], others=tuple(results[1:]))


def _split_note(groups: dict[str, list[dict[str, Any]]], campaign_id: str) -> tuple[str, str, str]:
    """(documents here, documents elsewhere, the other campaigns) for a split mail's receipt."""
    here = ", ".join(d["name"] for d in groups[campaign_id]) or "-"
    there = ", ".join(d["name"] for c, ds in groups.items() if c != campaign_id for d in ds)
    return here, there or "-", ", ".join(c for c in groups if c != campaign_id)


def _match_campaign(
    cfg: Config,
    store: Store,
    archive: Archive,
    mail: dict[str, Any],
    campaign_id: str,
    docs: list[dict[str, Any]],
    now: datetime,
    *,
    send_receipt: bool,
    decided_by: str,
    last: bool = True,
    split_note: tuple[str, str, str] | None = None,
) -> MatchResult:
    """Match ``docs`` of ``mail`` under one campaign; ``last`` marks the mail matched.

    Gather → decide → apply, in this order: the documents are read and split and the
    department's earlier parts fetched before anything is written (only an unreadable
    document is quarantined on the way, in its own transaction); then parts, placements,
    supersessions and the "matched" mark go in ONE transaction, so a crash leaves the
    mail fully matched or not at all; the receipt is queued only after that commit.
    """
    mail_id, department = int(mail["id"]), str(mail["department"])
    campaign = cfg.campaign(campaign_id)
    outline = load_outline(cfg, campaign)
    decision = _decide(cfg, store, archive, mail, campaign, outline, docs, now)
    same_text = cfg.matching.same_text_ratio
    counts = _apply(
        store,
        mail,
        campaign_id,
        decision,
        now,
        decided_by,
        last,
        same_text,
        short_chars=cfg.matching.short_text_chars,
    )
    received = current_sections(store, campaign_id, department)
    # the same notion as the reminders: top sections, covered by any sub-section
    missing = missing_sections(outline, department, received)
    total = sum(counts.values())
    receipt = False
    if send_receipt and total:
        receipt = queue_receipt(
            cfg,
            store,
            archive,
            mail,
            campaign,
            outline,
            now,
            received=received,
            missing=missing,
            replaced=_replaced(outline, decision),
            split_note=split_note,
        )
    return MatchResult(
        mail_id,
        campaign_id,
        department,
        parts=total,
        placed=counts["auto"] + counts["reviewed"],
        review=counts["review"],
        unplaced=counts["unplaced"],
        superseded=len(decision.revision.superseded),
        ignored=tuple(d["name"] for d, _ in decision.found.ignored),
        receipt=receipt,
        received=tuple(s.key for s in outline.sections if s.key in received),
        missing=missing,
    )


@dataclass(frozen=True)
class _Found:
    """What one campaign's documents of a mail hold, decided before anything is written."""

    results: list[_DocParts]  # each kept document's parts and their placements
    ignored: list[tuple[dict[str, Any], str]]  # (document, why): our outline/directive back
    copies: list[tuple[dict[str, Any], dict[str, Any]]]  # (other form, the form kept)
    said: str  # the revision word the subject or a document's opening says, or ""


def _found_parts(
    cfg: Config,
    store: Store,
    archive: Archive,
    mail: dict[str, Any],
    campaign: Campaign,
    outline: Outline,
    docs: list[dict[str, Any]],
    now: datetime,
) -> _Found:
    """Gather and decide: each document's parts and placements, or why it is set aside.

    A copy of what we sent (outline, directive letter) is set aside, not matched as report
    text; of the same report in two forms only the most editable one enters; an outline
    the department typed into is read section by section.
    """
    department = str(mail["department"])
    directive, sent = _sent_lines(cfg, store, archive, campaign, department)
    read = _readable(store, docs, archive, now, cfg.intake)
    twins, copies = _twins(read, cfg.matching.same_report_ratio)
    results: list[_DocParts] = []
    ignored: list[tuple[dict[str, Any], str]] = []
    intro: list[str] = [mail.get("subject") or "", _covering_note(archive, mail)]
    titles = title_lines([s.title for s in outline.sections])
    for n, (doc, blocks) in enumerate(read):
        if n in twins:
            continue
        copy = check_copy(blocks, outline, directive, sent, budget=cfg.matching.copy_check_work)
        if copy.is_copy:
            ignored.append((doc, copy.reason))
            continue
        seg = split(blocks, titles)
        first = seg.parts[0].block_start if seg.parts else None
        intro.append(
            " ".join(b.display_text for b in blocks if first is None or b.index < first)[:600]
        )
        parts, placements = _place_document(blocks, copy, seg, outline, department, campaign)
        if parts:
            results.append(_DocParts(doc, parts, placements))
    return _Found(results, ignored, copies, revision_word(*intro))


def _covering_note(archive: Archive, mail: dict[str, Any]) -> str:
    """The opening of the mail's own text (quotes aside): "Thay thế báo cáo trước." in
    the body of a mail whose report is attached says it is a revision as a subject does.
    Such a short body is no document of the mail (intake keeps the attachments), so it is
    read here from the archived mail; "" when it cannot be read."""
    try:
        parsed = mail_parse.parse(archive.read(mail["archive_path"]))
    except (OSError, KeyError):
        return ""
    return strip_reply(mail_parse.mail_headers(parsed).body_text)[:600]


def _sent_lines(
    cfg: Config, store: Store, archive: Archive, campaign: Campaign, department: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(directive lines, outline lines) of what we sent, to recognise it coming back.

    A copy of ANY campaign's directive letter sent back is ours, not report text (issue
    18: a department answering two campaigns re-attaches the other one's letter too).
    """
    others = [c.id for c in cfg.campaigns if c.id != campaign.id]
    directive = tuple(
        line
        for cid in (campaign.id, *others)
        for line in directive_lines(store, archive, cid, department)
    )
    marked = marked_outline_lines(store, archive, campaign.id, department)
    return directive, (*outline_lines(campaign), *marked)


def _twins(
    read: list[tuple[dict[str, Any], tuple[Block, ...]]], ratio: float
) -> tuple[dict[int, int], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """The same report in two forms (.docx + its signed .pdf) enters once, editable form.

    Returns {index in ``read`` of a copy: index of the form kept} and the (copy, kept)
    document pairs, in attachment order.
    """
    ranked = [(n, _form_rank(d)) for n, (d, _b) in enumerate(read)]
    compared = [(n, rank) for n, rank in ranked if rank is not None]
    found = same_report_copies([(_plain_text(read[n][1]), rank) for n, rank in compared], ratio)
    twins = {compared[i][0]: compared[j][0] for i, j in found.items()}
    return twins, [(read[i][0], read[j][0]) for i, j in sorted(twins.items())]


def _place_document(
    blocks: tuple[Block, ...],
    copy: CopyCheck,
    seg: Segmentation,
    outline: Outline,
    department: str,
    campaign: Campaign,
) -> tuple[tuple[ReportPart, ...], tuple[Placement, ...]]:
    """One document's parts and where each goes; ((), ()) when it has none.

    A filled-in outline is placed by where the department typed; a free reply by its
    headings, and a headless first part by the title line the segmenter kept above it.
    """
    if copy.form:
        # the outline, filled in: what the department typed under each section
        return fill_in(blocks, copy, [(x.block_start, x.block_end) for x in seg.boilerplate])
    if not seg.parts:
        return (), ()
    parts = _keep_pictures(seg.parts, seg.boilerplate, blocks)
    placements = decide_placements(parts, outline, department, campaign.synonyms)
    title = title_heading(parts, seg.boilerplate)
    if title:
        # the subject line the segmenter kept as the title names the first part
        alone = decide_placements(
            [replace(parts[0], heading=title)], outline, department, campaign.synonyms
        )[0]
        if alone.status is PlacementStatus.AUTO:
            placements = (alone, *placements[1:])
    return parts, placements


def _provisional_id(k: int, ordinal: int) -> int:
    """The id a new part goes by in the decision (negative), before the store gives it one."""
    return -(k * 100_000 + ordinal + 1)


def _provisional(results: list[_DocParts]) -> list[PlacedRow]:
    """The new parts as ``revise`` compares them: provisional ids, text without heading."""
    provisional: list[PlacedRow] = []
    for k, r in enumerate(results):
        by_ordinal = {p.part: p for p in r.placements}
        for part in r.parts:
            pl = by_ordinal[part.ordinal]
            provisional.append(
                PlacedRow(
                    _provisional_id(k, part.ordinal),
                    pl.section_key,
                    pl.status,
                    str(r.doc["id"]),
                    own_text(part.text, part.heading),
                )
            )
    return provisional


@dataclass(frozen=True)
class _History:
    """The department's earlier parts in the campaign, split by arrival around this mail."""

    earlier: list[PlacedRow]  # sent before this mail (or undated): this one may replace them
    later: list[PlacedRow]  # sent after it and still standing: they may replace this one
    later_said: bool  # a later mail's subject says it is a revision
    sent_on: dict[int, datetime | None]  # part id → when its mail arrived


def _history(store: Store, campaign_id: str, department: str, mail: dict[str, Any]) -> _History:
    """Gather the department's other parts, "earlier" and "later" by arrival.

    A report that arrives out of order (an old mail ingested from a file) does not
    replace what the department sent after it; it is replaced.
    """
    mine = arrival(mail)
    earlier: list[PlacedRow] = []
    later: list[PlacedRow] = []
    later_said = False
    sent_on: dict[int, datetime | None] = {}
    for row, when, subject in _previous(store, campaign_id, department, int(mail["id"])):
        sent_on[row.part_id] = when
        if mine is None or when is None or when <= mine:
            earlier.append(row)
        elif row.status is not PlacementStatus.SUPERSEDED:
            later.append(row)
            later_said = later_said or bool(revision_word(subject))
    return _History(earlier, later, later_said, sent_on)


@dataclass(frozen=True)
class _Decision:
    """Everything decided for one campaign's documents of a mail, before any write."""

    found: _Found  # the new parts and the documents set aside
    history: _History  # the department's earlier and later parts
    revision: Revision  # which earlier parts the new ones replace


def _decide(
    cfg: Config,
    store: Store,
    archive: Archive,
    mail: dict[str, Any],
    campaign: Campaign,
    outline: Outline,
    docs: list[dict[str, Any]],
    now: datetime,
) -> _Decision:
    """Gather and decide, in this order: the documents' parts first, then the department's
    other parts, then (pure) which of those the new ones replace."""
    found = _found_parts(cfg, store, archive, mail, campaign, outline, docs, now)
    history = _history(store, campaign.id, str(mail["department"]), mail)
    revision = revise(
        history.earlier,
        _provisional(found.results),
        revision=bool(found.said),
        same_text=cfg.matching.same_text_ratio,
        short_chars=cfg.matching.short_text_chars,
    )
    return _Decision(found, history, revision)


def _apply(
    store: Store,
    mail: dict[str, Any],
    campaign_id: str,
    decision: _Decision,
    now: datetime,
    decided_by: str,
    last: bool,
    same_text: float,
    *,
    short_chars: int,
) -> dict[str, int]:
    """Apply the decision in ONE transaction; the placement counts by status.

    Set-aside documents, new parts with their placements, the earlier (and later) parts
    they supersede, the "matched" mark and the event: all or nothing, so a crash leaves
    the mail to be matched again from scratch and nothing is placed twice.
    """
    mail_id, department = int(mail["id"]), str(mail["department"])
    found, history, revision = decision.found, decision.history, decision.revision
    stamp = now.isoformat(timespec="seconds")
    with store.transaction():
        for doc, reason in found.ignored:
            store.set_document_status(doc["id"], "ignored", f"review.reason.copy_{reason}")
        for doc, _kept in found.copies:
            store.set_document_status(doc["id"], "ignored", SAME_REPORT_REASON)
        fresh, real, counts = _store_parts(
            store,
            mail_id,
            campaign_id,
            department,
            found.results,
            dict(revision.inherit),
            _held_by(revision, history),
            stamp=stamp,
            decided_by=decided_by,
        )
        outdated = (
            # a later part only alike (held) leaves both standing: nothing is lost
            revise(
                fresh,
                history.later,
                revision=history.later_said,
                same_text=same_text,
                short_chars=short_chars,
            )
            if history.later
            else None
        )
        marks: list[tuple[int, str]] = [
            (old, replaced_mark(real.get(by, 0))) for old, by in revision.replaced_by
        ]
        if outdated is not None:
            marks += [(old, replaced_mark(by)) for old, by in outdated.replaced_by]
        for part_id, mark in marks:
            store.supersede_part(part_id, decided_by=mark, created_at=stamp)
        if last:
            store.set_matched(mail_id, stamp)
        store.event(
            "match.placed",
            now,
            campaign=campaign_id,
            department=department,
            mail_id=mail_id,
            parts=sum(counts.values()),
            **counts,
            revision=found.said,
            superseded=list(revision.superseded),
            outdated=list(outdated.superseded) if outdated else [],
            covered=list(revision.covered),
            ignored=[d["name"] for d, _ in found.ignored],
            copies=[[d["name"], kept["name"]] for d, kept in found.copies],
        )
    return counts


def _store_parts(
    store: Store,
    mail_id: int,
    campaign_id: str,
    department: str,
    results: list[_DocParts],
    inherit: dict[int, str],
    held: dict[int, PlacedRow],
    *,
    stamp: str,
    decided_by: str,
) -> tuple[list[PlacedRow], dict[int, int], dict[str, int]]:
    """Insert the new parts and their first placements (inside the caller's transaction).

    A part the store already holds is skipped (exactly once). A newer version of a part
    placed before takes that part's section; a part that may be one (``held``: provisional
    id → the earlier part) waits for review, that part's section its first candidate.
    Returns the parts as placed (real ids), the provisional id → real id map, and the
    counts by status.
    """
    fresh: list[PlacedRow] = []
    real: dict[int, int] = {}
    counts = {"auto": 0, "reviewed": 0, "review": 0, "unplaced": 0}
    for k, r in enumerate(results):
        by_ordinal = {p.part: p for p in r.placements}
        for part in r.parts:
            new_id = _add_part(store, r.doc, part, mail_id, campaign_id, department, stamp)
            if new_id is None:
                continue
            pl = by_ordinal[part.ordinal]
            ref = _provisional_id(k, part.ordinal)
            real[ref] = new_id
            decided = decided_by
            if ref in inherit:
                # a newer version of a part placed before: it takes that part's place
                pl = replace(pl, section_key=inherit[ref], status=PlacementStatus.AUTO)
                decided = f"{SYSTEM}: {SAME_TEXT_MARK}"
            elif ref in held:
                pl = _held_placement(pl, held[ref])
                decided = f"{MAYBE_RENEWS_PREFIX}{held[ref].part_id}"
            counts[pl.status.value] = counts.get(pl.status.value, 0) + 1
            fresh.append(
                PlacedRow(
                    real[ref],
                    pl.section_key,
                    pl.status,
                    str(r.doc["id"]),
                    own_text(part.text, part.heading),
                )
            )
            store.add_placement(
                new_id,
                section_key=pl.section_key,
                score=round(pl.score, 2),
                status=pl.status.value,
                candidates=json.dumps([[k2, round(s2, 2)] for k2, s2 in pl.candidates]),
                decided_by=decided,
                created_at=stamp,
            )
    return fresh, real, counts


def _held_by(revision: Revision, history: _History) -> dict[int, PlacedRow]:
    """Provisional id of each new part held for review → the earlier part it may renew."""
    rows = {r.part_id: r for r in history.earlier}
    return {new: rows[old] for new, old in revision.held if old in rows}


def _held_placement(pl: Placement, earlier: PlacedRow) -> Placement:
    """A new part that may renew ``earlier`` waits for review; the section of the part
    it may renew is offered first."""
    section = earlier.section_key or pl.section_key
    if section is None:
        return replace(pl, status=PlacementStatus.REVIEW)
    score = max((s for k, s in pl.candidates if k == section), default=pl.score)
    rest = tuple((k, s) for k, s in pl.candidates if k != section)
    return replace(
        pl,
        section_key=section,
        status=PlacementStatus.REVIEW,
        candidates=((section, score), *rest),
    )


def _add_part(
    store: Store,
    doc: dict[str, Any],
    part: ReportPart,
    mail_id: int,
    campaign_id: str,
    department: str,
    stamp: str,
) -> int | None:
    """Store one new part; None when the store already holds it (matched once only)."""
    return store.add_part(
        document_id=doc["id"],
        mail_id=mail_id,
        campaign=campaign_id,
        department=department,
        ordinal=part.ordinal,
        heading=part.heading,
        text=part.text,
        block_start=part.block_start,
        block_end=part.block_end,
        created_at=stamp,
        row_start=part.rows[0] if part.rows else None,
        row_end=part.rows[1] if part.rows else None,
        level=part.level,
        context=json.dumps(list(part.context), ensure_ascii=False),
    )


def _replaced(outline: Outline, decision: _Decision) -> list[tuple[str, str]]:
    """(section name, date sent) of each earlier part this mail replaced, for the receipt."""
    rows = {r.part_id: r for r in decision.history.earlier}
    sent_on = decision.history.sent_on
    return sorted(
        {
            (
                _heading_of(outline, rows[old].section_key),
                when.strftime("%d/%m/%Y") if (when := sent_on.get(old)) else "-",
            )
            for old, _by in decision.revision.replaced_by
            if old in rows
        }
    )


def _heading_of(outline: Outline, key: str | None) -> str:
    return name_of_key(outline, key, "-")


def revise_on_place(
    store: Store, part_id: int, section: str | None, *, user: str, now: datetime
) -> tuple[int, ...]:
    """A person placed a part of a mail that said it was a revision: now that its section
    is known, it replaces the department's earlier parts of that section (as the match
    would have, had it been sure). Returns the part ids superseded ((): none)."""
    if section is None:
        return ()
    owner = store.part(part_id)
    if owner is None:
        return ()
    mail_id, campaign, department = owner["mail_id"], owner["campaign"], owner["department"]
    said = store.last_event_detail("match.placed", mail_id)
    if not json.loads(said or "{}").get("revision"):
        return ()
    mine = arrival(_mail_row(store, mail_id))
    earlier = [
        row
        for row, when, _subject in _previous(store, campaign, department, mail_id)
        if mine is None or when is None or when <= mine
    ]
    placed = PlacedRow(part_id, section, PlacementStatus.REVIEWED)
    # only the section rule: the person decided this one part, not a whole document
    gone = tuple(r.part_id for r in earlier if r.section_key == section and r.status.value in LIVE)
    if not gone:
        return ()
    stamp = now.isoformat(timespec="seconds")
    with store.transaction():
        for old in gone:
            store.supersede_part(old, decided_by=replaced_mark(placed.part_id), created_at=stamp)
        store.event(
            "review.revision_placed",
            now,
            campaign=campaign,
            department=department,
            mail_id=mail_id,
            part=part_id,
            superseded=list(gone),
            by=user,
        )
    return gone


def restore_part(store: Store, part_id: int, *, user: str, now: datetime) -> dict[str, Any]:
    """Bring back a part a later one replaced: its placement before it was superseded,
    as a new row signed by ``user`` (the replacing part stays; ``place N none`` moves it).

    Returns the restored row (part, campaign, department, mail_id, section_key, status);
    raises MailflowError when the part does not exist or was not replaced.
    """
    current = store.current_placement(part_id)
    if current is None:
        raise MailflowError(t("review.no_part", id=part_id), t("review.no_part_hint"))
    row = {k: current[k] for k in ("id", "campaign", "department", "mail_id", "status")}
    if row["status"] != PlacementStatus.SUPERSEDED.value:
        raise MailflowError(t("review.not_superseded", id=part_id), t("review.not_superseded_hint"))
    back = store.placement_before_superseded(part_id) or {
        "section_key": None,
        "score": 0.0,
        "status": "unplaced",
        "candidates": "[]",
    }
    record_decision(
        store,
        row,
        part_id,
        "review.restored",
        section_key=back["section_key"],
        score=back["score"],
        status=back["status"],
        candidates=back["candidates"],
        user=user,
        now=now,
        after=back["section_key"],
    )
    return {**row, "section_key": back["section_key"], "status": back["status"]}


def record_decision(
    store: Store,
    row: dict[str, Any],
    part_id: int,
    event: str,
    *,
    section_key: str | None,
    score: float,
    status: str,
    candidates: str,
    user: str,
    now: datetime,
    **detail: Any,
) -> None:
    """A person's decision on part ``part_id`` (of ``row``'s campaign, department and
    mail): a new placement signed by ``user`` (placements are append-only) and its
    ``event`` with ``detail``, in one transaction, so `history` never shows one without
    the other. `place`, `restore` and the Office's reply commands decide this way."""
    with store.transaction():
        store.add_placement(
            part_id,
            section_key=section_key,
            score=score,
            status=status,
            candidates=candidates,
            decided_by=user,
            created_at=now.isoformat(timespec="seconds"),
        )
        store.event(
            event,
            now,
            campaign=row["campaign"],
            department=row["department"],
            mail_id=row["mail_id"],
            part=part_id,
            **detail,
            by=user,
        )


def match_pending(
    cfg: Config, store: Store, archive: Archive, now: datetime, *, send_receipt: bool = True
) -> list[MatchResult]:
    """Match every report mail not matched yet, oldest first (after each poll)."""
    return [
        match_mail(cfg, store, archive, mail_id, now, send_receipt=send_receipt)
        for mail_id in store.unmatched_reports(MailKind.REPORT.value)
    ]


# --- the receipt ------------------------------------------------------------------------


def may_answer(archive: Archive, mail: dict[str, Any]) -> bool:
    """RFC 3834 on the archived bytes: never answer automatic, bounce or list mail."""
    try:
        parsed = mail_parse.parse(archive.read(mail["archive_path"]))
    except OSError:
        return False
    return may_auto_answer(mail_parse.mail_headers(parsed))


def receipt_recipients(cfg: Config, archive: Archive, mail: dict[str, Any]) -> tuple[str, ...]:
    """Who the receipt for a report mail goes to, or () for none.

    An ordinary mail: its sender. A report that came through a list or group, or from a
    document system (RFC 3834: never answered automatically): not the sender, not the
    list — only the department's own configured addresses other than those.
    """
    sender = (mail.get("from_addr") or "").lower()
    try:
        headers = mail_parse.mail_headers(mail_parse.parse(archive.read(mail["archive_path"])))
    except OSError:
        return ()
    if sender and may_auto_answer(headers):
        return (sender,)
    try:
        department = cfg.department(mail.get("department") or "")
    except MailflowError:
        return ()
    avoid = {sender, *(a.lower() for a in list_addresses(headers))}
    return tuple(dict.fromkeys(e.lower() for e in department.emails if e.lower() not in avoid))


def receipt_text(
    outline: Outline,
    department_name: str,
    campaign: Campaign,
    mail: dict[str, Any],
    received: set[str] | Sequence[str],
    missing: Sequence[str],
    review: int,
    lang: str | None = None,
    replaced: Sequence[tuple[str, str]] = (),
    split_note: tuple[str, str, str] | None = None,
) -> tuple[str, str]:
    """Subject and body of the receipt, from the catalogue (no I/O, no clock).

    ``replaced``: (section heading, date sent) of earlier parts this mail replaced, so
    the department sees a revision was taken as one (and can say if it was not).
    ``split_note``: (documents here, documents elsewhere, other campaigns) of a mail whose
    documents answer several campaigns, so the department sees where each one went.
    """
    got = [s for s in outline.sections if s.key in set(received)]
    lines = [
        t("review.receipt_greeting", lang, department=department_name),
        "",
        t(
            "review.receipt_intro",
            lang,
            subject=mail.get("subject") or "-",
            title=campaign.title,
        ),
        "",
    ]
    if split_note:
        here, there, others = split_note
        lines += [t("review.receipt_split", lang, here=here, there=there, others=others), ""]
    lines += [t("review.receipt_received", lang)]
    # sections as a person reads them ("2.1. Những kết quả…"): core.sections
    lines += [f"  • {section_name(outline, s)}" for s in got] or [t("review.receipt_none", lang)]
    lines += ["", t("review.receipt_missing", lang)]
    lines += [f"  • {name_of_key(outline, k, k)}" for k in missing] or [
        t("review.receipt_nothing_missing", lang)
    ]
    if replaced:
        lines += ["", t("review.receipt_replaced", lang)]
        lines += [
            "  • " + t("review.receipt_replaced_line", lang, section=heading, sent=sent)
            for heading, sent in replaced
        ]
    if review:
        lines += ["", t("review.receipt_review", lang, count=review)]
    removed = removed_lines(mail.get("detail"), lang)  # what intake took out, by kind
    if removed:
        lines += ["", t("review.receipt_sanitised", lang), *removed]
    lines += [
        "",
        t("review.receipt_check", lang, deadline=campaign.deadline.strftime("%d/%m/%Y")),
        "",
        t("review.receipt_signoff", lang),
    ]
    subject = t("review.receipt_subject", lang, token=campaign.token, title=campaign.title)
    return subject, "\n".join(lines)


def queue_receipt(
    cfg: Config,
    store: Store,
    archive: Archive,
    mail: dict[str, Any],
    campaign: Campaign,
    outline: Outline,
    now: datetime,
    *,
    received: set[str],
    missing: Sequence[str],
    replaced: Sequence[tuple[str, str]] = (),
    split_note: tuple[str, str, str] | None = None,
) -> bool:
    """Queue the one receipt for this mail; False when there is nobody it may go to."""
    sender = (mail.get("from_addr") or "").lower()
    to = receipt_recipients(cfg, archive, mail)
    if not to:
        store.event(
            "match.receipt_skipped",
            now,
            campaign=campaign.id,
            department=mail.get("department"),
            mail_id=mail["id"],
            sender=sender,
        )
        return False
    department = cfg.department(mail["department"])
    review = store.count_mail_parts(mail["id"], campaign.id, PlacementStatus.REVIEW.value)
    subject, body = receipt_text(
        outline,
        department.name,
        campaign,
        mail,
        received,
        missing,
        review,
        cfg.lang,
        replaced,
        split_note,
    )
    queue_mail(
        cfg,
        store,
        archive,
        kind="receipt",
        campaign=campaign.id,
        department=department.code,
        to=to,
        subject=subject,
        text=body,
        dedupe_key=f"receipt:{campaign.id}:{department.code}:{mail['id']}",
        now=now,
        auto_submitted="auto-replied",
        in_reply_to=mail.get("message_id") or "",
        detail={"mail_id": mail["id"], "received": sorted(received), "missing": list(missing)},
    )
    return True
