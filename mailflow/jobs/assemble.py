"""Gather the campaign's state → core plan → a new draft version in the archive.

The facts come from three tables: ``parts``/``placements`` (what was placed where; the
newest placement row of a part is its current one, superseded parts are left out),
``sends`` (when the directive went out, whether it failed) and ``mails`` (auto-replies
with a return date, bounces, when each department's report came in). The pure
``core.plan`` decides the draft; ``adapters.draft_docx`` renders it. Every draft is a
NEW version under ``archive/<campaign>/drafts/`` (written atomically, never replaced)
with a ``drafts`` row holding the summary the next version diffs against.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from mailflow.adapters.archive import Archive
from mailflow.adapters.draft_docx import render_draft
from mailflow.adapters.pdf import to_pdf
from mailflow.adapters.store import Store
from mailflow.config import Config
from mailflow.core.names import fold, split_number
from mailflow.core.plan import (
    DepartmentStatus,
    DraftPlan,
    PlanChanges,
    build_plan,
    diff,
    is_late,
    summarize,
)
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.jobs.match import arrival, load_outline, parse_when
from mailflow.model import (
    Attribution,
    Campaign,
    MailKind,
    Outline,
    PlacedPart,
    PlacementStatus,
)


def repeats_title(heading: str, title: str) -> bool:
    """The reply's heading only restates the outline section it sits under.

    Then the draft would print the same line twice (the outline's Heading, then the
    department's copy of it in bold); its own numbering ("II." for the outline's "2.")
    makes the copy confusing too. The heading stays in the state and in the part's text.
    """
    if not heading or not title:
        return False
    a = fold(split_number(heading)[2] or heading).strip(" .:;")
    b = fold(split_number(title)[2] or title).strip(" .:;")
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
    rows = store.query(
        """
        SELECT p.id, p.department, p.text, p.heading, p.block_start, p.block_end, p.row_start,
               d.name AS file_name, d.docx_path, m.date, m.received_at,
               pl.section_key, pl.status
        FROM parts p
        JOIN documents d ON d.id = p.document_id
        JOIN mails m ON m.id = p.mail_id
        JOIN placements pl ON pl.id = (SELECT MAX(id) FROM placements WHERE part_id = p.id)
        WHERE p.campaign = ?
        ORDER BY p.id
        """,
        [campaign.id],
    )
    out: list[PlacedPart] = []
    for r in rows:
        status = PlacementStatus(r["status"])
        if status is PlacementStatus.SUPERSEDED and not include_superseded:
            continue
        received = arrival(r)
        # A part cut from some rows of a table cannot be copied as whole elements
        # without repeating the rest of the table: it goes in as its text.
        source = ""
        if r["docx_path"] and r["row_start"] is None:
            source = str(archive.path(r["docx_path"]))
        file_name = r["file_name"] if r["docx_path"] or r["file_name"] != "body.txt" else ""
        start, text = r["block_start"], r["text"]
        settled = status in (PlacementStatus.AUTO, PlacementStatus.REVIEWED)
        if (
            settled
            and r["row_start"] is None
            and repeats_title(r["heading"] or "", titles.get(r["section_key"] or "", ""))
            and r["block_end"] > start + 1
            and "\n" in text
        ):
            start, text = start + 1, text.split("\n", 1)[1]
        out.append(
            PlacedPart(
                section_key=r["section_key"],
                department=r["department"],
                attribution=Attribution(
                    r["department"],
                    received,
                    file_name,
                    is_late(received, campaign.deadline),
                ),
                source=source,
                block_start=start,
                block_end=r["block_end"],
                text=text,
                status=status,
                part_id=r["id"],
            )
        )
    return out


def _table_rows(store: Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    try:
        return store.query(sql, params)
    except sqlite3.OperationalError:  # an older state without the table
        return []


def department_statuses(
    store: Store, cfg: Config, campaign: Campaign
) -> dict[str, DepartmentStatus]:
    """What we know about each department: directive sent/bounced, away, report received."""
    out: dict[str, DepartmentStatus] = {}
    sends = _table_rows(
        store,
        "SELECT department, status, sent_at, created_at FROM sends "
        "WHERE campaign = ? AND kind = 'directive' ORDER BY id",
        [campaign.id],
    )
    mails = store.query(
        "SELECT * FROM mails WHERE campaign = ? AND department IS NOT NULL ORDER BY id",
        [campaign.id],
    )
    for dep in cfg.campaign_departments(campaign):
        code = dep.code
        mine = [s for s in sends if s["department"] == code]
        sent_at = max(
            (parse_when(s["sent_at"]) for s in mine if s["status"] == "sent" and s["sent_at"]),
            default=None,
        )
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
    return build_plan(outline, parts, statuses, cfg.departments, campaign, now)


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


def previous_summary(store: Store, campaign: str) -> tuple[int, dict[str, Any] | None]:
    rows = store.query(
        "SELECT version, summary FROM drafts WHERE campaign = ? ORDER BY version DESC LIMIT 1",
        [campaign],
    )
    if not rows:
        return 0, None
    try:
        summary = json.loads(rows[0]["summary"] or "{}")
    except ValueError:
        summary = {}
    return rows[0]["version"], summary.get("plan")


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
) -> AssembleResult:
    """Build the next draft version; ``out`` also gets a copy of the .docx."""
    plan = gather_plan(cfg, store, archive, campaign, now)
    last, previous = previous_summary(store, campaign.id)
    folder = f"{campaign.id}/drafts"

    def stem_of(n: int) -> str:
        return f"{campaign.id}-draft-v{n:03d}"

    version = last + 1
    # a file without a row (a crash before the commit) keeps its number
    while archive.path(f"{folder}/{stem_of(version)}.docx").exists():
        version += 1
    changes = diff(previous, plan)
    lines = tuple(render_note(n.key, n.kwargs, cfg.lang) for n in changes.notes)
    rendered = render_draft(plan, template_path(cfg), version=version, lang=cfg.lang)
    stem = stem_of(version)
    stored = archive.put_named(f"{folder}/{stem}.docx", rendered.data)
    pdf_path: Path | None = None
    pdf_note = ""
    if pdf:
        with tempfile.TemporaryDirectory(prefix="mailflow-pdf-") as work:
            try:
                made = to_pdf(stored.path, Path(work, f"{stem}.pdf"), lang=cfg.lang)
            except MailflowError as exc:  # the .docx is the draft; a PDF is a convenience
                pdf_note = f"{exc.message} {exc.hint}".strip()
            else:
                if made.path is not None:
                    pdf = made.path.read_bytes()
                    pdf_path = archive.put_named(f"{folder}/{stem}.pdf", pdf).path
                pdf_note = made.note
    summary = {
        "plan": summarize(plan),
        "changes": list(lines),
        "pdf": str(pdf_path.relative_to(archive.root)) if pdf_path else None,
        "warnings": list(rendered.warnings),
    }
    with store.transaction() as db:
        cur = db.conn.execute(
            "INSERT INTO drafts (campaign, version, path, sha256, created_at, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                campaign.id,
                version,
                stored.relpath,
                stored.sha256,
                now.isoformat(timespec="seconds"),
                json.dumps(summary, ensure_ascii=False, default=str),
            ],
        )
        draft_id = int(cur.lastrowid or 0)
        store.event(
            "assemble.draft",
            now,
            campaign=campaign.id,
            version=version,
            path=stored.relpath,
            parts=len(plan.parts),
        )
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stored.path, out)
            if pdf_path is not None and out.suffix.lower() == ".docx":
                shutil.copyfile(pdf_path, out.with_suffix(".pdf"))
        except OSError as exc:
            raise MailflowError(
                t("review.out_failed", path=out, error=exc.strerror or exc),
                t("review.out_failed_hint"),
            ) from exc
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
    )
