"""People in the loop: `mailflow review`, `place`, `release`, `history`.

The matcher is never sure of everything; these commands are where a person sees what it
was unsure about (with its best candidates and scores), fixes one placement, accepts a
mail that came from an unknown or suspicious sender, and reads back every decision.
Each decision is a new row (placements are append-only), signed with the OS user.
"""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import Any

import click

from mailflow.cli.base import (
    AppContext,
    cli,
    console,
    fail,
    lazy_function,
    pass_app,
    pick_campaign,
)
from mailflow.cli.common import add_row as _add_row
from mailflow.cli.common import plain, say
from mailflow.clock import wall
from mailflow.core.sections import name_of_key
from mailflow.display import safe
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import ATTENTION_KINDS, MailKind, Outline, PlacementStatus

# heavy (store, python-docx, matching): loaded when a command runs, not for --help
render_reason = lazy_function("mailflow.services.intake", "reason_text")
extract_again = lazy_function("mailflow.services.review", "extract_again")
load_outline = lazy_function("mailflow.services.basics", "load_outline")
match_mail = lazy_function("mailflow.services.match", "match_mail")
restore_part = lazy_function("mailflow.services.match", "restore_part")
revise_on_place = lazy_function("mailflow.services.match", "revise_on_place")
place_part = lazy_function("mailflow.services.review", "place_part")
release_mail = lazy_function("mailflow.services.review", "release_mail")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def _json_dict(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def reason_text(reason: str | None, detail: str | None) -> str:
    """A mail's stored reason as its sentence, mail-derived parameters made safe."""
    if not reason:
        return ""
    params = _json_dict(detail).get("reason_params") or {}
    return render_reason(reason, params if isinstance(params, dict) else {})


def document_reason(
    reason: str | None, stored: str | None, mail_detail: str | None, ordinal: int
) -> str:
    """A document's reason as its sentence: its own stored parameters, or (rows written
    before they were stored) the ones the mail's detail kept for that ordinal."""
    if not reason:
        return ""
    params = _json_dict(stored)
    if not params:
        for note in _json_dict(mail_detail).get("documents") or []:
            if isinstance(note, dict) and note.get("ordinal") == ordinal:
                params = note.get("params") or {}
                break
    return render_reason(reason, params if isinstance(params, dict) else {})


def _short(text: str | None, width: int = 60) -> str:
    """One line of at most ``width`` characters, control characters shown escaped."""
    text = safe(" ".join((text or "").split()))
    return text if len(text) <= width else text[: width - 1] + "…"


def _when(stamp: str | None) -> str:
    """Stored ISO time → "28/11 09:05" in the office's time, as people read it."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return wall(moment).strftime("%d/%m/%Y %H:%M")


def _name(outline: Outline, key: str | None) -> str:
    """A section as people read it ("2.1. Những kết quả…"), never the internal key."""
    return name_of_key(outline, key, t("review.none_section"))


def _heading(outline: Outline, key: str | None) -> str:
    if key is None:
        return t("review.none_section")
    try:
        return outline.section(key).heading
    except KeyError:
        return key


#: the events `history` shows under the placements: releases, restores, placed mails
HISTORY_EVENTS = ("review.released", "review.restored", "match.placed", "match.receipt_skipped")


def _review_json(campaign_id: str, outline: Outline, rows: Any, mails: Any, docs: Any) -> None:
    """``review --json``: keys listed in the README (schema mailflow.review/1)."""
    from mailflow.cli import jsonout

    jsonout.emit(
        "review",
        {
            "campaign": campaign_id,
            "parts": [
                {
                    "part": r["id"],
                    "department": r["department"],
                    "mail": r["mail_id"],
                    "status": r["status"],
                    "heading": r["heading"],
                    "text": r["text"],
                    "section": r["section_key"],
                    "candidates": [
                        {"section": k, "heading": _heading(outline, k), "score": s}
                        for k, s in json.loads(r["candidates"] or "[]")
                    ],
                }
                for r in rows
            ],
            "mails": [
                {
                    "mail": m["id"],
                    "from": m["from_addr"],
                    "subject": m["subject"],
                    "kind": m["kind"],
                    "department": m["department"],
                    "received_at": m["received_at"],
                    "reason_key": m["reason"],
                    "reason": reason_text(m["reason"], m["detail"]),
                }
                for m in mails
            ],
            "documents": [
                {
                    "document": d["id"],
                    "mail": d["mail_id"],
                    "department": d["department"],
                    "file": d["name"],
                    "status": d["status"],
                    "reason_key": d["reason"],
                    "reason": document_reason(
                        d["reason"], d["reason_params"], d["detail"], d["ordinal"]
                    ),
                }
                for d in docs
            ],
        },
    )


@cli.command()
@click.option("--campaign", "campaign_id", default=None, help="Campaign id")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def review(app: AppContext, campaign_id: str | None, as_json: bool) -> None:
    """Phần chưa chắc chắn và thư cần xem lại / uncertain parts and mails to look at."""
    cfg = app.config()
    campaign = pick_campaign(cfg, campaign_id)
    outline = load_outline(cfg, campaign)
    store = app.adapters().store
    rows = store.current_placements(
        campaign.id, (PlacementStatus.REVIEW.value, PlacementStatus.UNPLACED.value)
    )
    mails = store.attention_mails(campaign.id, ATTENTION_KINDS)
    docs = store.held_documents(campaign.id, MailKind.REPORT.value)
    if as_json:
        _review_json(campaign.id, outline, rows, mails, docs)
        return
    from rich.table import Table

    table = Table(title=plain("review.parts_title", campaign=campaign.id, count=len(rows)))
    for col in ("col_part", "col_department", "col_mail", "col_status", "col_text", "col_best"):
        table.add_column(t(f"review.{col}"), overflow="fold")
    for r in rows:
        candidates = json.loads(r["candidates"] or "[]")[:3]
        best = "\n".join(f"{_short(_name(outline, k), 46)} ({s:.0f})" for k, s in candidates)
        text = _short(r["heading"] or r["text"], 70)
        status = t(f"review.status_{r['status']}")
        _add_row(table, str(r["id"]), r["department"], str(r["mail_id"]), status, text, best or "-")
    console.print(table)
    table = Table(title=plain("review.mails_title", count=len(mails)))
    for col in ("col_mail", "col_from", "col_subject", "col_kind", "col_reason"):
        table.add_column(t(f"review.{col}"), overflow="fold")
    for m in mails:
        _add_row(
            table,
            str(m["id"]),
            safe(m["from_addr"] or "-"),
            _short(m["subject"], 50),
            m["kind"],
            reason_text(m["reason"], m["detail"]),
        )
    console.print(table)
    if docs:
        table = Table(title=plain("review.docs_title", count=len(docs)))
        for col in ("col_mail", "col_department", "col_file", "col_status", "col_reason"):
            table.add_column(t(f"review.{col}"), overflow="fold")
        for d in docs:
            _add_row(
                table,
                str(d["mail_id"]),
                safe(d["department"] or d["from_addr"] or "-"),
                safe(d["name"]),
                d["status"],
                document_reason(d["reason"], d["reason_params"], d["detail"], d["ordinal"]),
            )
        console.print(table)
    if rows:
        say(t("review.place_hint"))
    if mails:
        say(t("review.release_hint"))
    if not rows and not mails and not docs:
        say(t("review.nothing"))


@cli.command()
@click.argument("part_id", type=int)
@click.argument("section")
@pass_app
def place(app: AppContext, part_id: int, section: str) -> None:
    """Đặt một phần vào mục SECTION ("none": phụ lục) / put PART under SECTION.

    SECTION: the outline's number ("2.1", "III"), the internal key or a unique title
    prefix; the answer names the section taken (``jobs.review.place_part``, which the
    Office's reply commands use too)."""
    cfg = app.config()
    store = app.adapters().store
    user = os_user()
    try:
        done = place_part(cfg, store, part_id, section, user=user, now=app.now())
    except MailflowError as exc:
        fail(exc.message, exc.hint, code=2)
    if done.replaced:
        say(t("review.placed_replaces", ids=", ".join(map(str, done.replaced))))
    say(t("review.placed", id=part_id, section=done.after, before=done.before, user=user))


@cli.command()
@click.argument("mail_id", type=int)
@click.option("--department", "code", required=True, help="Department code")
@click.option("--campaign", "campaign_id", default=None, help="Campaign id")
@click.option("--no-receipt", is_flag=True, help="Do not send the receipt mail")
@pass_app
def release(
    app: AppContext, mail_id: int, code: str, campaign_id: str | None, no_receipt: bool
) -> None:
    """Chấp nhận thư bị giữ lại là báo cáo của phòng CODE / accept a held mail."""
    cfg = app.config()
    store = app.adapters().store
    archive = app.adapters().archive
    user = os_user()
    try:
        done = release_mail(
            cfg,
            store,
            archive,
            mail_id,
            code,
            campaign_id=campaign_id,
            user=user,
            now=app.now(),
            converter=app.adapters().converter,
            send_receipt=not no_receipt,
        )
    except MailflowError as exc:
        fail(exc.message, exc.hint, code=exc.exit_code if exc.exit_code == 2 else 2)
    result = done.result
    say(t("review.released_line", id=mail_id, department=done.department, user=user))
    if result.waiting:
        say(t("review.match_waiting", n=result.waiting))
        return
    say(
        t(
            "review.match_line",
            parts=result.parts,
            placed=result.placed,
            review=result.review,
            unplaced=result.unplaced,
            superseded=result.superseded,
        )
    )


@cli.command(name="campaign")
@click.argument("mail_id", type=int)
@click.argument("campaign_id")
@click.pass_context
def campaign_cmd(ctx: click.Context, mail_id: int, campaign_id: str) -> None:
    """Xếp thư đang chờ vào một đợt / file a held mail under a campaign (issue 18).

    The content layer sends a mail to review when no campaign is clearly ahead; the
    sender's department is already known, so the campaign is all a person must add.
    The rest is ``release``: same checks, same event, extraction, matching, receipt.
    """
    app: AppContext = ctx.find_object(AppContext)  # type: ignore[assignment]
    cfg = app.config()
    cfg.campaign(campaign_id)  # an unknown id is a usage error, before anything changes
    store = app.adapters().store
    try:
        department = store.mail_department(mail_id)
    except KeyError:
        fail(t("review.no_mail", id=mail_id), t("review.no_mail_hint"), code=2)
        raise AssertionError from None  # fail() raised
    if not department:
        fail(
            t("review.campaign_no_department", id=mail_id),
            t("review.campaign_no_department_hint", id=mail_id, campaign=campaign_id),
            code=2,
        )
    ctx.invoke(
        release,
        mail_id=mail_id,
        code=department,
        campaign_id=campaign_id,
        no_receipt=False,
    )


@cli.command()
@click.argument("part_id", type=int)
@pass_app
def restore(app: AppContext, part_id: int) -> None:
    """Khôi phục một phần đã bị thay thế / bring back a part a later one replaced."""
    cfg = app.config()
    store = app.adapters().store
    user = os_user()
    try:
        row = restore_part(store, part_id, user=user, now=app.now())
    except MailflowError as exc:
        fail(exc.message, exc.hint, code=2)
    outline = load_outline(cfg, cfg.campaign(row["campaign"]))
    say(t("review.restored", id=part_id, section=_name(outline, row["section_key"]), user=user))


def _history_json(
    store: Any, campaign_id: str, code: str | None, outline: Outline, rows: Any
) -> None:
    """``history --json``: keys listed in the README (schema mailflow.history/1)."""
    from mailflow.cli import jsonout

    events = store.events_of(campaign_id, HISTORY_EVENTS, code)
    jsonout.emit(
        "history",
        {
            "campaign": campaign_id,
            "department": code,
            "placements": [
                {
                    "at": r["created_at"],
                    "part": r["part"],
                    "department": r["department"],
                    "mail": r["mail_id"],
                    "heading": r["heading"],
                    "text": r["text"],
                    "section": r["section_key"],
                    "section_heading": (
                        _heading(outline, r["section_key"]) if r["section_key"] else None
                    ),
                    "status": r["status"],
                    "score": r["score"],
                    "decided_by": r["decided_by"],
                }
                for r in rows
            ],
            "events": [
                {
                    "at": e["at"],
                    "kind": e["kind"],
                    "department": e["department"],
                    "mail": e["mail_id"],
                    "detail": _json_dict(e["detail"]),
                }
                for e in events
            ],
        },
    )


@cli.command()
@click.option("--campaign", "campaign_id", default=None, help="Campaign id")
@click.option("--department", "code", default=None, help="Department code")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def history(app: AppContext, campaign_id: str | None, code: str | None, as_json: bool) -> None:
    """Lịch sử xếp mục, bản sửa và quyết định / revisions and decisions."""
    cfg = app.config()
    campaign = pick_campaign(cfg, campaign_id)
    if code:
        cfg.department(code)
    outline = load_outline(cfg, campaign)
    store = app.adapters().store
    rows = store.placement_history(campaign.id, code)
    if as_json:
        _history_json(store, campaign.id, code, outline, rows)
        return
    from rich.table import Table

    table = Table(title=plain("review.history_title", campaign=campaign.id, count=len(rows)))
    for col in (
        "col_when",
        "col_part",
        "col_department",
        "col_mail",
        "col_text",
        "col_section",
        "col_status",
        "col_by",
    ):
        table.add_column(t(f"review.{col}"), overflow="fold")
    for r in rows:
        _add_row(
            table,
            _when(r["created_at"]),
            str(r["part"]),
            r["department"],
            str(r["mail_id"]),
            _short(r["heading"] or r["text"], 40),
            _short(_name(outline, r["section_key"]), 50),
            t(f"review.status_{r['status']}"),
            r["decided_by"] or "",
        )
    console.print(table)
    for e in store.events_of(campaign.id, HISTORY_EVENTS, code):
        detail = json.loads(e["detail"] or "{}")
        say(
            t(
                f"review.event_{e['kind'].replace('.', '_')}",
                at=_when(e["at"]),
                department=e["department"] or "-",
                mail=e["mail_id"] or "-",
                parts=detail.get("parts", 0),
                superseded=len(detail.get("superseded", [])),
                by=detail.get("by", ""),
                part=detail.get("part", ""),
            )
        )
