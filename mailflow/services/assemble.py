"""Gather the campaign's state → core plan → a new draft version in the archive.

The facts come from three tables: ``parts``/``placements`` (what was placed where; the
newest placement row of a part is its current one, superseded parts are left out),
``sends`` (when the directive went out, whether it failed) and ``mails`` (auto-replies
with a return date, bounces, when each department's report came in). The pure
``core.draft_plan`` decides the draft; ``adapters.draft_docx`` renders it. Every draft is a
NEW version under ``archive/<campaign>/drafts/`` (written atomically, never replaced)
with a ``drafts`` row holding the summary the next version diffs against.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailflow.adapters.archive import Archive, Stored
from mailflow.adapters.store import Store
from mailflow.config import Config, DraftSettings
from mailflow.core.draft_plan import (
    DepartmentStatus,
    DraftPlan,
    Note,
    PlanChanges,
    UnreadDocument,
    build_plan,
    diff,
    is_late,
    note,
    summarize,
)
from mailflow.core.names import title_key
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import (
    Attribution,
    Campaign,
    MailKind,
    Outline,
    PlacedPart,
    PlacementStatus,
)
from mailflow.services.basics import (
    MAYBE_RENEWS_PREFIX,
    arrival,
    attribution_extras,
    load_outline,
    parse_when,
)

if TYPE_CHECKING:  # python-docx and lxml load only where a draft is rendered (_render)
    from mailflow.adapters.draft_docx import DraftDocument


def repeats_title(heading: str, title: str) -> bool:
    """The reply's heading only restates the outline section it sits under.

    Then the draft would print the same line twice (the outline's Heading, then the
    department's copy of it in bold); its own numbering ("II." for the outline's "2.")
    makes the copy confusing too. The heading stays in the state and in the part's text.
    """
    if not heading or not title:
        return False
    a, b = title_key(heading), title_key(title)
    from rapidfuzz import fuzz  # here: `mailflow status` never compares headings

    return bool(a) and fuzz.ratio(a, b) >= 92


def placed_parts(
    store: Store,
    archive: Archive,
    campaign: Campaign,
    *,
    include_superseded: bool = False,
    outline: Outline | None = None,
) -> list[PlacedPart]:
    """Every part of the campaign with its current placement, as assembly needs it.

    With ``outline``, a placed part whose own heading just repeats its section's title
    starts after that heading (see ``repeats_title``).
    """
    titles = {s.key: s.title for s in outline.sections} if outline else {}
    rows = store.parts_for_draft(campaign.id)
    replaced, signed = attribution_extras(store, campaign.id)
    came = {int(r["id"]): arrival(r) for r in rows}
    out: list[PlacedPart] = []
    for r in rows:
        status = PlacementStatus(r["status"])
        if status is PlacementStatus.SUPERSEDED and not include_superseded:
            continue
        received = arrival(r)
        # A part cut from some rows of a table is copied as that table's header row and
        # its own rows (its footnotes, pictures and formatting with them)
        source = str(archive.path(r["docx_path"])) if r["docx_path"] else ""
        cut: tuple[int, int] | None = None
        if r["row_start"] is not None and r["row_end"] is not None:
            cut = (int(r["row_start"]), int(r["row_end"]))
        # the mail body (plain, or HTML given a docx form at intake) has no file to name
        file_name = "" if r["file_name"] in _BODY_NAMES else r["file_name"]
        start, text = r["block_start"], r["text"]
        dropped: int | None = None
        settled = status in (PlacementStatus.AUTO, PlacementStatus.REVIEWED)
        if (
            settled
            and r["row_start"] is None
            and repeats_title(r["heading"] or "", titles.get(r["section_key"] or "", ""))
            and r["block_end"] > start + 1
            and "\n" in text
        ):
            dropped, start, text = start, start + 1, text.split("\n", 1)[1]
        out.append(
            PlacedPart(
                section_key=r["section_key"],
                department=r["department"],
                attribution=Attribution(
                    r["department"],
                    received,
                    file_name,
                    is_late(received, campaign.deadline),
                    replaced.get(r["id"], ()),
                    signed.get(r["id"], ()),
                ),
                source=source,
                block_start=start,
                block_end=r["block_end"],
                text=text,
                status=status,
                part_id=r["id"],
                candidates=_candidate_keys(r["candidates"]),
                from_scan=(r["doc_reason"] or "") in _OCR_REASONS,
                rows=cut,
                dropped_heading=dropped,
                may_renew=(renews := _may_renew(status, r["decided_by"])),
                may_renew_sent=came.get(renews),
            )
        )
    return out


def _may_renew(status: PlacementStatus, decided_by: str | None) -> int:
    """The earlier part a part in review may be a newer version of (0: none)."""
    tail = (decided_by or "")[len(MAYBE_RENEWS_PREFIX) :]
    if status is not PlacementStatus.REVIEW or not (decided_by or "").startswith(
        MAYBE_RENEWS_PREFIX
    ):
        return 0
    return int(tail) if tail.isdigit() else 0


def _candidate_keys(raw: str | None) -> tuple[str, ...]:
    """Section keys of a placement's candidates, best first (stored as [[key, score], ...])."""
    try:
        pairs = json.loads(raw or "[]")
        return tuple(str(p[0]) for p in pairs if isinstance(p, list) and p)
    except (ValueError, TypeError):
        return ()


#: documents of a report that gave no text, by status; an ``ok`` one counts when the
#: matcher took no part from it (a scan without OCR, pictures only, empty)
_NO_TEXT_STATUSES = ("quarantined", "needs-conversion", "ok", "ignored")
#: of the ignored ones only these are a department's content left unread; the others
#: are inline pictures, empty bodies, copies of our outline or signed copies of a report
#: already in the draft
_IGNORED_SHOWN = ("intake.unpack.unsupported", "intake.unpack.image", "intake.unpack.image_no_text")
_BODY_NAMES = ("body.txt", "body.html")
#: intake's reasons for a document whose text was recognised from a scan (OCR)
_OCR_REASONS = ("intake.unpack.pdf_ocr", "intake.unpack.image_ocr")


def unread_documents(
    store: Store,
    archive: Archive,
    campaign: Campaign,
    attach_max_bytes: int | None = None,
    check: DraftSettings | None = None,
) -> list[UnreadDocument]:
    """Every document a department sent for this campaign that gave the draft no text.

    Read from the state as intake and matching left it: quarantined and unconverted
    documents with their stored reason (and its params, kept in the mail's detail), and
    accepted documents the matcher took nothing from; attachments of a type no reader
    takes (a photo, a spreadsheet before a reader exists). Other ignored ones (inline
    pictures, copies of our own outline) are not report content and are left out, and so
    is the mail body: a body with nothing in it is no lost document.

    Each original that could go with the Office mail (not over ``attach_max_bytes``;
    ``None``: any size) is checked for content that acts when opened (``withheld``), in
    a child process bounded by ``check``'s time and memory (default: the config's).
    """
    bounds = check or DraftSettings()
    rows = store.campaign_documents(
        campaign.id, (MailKind.REPORT.value, MailKind.QUARANTINED.value)
    )
    out: list[UnreadDocument] = []
    for r in rows:
        params = _doc_params(r)
        removed = tuple(p for p in params if p[0].startswith("removed_"))
        if removed and r["status"] == "ok" and r["parts"]:
            # its text is in the draft; what intake took out of it is shown all the same
            out.append(
                _listed(r, archive, Note("assemble.sanitised", removed), bounds, gave_text=True)
            )
            continue
        if r["status"] not in _NO_TEXT_STATUSES or r["name"] in _BODY_NAMES:
            continue
        if r["status"] == "ignored" and r["reason"] not in _IGNORED_SHOWN:
            continue
        if r["status"] == "ok":
            if r["parts"] or not r["matched_at"]:
                continue  # it gave text, or matching has not run on it yet
            reason = note("assemble.unread_no_text")
        else:
            reason = Note(r["reason"] or "assemble.unread_no_text", params)
        out.append(_listed(r, archive, reason, bounds, attach_max_bytes=attach_max_bytes))
    return out


def _listed(
    r: dict[str, Any],
    archive: Archive,
    reason: Note,
    bounds: DraftSettings,
    *,
    gave_text: bool = False,
    attach_max_bytes: int | None = None,
) -> UnreadDocument:
    try:
        size = archive.path(r["archive_path"]).stat().st_size
    except OSError:
        size = 0
    # one over the cap is never attached: it is not read just to be judged
    attachable = not gave_text and (attach_max_bytes is None or 0 < size <= attach_max_bytes)
    withheld = _withheld(archive, r["archive_path"], r["name"] or "", bounds) if attachable else ""
    return UnreadDocument(
        department=r["department"] or "",
        sender=r["from_addr"] or "",
        file_name=r["name"],
        reason=reason,
        received=arrival(r),
        archive_path=r["archive_path"],
        size=size,
        gave_text=gave_text,
        withheld=withheld,
    )


def _withheld(archive: Archive, path: str, name: str, bounds: DraftSettings) -> str:
    """What the original holds that would act when the Office opens it ("" for none).

    The Office mail carries the originals of documents that gave no text; the bytes are
    the department's own, never sanitised. One that runs, fetches or reads on opening
    (a program, macros, scripts, outside links, embedded objects, or a file that cannot
    be checked) stays in the archive, and the appendix says so (H33). The check runs in
    a bounded child process: a hostile file costs its own verdict, "unchecked", never the
    draft (R3 #2, H38)."""
    from mailflow.adapters.inert import bounded_active_content

    try:
        data = archive.path(path).read_bytes()
    except OSError:
        return ""  # gone from the archive: nothing to attach anyway
    return bounded_active_content(
        name,
        data,
        timeout=bounds.check_timeout_seconds,
        max_memory_mb=bounds.check_max_memory_mb,
    )


def _doc_params(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The reason's params intake kept for this document in the mail's detail."""
    try:
        notes = json.loads(row["detail"] or "{}").get("documents", [])
    except ValueError:
        return ()
    for n in notes if isinstance(notes, list) else ():
        if isinstance(n, dict) and n.get("ordinal") == row["ordinal"]:
            params = n.get("params") or {}
            return tuple((str(k), str(v)) for k, v in sorted(params.items()))
    return ()


def department_statuses(
    store: Store, cfg: Config, campaign: Campaign
) -> dict[str, DepartmentStatus]:
    """What we know about each department: directive sent/bounced, away, report received."""
    out: dict[str, DepartmentStatus] = {}
    sends = store.directive_sends(campaign.id)
    # a mail split between campaigns (issue 18) is a report to each its documents answer
    mails = store.department_mails(campaign.id)
    for dep in cfg.campaign_departments(campaign):
        code = dep.code
        mine = [s for s in sends if s["department"] == code]
        sent_times = (parse_when(s["sent_at"]) for s in mine if s["status"] == "sent")
        sent_at = max((t for t in sent_times if t is not None), default=None)
        bounced = any(s["status"] == "failed" for s in mine) or any(
            m["kind"] == MailKind.BOUNCE.value and m["department"] == code for m in mails
        )
        away = [m for m in mails if m["department"] == code and m["kind"] == MailKind.AUTO_REPLY]
        returns_on: date | None = None
        for m in away:
            try:
                raw = json.loads(m["detail"] or "{}").get("return_date")
            except ValueError:
                raw = None
            if raw:
                with contextlib.suppress(ValueError):
                    returns_on = date.fromisoformat(raw)
        reports = [
            arrival(m)
            for m in mails
            if m["department"] == code and m["kind"] == MailKind.REPORT and m["matched_at"]
        ]
        received = max((r for r in reports if r is not None), default=None)
        if sent_at is not None or bounced or away or received is not None:
            out[code] = DepartmentStatus(
                code,
                sent_at=sent_at,
                bounced=bounced and received is None,
                out_of_office=bool(away) and received is None,
                returns_on=returns_on,
                received_at=received,
            )
    return out


def gather_plan(
    cfg: Config, store: Store, archive: Archive, campaign: Campaign, now: datetime
) -> DraftPlan:
    outline = load_outline(cfg, campaign)
    parts = placed_parts(store, archive, campaign, outline=outline)
    statuses = department_statuses(store, cfg, campaign)
    return build_plan(
        outline,
        parts,
        statuses,
        cfg.departments,
        campaign,
        now,
        unread=unread_documents(
            store, archive, campaign, cfg.draft.attach_max_bytes, check=cfg.draft
        ),
        attach_max_bytes=cfg.draft.attach_max_bytes,
    )


@dataclass(frozen=True)
class AssembleResult:
    campaign: str
    version: int
    docx_path: Path
    pdf_path: Path | None
    sha256: str
    plan: DraftPlan
    changes: PlanChanges
    change_lines: tuple[str, ...]
    warnings: tuple[str, ...]
    pdf_note: str = ""
    draft_id: int = 0
    isolated: int = 0  # parts copied with a loss (failed, pictures left out): appendix §5
    unchanged: bool = False  # nothing new: this is the last stored version, not a new one


def previous_summary(store: Store, campaign: str) -> tuple[int, dict[str, Any] | None]:
    row = store.latest_draft(campaign)
    if row is None:
        return 0, None
    try:
        summary = json.loads(row["summary"] or "{}")
    except ValueError:
        summary = {}
    return row["version"], summary.get("plan")


def render_note(key: str, params: dict[str, str], lang: str | None = None) -> str:
    try:
        return t(key, lang, **params)
    except (KeyError, IndexError, ValueError):
        return key


def template_path(cfg: Config) -> Path:
    return cfg.templates_dir / "draft.docx"


def assemble(
    cfg: Config,
    store: Store,
    archive: Archive,
    campaign: Campaign,
    now: datetime,
    *,
    out: Path | None = None,
    pdf: bool = True,
    keep: bool = True,
    only_if_changed: bool = False,
) -> AssembleResult:
    """Build the next draft version; ``out`` also gets a copy of the .docx.

    ``keep`` False: a preview written to ``out`` only, with no version number, no
    archive copy and no row (``version`` 0), so ``assemble --out`` does not take a
    number the Office never gets. ``only_if_changed``: when the plan says what the last
    version said, no version is made and the last one is returned (``unchanged``):
    drafts do not pile up without news.

    Gather (plan, last version) → decide (what changed) → apply: render, archive the
    .docx, convert to PDF, then ONE transaction records the version; the copy to ``out``
    comes last, so a failure there never loses a recorded version.
    """
    plan = gather_plan(cfg, store, archive, campaign, now)
    last, previous = previous_summary(store, campaign.id)
    version = _next_version(archive, campaign, last)
    changes = diff(previous, plan)
    lines = tuple(render_note(n.key, n.kwargs, cfg.lang) for n in changes.notes)
    if only_if_changed and not changes.changed and last:
        return _last_version(store, archive, campaign, plan, changes, lines, out)
    if not keep:
        if out is None:
            raise ValueError("a draft that is not kept needs out")
        return _preview(cfg, campaign, plan, changes, lines, out)
    rendered = _render(cfg, plan, version)
    stem = _stem(campaign, version)
    stored = archive.put_named(f"{_folder(campaign)}/{stem}.docx", rendered.data)
    pdf_path, pdf_note = _make_pdf(cfg, archive, campaign, stem, stored.path) if pdf else (None, "")
    summary = {
        "plan": summarize(plan),
        "changes": list(lines),
        "pdf": str(pdf_path.relative_to(archive.root)) if pdf_path else None,
        "warnings": list(rendered.warnings),
    }
    draft_id = _record(store, campaign, version, stored, summary, len(plan.parts), now)
    if out is not None:
        with _writing_to(out):
            _private_copy(stored.path, out)
            if pdf_path is not None and out.suffix.lower() == ".docx":
                _private_copy(pdf_path, out.with_suffix(".pdf"))
    return AssembleResult(
        campaign=campaign.id,
        version=version,
        docx_path=stored.path,
        pdf_path=pdf_path,
        sha256=stored.sha256,
        plan=plan,
        changes=changes,
        change_lines=lines,
        warnings=tuple(rendered.warnings),
        pdf_note=pdf_note,
        draft_id=draft_id,
        isolated=len({id(i.part) for i in rendered.issues}),
    )


def _folder(campaign: Campaign) -> str:
    """The archive folder of a campaign's drafts (readable names: the Office opens them)."""
    return f"{campaign.id}/drafts"


def _stem(campaign: Campaign, version: int) -> str:
    """A draft version's file name without its extension: ``<campaign>-draft-v007``."""
    return f"{campaign.id}-draft-v{version:03d}"


def _next_version(archive: Archive, campaign: Campaign, last: int) -> int:
    """The number the next version takes: after the last recorded one, and after any file
    without a row (a crash before the commit), which keeps its number."""
    version = last + 1
    while archive.path(f"{_folder(campaign)}/{_stem(campaign, version)}.docx").exists():
        version += 1
    return version


def _render(cfg: Config, plan: DraftPlan, version: int) -> DraftDocument:
    """The draft rendered on the office's template (``version`` 0: a preview).

    python-docx, docxcompose and lxml load here: only a draft needs them, so
    ``mailflow status`` (``gather_plan`` from this module) does not load them.
    """
    from mailflow.adapters.draft_docx import render_draft

    return render_draft(
        plan,
        template_path(cfg),
        version=version,
        lang=cfg.lang,
        max_pixels=cfg.draft.max_picture_pixels,
    )


def _preview(
    cfg: Config,
    campaign: Campaign,
    plan: DraftPlan,
    changes: PlanChanges,
    lines: tuple[str, ...],
    out: Path,
) -> AssembleResult:
    """A draft written to ``out`` only: no number, no archive copy, no row (version 0)."""
    preview = _render(cfg, plan, 0)
    _write_out(preview.data, out)
    return AssembleResult(
        campaign=campaign.id,
        version=0,
        docx_path=out,
        pdf_path=None,
        sha256=hashlib.sha256(preview.data).hexdigest(),
        plan=plan,
        changes=changes,
        change_lines=lines,
        warnings=tuple(preview.warnings),
        isolated=len({id(i.part) for i in preview.issues}),
    )


def _make_pdf(
    cfg: Config, archive: Archive, campaign: Campaign, stem: str, docx: Path
) -> tuple[Path | None, str]:
    """The stored draft's PDF in the archive, and the converter's note.

    The .docx is the draft; a PDF is a convenience: a converter that fails or times out
    leaves (None, why) and the version is made all the same.
    """
    from mailflow.adapters.pdf import to_pdf  # the converter: only a draft needs it

    pdf_path: Path | None = None
    with tempfile.TemporaryDirectory(prefix="mailflow-pdf-") as work:
        try:
            made = to_pdf(
                docx,
                Path(work, f"{stem}.pdf"),
                timeout=cfg.draft.pdf_timeout_seconds,
                lang=cfg.lang,
                max_memory_bytes=cfg.intake.convert_max_memory_mb * 1024 * 1024,
            )
        except MailflowError as exc:
            return None, f"{exc.message} {exc.hint}".strip()
        if made.path is not None:
            pdf_bytes = made.path.read_bytes()
            pdf_path = archive.put_named(f"{_folder(campaign)}/{stem}.pdf", pdf_bytes).path
        return pdf_path, made.note


def _record(
    store: Store,
    campaign: Campaign,
    version: int,
    stored: Stored,
    summary: dict[str, Any],
    parts: int,
    now: datetime,
) -> int:
    """Record the version and its event in ONE transaction; the draft's row id.

    The files are in the archive before this commit, so a recorded version always has
    its .docx (a crash before it leaves a file without a row, whose number is skipped).
    """
    with store.transaction():
        draft_id = store.add_draft(
            campaign.id,
            version,
            stored.relpath,
            stored.sha256,
            now.isoformat(timespec="seconds"),
            json.dumps(summary, ensure_ascii=False, default=str),
        )
        store.event(
            "assemble.draft",
            now,
            campaign=campaign.id,
            version=version,
            path=stored.relpath,
            parts=parts,
        )
    return draft_id


@contextlib.contextmanager
def _writing_to(out: Path) -> Iterator[None]:
    """Make ``out``'s folder for the block, which writes there: a failure (no room, no
    right to write) is a clear one-line error naming ``out``, not a traceback."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        yield
    except OSError as exc:
        raise MailflowError(
            t("review.out_failed", path=out, error=exc.strerror or exc),
            t("review.out_failed_hint"),
        ) from exc


def _write_out(data: bytes, out: Path) -> None:
    """Write a preview draft to ``out`` (owner-only), or a clear one-line error."""
    from mailflow.adapters.archive import private_opener

    with _writing_to(out), open(out, "wb", opener=private_opener) as fout:
        fout.write(data)


def _last_version(
    store: Store,
    archive: Archive,
    campaign: Campaign,
    plan: DraftPlan,
    changes: PlanChanges,
    lines: tuple[str, ...],
    out: Path | None,
) -> AssembleResult:
    """The newest stored version, returned as it is because nothing changed since."""
    row = store.latest_draft(campaign.id)
    assert row is not None  # only called when a version exists (its summary was diffed)
    try:
        pdf_rel = json.loads(row["summary"] or "{}").get("pdf")
    except ValueError:
        pdf_rel = None
    docx_path = archive.path(row["path"])
    pdf_path = archive.path(pdf_rel) if pdf_rel and archive.path(pdf_rel).exists() else None
    if out is not None:
        _write_out(docx_path.read_bytes(), out)
    return AssembleResult(
        campaign=campaign.id,
        version=int(row["version"]),
        docx_path=docx_path,
        pdf_path=pdf_path,
        sha256=row["sha256"],
        plan=plan,
        changes=changes,
        change_lines=lines,
        warnings=(),
        draft_id=int(row["id"]),
        unchanged=True,
    )


def _private_copy(src: Path, dst: Path) -> None:
    """Copy a draft out; a file this creates is owner-only (0600) whatever the umask."""
    from mailflow.adapters.archive import private_opener

    with open(src, "rb") as fin, open(dst, "wb", opener=private_opener) as fout:
        shutil.copyfileobj(fin, fout)
