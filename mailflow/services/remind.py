"""Reminders: gather the facts from the state → ``core.due.reminders_due`` → outbox → SMTP.

The decision (who, which sections, to whom, why) is the pure core's; this module only
reads what it needs from SQLite and turns each ``Due`` into one mail. Every reminder
goes through the outbox with the dedupe key ``reminder:<campaign>:<code>:<date>``, so a
daemon killed between queueing and sending, or run twice the same day, still sends one.
Reminders are machine mail: ``Auto-Submitted: auto-generated`` (RFC 3834), threaded on
the directive (In-Reply-To) so a reply to a reminder is recognised as a report.

Mail bodies come from editable templates: ``<templates>/mail/reminder.txt.j2`` (and
``.html.j2``), ``<templates>/mail/en/…`` for English; a workspace without them uses the
ones shipped in the project's ``templates/mail``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from mailflow.adapters.archive import Archive
from mailflow.adapters.mail_build import Outgoing, compose, loop_id, new_message_id
from mailflow.adapters.mail_templates import MailTemplates
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.store import Store
from mailflow.clock import aware, wall
from mailflow.config import Config
from mailflow.core.due import Away, reminders_due
from mailflow.core.outline import section_label
from mailflow.i18n import t
from mailflow.model import Campaign, Due, MailKind, Outline, SendStatus
from mailflow.services import outbox
from mailflow.services.basics import load_outline

log = logging.getLogger("mailflow.remind")

KIND = "reminder"


def reminder_key(campaign: str, code: str, day: date, n: int = 1) -> str:
    """One reminder per department per day; the n-th of a day (n > 1) when allowed."""
    base = f"{KIND}:{campaign}:{code}:{day.isoformat()}"
    return base if n <= 1 else f"{base}:{n}"


def _local(value: str | None) -> datetime | None:
    """Stored times are ISO, aware or naive; the core compares office wall times."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return wall(when)


def _naive(now: datetime) -> datetime:
    return wall(now)


# --- gather -------------------------------------------------------------------------------


def directives_sent(store: Store, campaign: str) -> dict[str, tuple[datetime, str]]:
    """Department → (when its directive went, its Message-ID), for sent directives only."""
    out: dict[str, tuple[datetime, str]] = {}
    for row in store.directive_sends(campaign):
        if row["status"] != SendStatus.SENT.value:
            continue
        when = _local(row["sent_at"]) or _local(row["created_at"])
        if row["department"] and when is not None:
            out[row["department"]] = (when, row["message_id"])
    return out


def reminders_sent(store: Store, campaign: str) -> dict[str, list[datetime]]:
    """Department → when each reminder was queued (queued counts: it will go)."""
    out: dict[str, list[datetime]] = {}
    for row in store.reminder_times(campaign, KIND, SendStatus.FAILED.value):
        when = _local(row["created_at"])
        if row["department"] and when is not None:
            out.setdefault(row["department"], []).append(when)
    return out


def received_sections(store: Store, campaign: str) -> dict[str, set[str]]:
    """Department → section keys its live (auto or reviewed) parts are placed on."""
    out: dict[str, set[str]] = {}
    for row in store.placed_sections(campaign):
        out.setdefault(row["department"], set()).add(row["section_key"])
    return out


def pending_review(store: Store, campaign: str) -> set[str]:
    """Departments with a part that waits for a person (status review)."""
    return set(store.departments_in_review(campaign))


def away(store: Store, campaign: str) -> dict[str, Away]:
    """Department → its latest out-of-office (when it came, the return date it gives)."""
    out: dict[str, Away] = {}
    for row in store.away_notices(campaign, MailKind.AUTO_REPLY.value):
        since = _local(row["received_at"]) or _local(row["date"])
        if since is None:
            continue
        try:
            raw = json.loads(row["detail"] or "{}").get("return_date")
            until = date.fromisoformat(raw) if raw else None
        except (ValueError, TypeError, AttributeError):
            until = None
        previous = out.get(row["department"])
        if previous is None or since >= previous.since:
            out[row["department"]] = Away(since=since, until=until)
    return out


def due_reminders(cfg: Config, store: Store, campaign: Campaign, now: datetime) -> list[Due]:
    """Ask the core which reminders are due for ``campaign`` at ``now``."""
    outline = load_outline(cfg, campaign)
    sent = directives_sent(store, campaign.id)
    return reminders_due(
        now=_naive(now),
        campaign=campaign,
        outline=outline,
        departments=cfg.campaign_departments(campaign),
        sent_directives={code: when for code, (when, _) in sent.items()},
        received_sections=received_sections(store, campaign.id),
        reminders_sent=reminders_sent(store, campaign.id),
        away=away(store, campaign.id),
        per_day=cfg.daemon.reminders_per_day,
        pending_review=pending_review(store, campaign.id),
    )


# --- the mail -----------------------------------------------------------------------------


def render(
    cfg: Config, campaign: Campaign, outline: Outline, due: Due, *, templates: MailTemplates
) -> tuple[str, str, str]:
    """Subject, text and HTML of one reminder."""
    dep = cfg.department(due.department)
    today = due.at.date() if due.at else campaign.deadline
    values: dict[str, Any] = {
        "department": dep.name,
        "campaign": campaign.title,
        "token": campaign.token,
        "number": campaign.number,
        "deadline": campaign.deadline.strftime("%d/%m/%Y"),
        "days_left": (campaign.deadline - today).days,
        "days_late": (today - campaign.deadline).days,
        "reason": due.reason,
        "sections": [section_label(outline, outline.section(k)) for k in due.detail],
        "to_deputy": bool(dep.deputy_emails) and set(due.recipients) <= set(dep.deputy_emails),
        "office": cfg.office.name,
        "mailbox": cfg.mailbox.address,
    }
    text, html = templates.pair("reminder", values)
    subject = t(f"daemon.reminder_subject_{due.reason}", cfg.lang, **values)
    return subject, text, html


def queue_reminder(
    cfg: Config,
    store: Store,
    archive: Archive,
    campaign: Campaign,
    outline: Outline,
    due: Due,
    now: datetime,
    directive_id: str = "",
    *,
    templates: MailTemplates,
) -> tuple[outbox.OutboxRow, bool]:
    """Queue one reminder (exactly once per department and day); returns (row, new)."""
    today = _naive(now).date()
    # The n-th reminder of the day has its own key, up to the per-day bound: asking again
    # once the bound is reached returns the existing row instead of making a new mail.
    already = sum(
        1
        for r in outbox.rows(store, campaign=campaign.id, kind=KIND)
        if r.department == due.department
        and r.dedupe_key.startswith(reminder_key(campaign.id, due.department, today))
    )
    n = max(1, min(already + 1, cfg.daemon.reminders_per_day))
    key = reminder_key(campaign.id, due.department, today, n)
    subject, text, html = render(cfg, campaign, outline, due, templates=templates)
    mail = Outgoing(
        from_addr=cfg.mailbox.address,
        from_name=cfg.office.name,
        to=due.recipients,
        cc=due.cc,
        subject=subject,
        text=text,
        html=html,
        loop_id=loop_id(campaign.id, KIND, key),
        auto_submitted="auto-generated",
        in_reply_to=directive_id,
        references=(directive_id,) if directive_id else (),
    )
    message_id = new_message_id(cfg.mailbox.address)
    stamp = aware(now)
    data = compose(mail, message_id, stamp)
    entry = outbox.QueueEntry(
        key,
        KIND,
        campaign.id,
        due.department,
        (*due.recipients, *due.cc),
        data,
        message_id,
        {"sections": list(due.detail), "reason": due.reason, "cc": list(due.cc)},
    )
    return outbox.queue_many(store, archive, [entry], stamp)[0]


def deliver_queued(
    cfg: Config,
    store: Store,
    archive: Archive,
    servers: MailServers,
    now_fn: Callable[[], datetime],
    kind: str | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> outbox.Delivery:
    """Send what the outbox holds as ``queued`` and due (after settling rows a crash left).

    ``keep_going`` is the daemon's time budget: asked before each mail."""

    def aware_fn() -> datetime:
        return aware(now_fn())

    imap, smtp = servers.imap, servers.smtp
    outbox.resolve_sending(store, imap, cfg.mailbox.sent_folder, aware_fn, kind=kind)
    queued = outbox.rows(store, kind=kind, statuses=[SendStatus.QUEUED])
    if not queued:
        return outbox.Delivery()

    def progress(row: outbox.OutboxRow, what: str) -> None:
        if what == "retry":  # the daemon's log says why a mail waits, in one line
            log.warning(
                t(
                    "reliability.send_retry",
                    code=row.department or row.dedupe_key,
                    attempt=row.attempts,
                    error=row.last_error or "",
                )
            )
        elif what == "deferred":
            log.warning(
                t(
                    "send.deferred",
                    who=row.department or row.dedupe_key,
                    error=row.last_error or "",
                    at=row.next_attempt_at or "",
                )
            )

    return outbox.deliver(
        store,
        archive,
        smtp,
        imap,
        queued,
        aware_fn,
        cfg.mailbox.rate_per_minute,
        progress,
        sender=cfg.mailbox.address,
        sent_folder=cfg.mailbox.sent_folder,
        lifetime=timedelta(hours=cfg.mailbox.retry_lifetime_hours),
        keep_going=keep_going,
        on_schedule=True,
    )


def run_reminders(
    cfg: Config,
    store: Store,
    archive: Archive,
    now: datetime,
    *,
    templates: MailTemplates,
    servers: MailServers | None = None,
    campaigns: Sequence[Campaign] | None = None,
) -> list[outbox.OutboxRow]:
    """Queue every reminder due at ``now``; returns the rows newly queued.

    Given ``servers``, send them at once too; without, they wait in the outbox for the
    next send round (the daemon's "outbox" job)."""
    new_rows: list[outbox.OutboxRow] = []
    for campaign in campaigns if campaigns is not None else cfg.campaigns:
        dues = due_reminders(cfg, store, campaign, now)
        if not dues:
            continue
        outline = load_outline(cfg, campaign)
        ids = {code: mid for code, (_, mid) in directives_sent(store, campaign.id).items()}
        for due in dues:
            row, new = queue_reminder(
                cfg,
                store,
                archive,
                campaign,
                outline,
                due,
                now,
                ids.get(due.department, ""),
                templates=templates,
            )
            if new:
                new_rows.append(row)
                store.event(
                    "remind.queued",
                    now,
                    campaign=campaign.id,
                    department=due.department,
                    key=row.dedupe_key,
                    reason=due.reason,
                    sections=list(due.detail),
                    to=list(due.recipients),
                    cc=list(due.cc),
                )
                log.info(
                    t(
                        "daemon.reminder_queued",
                        department=due.department,
                        sections=", ".join(due.detail),
                        reason=due.reason,
                    )
                )
    if servers is not None and new_rows:
        deliver_queued(cfg, store, archive, servers, lambda: now, kind=KIND)
    return new_rows
