"""The draft to the Office: on new parts (debounced), in a daily digest, and at the deadline.

Every mail goes through the outbox (``mailflow.services.outbox``: the bytes and Message-ID are
stored before SMTP, a dedupe key makes a repeat a no-op), is marked Auto-Submitted and
carries our loop header, so intake never takes a draft back in as a report. When a mail
is due is decided by the pure ``core.due``; this module only gathers the facts for it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mailflow.adapters.archive import Archive
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.store import Store
from mailflow.clock import wall
from mailflow.config import Config
from mailflow.core.draft_plan import DraftPlan, UnreadDocument, diff
from mailflow.core.due import (
    deadline_at,
    digest_due,
    final_due,
    office_update_due,
)
from mailflow.core.sections import name_of_key
from mailflow.core.waiting import waiting_lines as wait_list
from mailflow.i18n import t
from mailflow.model import ATTENTION_KINDS, Campaign, PlacementStatus
from mailflow.services import outbox
from mailflow.services.assemble import (
    AssembleResult,
    assemble,
    gather_plan,
    previous_summary,
)
from mailflow.services.basics import load_outline, parse_when
from mailflow.services.intake import reason_text
from mailflow.services.outbox import queue_mail

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OFFICE_KINDS = ("draft", "digest")


# --- sending through the outbox -------------------------------------------------------


def flush(
    cfg: Config, store: Store, archive: Archive, servers: MailServers, rows: Sequence[Any]
) -> Any:
    """Send ``rows`` (outbox rows just queued) now rather than at the next send round."""
    return outbox.deliver(
        store,
        archive,
        servers.smtp,
        servers.imap,
        list(rows),
        rate_per_minute=cfg.mailbox.rate_per_minute,
        sender=cfg.mailbox.address,
        sent_folder=cfg.mailbox.sent_folder,
        lifetime=timedelta(hours=cfg.mailbox.retry_lifetime_hours),
    )


# --- the mail to the Office -------------------------------------------------------------


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def office_text(
    cfg: Config,
    campaign: Campaign,
    result: AssembleResult,
    reason: str,
    waiting: Sequence[Any] = (),
    decisions: Sequence[str] = (),
) -> str:
    """The body: what is new, who is missing, what needs a person (from the plan).

    ``waiting``: outbox rows stuck behind a mail-server outage for longer than
    ``mailbox.retry_warn_minutes``; the Office hears of them in the next mail that
    does get through, since nobody reads the daemon's log."""
    lang = cfg.lang
    plan = result.plan
    lines = [
        t(
            f"review.office_intro_{reason}",
            lang,
            title=campaign.title,
            version=result.version,
            when=plan.now.strftime("%H:%M %d/%m/%Y"),
        ),
        "",
        t("review.office_changes", lang),
    ]
    lines += [f"  - {line}" for line in result.change_lines] or ["  -"]
    lines += ["", t("review.office_missing", lang)]
    outline = load_outline(cfg, campaign)
    anyone = False
    for row in plan.grid:
        # the plan's answer (core.missing): the draft and `status` show the same list
        if not row.missing:
            continue
        anyone = True
        count = t("review.office_count", lang, count=len(row.missing))
        lines.append(f"  - {row.name} ({count}):")
        lines += [f"      • {name_of_key(outline, k, k)}" for k in row.missing]
    if not anyone:
        lines.append(f"  - {t('review.office_none_missing', lang)}")
    review = sum(1 for a in plan.appendix if a.part.status is PlacementStatus.REVIEW)
    unplaced = len(plan.appendix) - review
    lines += ["", t("review.office_review", lang, review=review, unplaced=unplaced)]
    unread = [u for u in plan.unread if not u.gave_text]
    if unread:
        attached = sum(1 for u in unread if u.attached)
        lines += ["", t("assemble.unread_count", lang, count=len(unread), attached=attached)]
        withheld = sum(1 for u in unread if u.withheld)
        if withheld:
            lines.append(t("assemble.withheld_count", lang, count=withheld))
    if result.pdf_path is None and result.pdf_note:
        lines += ["", result.pdf_note]
    if waiting:
        minutes = cfg.mailbox.retry_warn_minutes
        lines += ["", t("send.waiting", lang, n=len(waiting), minutes=minutes)]
        lines += [
            "  - "
            + t(
                "send.waiting_line",
                lang,
                kind=row.kind,
                to=", ".join(row.recipients),
                since=row.created_at,
                error=row.last_error or "",
            )
            for row in waiting
        ]
    # what waits for a person, and how to decide it by replying (jobs.office_reply)
    lines += ["", t("office.wait_title", lang)]
    lines += [f"  - {line}" for line in decisions] or [f"  - {t('office.wait_none', lang)}"]
    lines += ["", t("office.reply_howto", lang), t("reply.forms", lang)]
    lines += ["", t("review.office_signoff", lang)]
    return "\n".join(lines)


def send_draft(
    cfg: Config,
    store: Store,
    archive: Archive,
    campaign: Campaign,
    result: AssembleResult,
    now: datetime,
    *,
    reason: str = "manual",
) -> Any:
    """Queue the draft (and its PDF) to ``office.emails``; reason: manual|update|digest|final."""
    kind = "digest" if reason == "digest" else "draft"
    dedupe = {
        "digest": f"digest:{campaign.id}:{now.date().isoformat()}",
        "final": f"final:{campaign.id}",
    }.get(reason, f"draft:{campaign.id}:v{result.version}")
    attachments = [(result.docx_path.name, result.docx_path.read_bytes(), DOCX_TYPE)]
    if result.pdf_path is not None:
        attachments.append((result.pdf_path.name, result.pdf_path.read_bytes(), "application/pdf"))
    attachments += unread_attachments(archive, result.plan)
    subject = t(
        f"review.office_subject_{reason}",
        cfg.lang,
        token=campaign.token,
        title=campaign.title,
        version=result.version,
    )
    return queue_mail(
        cfg,
        store,
        archive,
        kind=kind,
        campaign=campaign.id,
        department=None,
        to=cfg.office.emails,
        subject=subject,
        text=office_text(
            cfg,
            campaign,
            result,
            reason,
            _waiting(cfg, store, now),
            waiting_lines(cfg, store, campaign.id, cfg.lang, result.plan.unread),
        ),
        dedupe_key=dedupe,
        now=now,
        auto_submitted="auto-generated",
        attachments=attachments,
        detail={"version": result.version, "reason": reason, "draft_id": result.draft_id},
    )


def waiting_lines(
    cfg: Config,
    store: Store,
    campaign_id: str,
    lang: str | None = None,
    unread: Sequence[UnreadDocument] = (),
) -> list[str]:
    """What waits for a person, one line each, for the end of every Office mail: the
    store's parts in review or unplaced, held mails and replaced parts, with the draft
    plan's ``unread`` documents, worded by ``core.waiting`` in ``lang``."""
    outline = load_outline(cfg, cfg.campaign(campaign_id))
    return wait_list(
        outline,
        store.current_placements(
            campaign_id, (PlacementStatus.REVIEW.value, PlacementStatus.UNPLACED.value)
        ),
        store.attention_mails(campaign_id, ATTENTION_KINDS),
        unread,
        store.current_placements(campaign_id, (PlacementStatus.SUPERSEDED.value,)),
        lambda key, **params: t(key, lang, **params),
        reason_text,
    )


def _waiting(cfg: Config, store: Store, now: datetime) -> list[Any]:
    return outbox.waiting(store, now, timedelta(minutes=cfg.mailbox.retry_warn_minutes))


def unread_attachments(archive: Archive, plan: DraftPlan) -> list[tuple[str, bytes, str]]:
    """Originals of the documents that gave no text, as the plan chose them under the cap.

    The draft's appendix names every one of them; those over ``draft.attach_max_bytes``
    are named there with their archive path instead. A file gone from the archive is
    skipped here (the appendix still names it), never a failed mail.
    """
    out: list[tuple[str, bytes, str]] = []
    for u in plan.unread:
        if not u.attached:
            continue
        try:
            data = archive.path(u.archive_path).read_bytes()
        except OSError:
            continue
        ctype = mimetypes.guess_type(u.file_name)[0] or ""
        if ctype.split("/")[0] not in ("application", "image", "text"):
            ctype = "application/octet-stream"  # never an odd guess ("chemical/x-xyz")
        out.append((u.file_name or Path(u.archive_path).name, data, ctype))
    return out


# --- what is due ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeFacts:
    last_sent_at: datetime | None  # last draft or digest to the Office
    last_digest_at: datetime | None
    final_sent_at: datetime | None
    new_parts: int  # parts taken in since the last mail to the Office


def _sends(store: Store, campaign: str) -> list[dict[str, Any]]:
    try:
        return store.office_sends(campaign)
    except Exception:  # no outbox table yet: nothing was sent
        return []


def office_facts(store: Store, campaign: Campaign) -> OfficeFacts:
    sends = _sends(store, campaign.id)
    times = [parse_when(s["created_at"]) for s in sends]
    last = max((x for x in times if x), default=None)
    # the final draft stands in for that day's digest
    digests = [
        parse_when(s["created_at"])
        for s in sends
        if s["kind"] == "digest" or s["dedupe_key"].startswith("final:")
    ]
    finals = [parse_when(s["created_at"]) for s in sends if s["dedupe_key"].startswith("final:")]
    stamps = [parse_when(c) for c in store.part_times(campaign.id)]
    new = sum(1 for s in stamps if s is not None and (last is None or s > last))
    return OfficeFacts(
        last,
        max((x for x in digests if x), default=None),
        max((x for x in finals if x), default=None),
        new,
    )


def due_reason(
    cfg: Config, campaign: Campaign, facts: OfficeFacts, plan: DraftPlan, changed: bool = True
) -> str | None:
    """Which Office mail is due now, if any: final, then update, then digest.

    ``changed``: the plan differs from the last draft version. Without news there is
    no update, and the digest is "digest_note" (a one-line mail, no draft) or nothing,
    as ``daemon.digest_when_unchanged`` says; the final draft goes all the same.
    """
    now = wall(plan.now)
    everyone_in = bool(plan.departments) and not any(row.missing for row in plan.grid)
    if final_due(
        now,
        deadline_at(campaign.deadline, cfg.daemon.digest_time),
        facts.final_sent_at,
        everyone_in=everyone_in and facts.new_parts > 0,
    ):
        return "final"
    interval = timedelta(minutes=cfg.daemon.office_min_interval_minutes)
    if changed and office_update_due(now, facts.last_sent_at, facts.new_parts, interval):
        return "update"
    if digest_due(
        now, cfg.daemon.digest_time, facts.last_digest_at, campaign_end=campaign.deadline
    ):
        if changed:
            return "digest"
        return "digest_note" if cfg.daemon.digest_when_unchanged == "note" else None
    return None


def send_office_mail_if_due(
    cfg: Config,
    store: Store,
    archive: Archive,
    campaign: Campaign,
    now: datetime,
    *,
    pdf: str = "all",
) -> AssembleResult | None:
    """Assemble and queue a draft for the Office when one is due (daemon, every tick).

    Which mail it was (update, digest, final) is in the queued ``sends`` row's detail.
    ``pdf`` is ``daemon.draft_pdf``: "all", "final" (a LibreOffice run costs seconds, so
    small servers make a PDF only of the final draft) or "none".
    """
    facts = office_facts(store, campaign)
    plan = gather_plan(cfg, store, archive, campaign, now)
    last, previous = previous_summary(store, campaign.id)
    changed = diff(previous, plan).changed
    reason = due_reason(cfg, campaign, facts, plan, changed)
    if reason is None:
        return None
    if reason == "digest_note":
        send_nothing_new(cfg, store, archive, campaign, last, now)
        return None
    with_pdf = pdf == "all" or (pdf == "final" and reason == "final")
    # no new version without news: an unchanged final mails the last version again
    result = assemble(cfg, store, archive, campaign, now, pdf=with_pdf, only_if_changed=True)
    send_draft(cfg, store, archive, campaign, result, now, reason=reason)
    return result


def send_nothing_new(
    cfg: Config, store: Store, archive: Archive, campaign: Campaign, version: int, now: datetime
) -> Any:
    """The day's digest when nothing changed and ``daemon.digest_when_unchanged`` is
    "note": one line saying so, no draft attached (the last version still stands)."""
    lang = cfg.lang
    text = t("review.office_nothing_new", lang, title=campaign.title, version=version)
    return queue_mail(
        cfg,
        store,
        archive,
        kind="digest",
        campaign=campaign.id,
        department=None,
        to=cfg.office.emails,
        subject=t(
            "review.office_subject_nothing_new",
            lang,
            token=campaign.token,
            title=campaign.title,
            version=version,
        ),
        text=text,
        dedupe_key=f"digest:{campaign.id}:{now.date().isoformat()}",
        now=now,
        detail={"version": version, "reason": "digest_note"},
    )
