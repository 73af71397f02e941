"""What is due now: pure decisions the daemon and the jobs act on.

Why pure: "should the Office get a mail now?" depends on the clock and on what was sent
before; with time passed in as a value each rule is a plain function a test can call
with any instant, and the daemon and `mailflow assemble --send` ask the same question
the same way. The shell reads the facts (last send, parts since, deadline) from the
state and carries out what these functions say.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mailflow.core.missing import missing_for
from mailflow.model import Campaign, Department, Due, Outline, Section

# --- the Office: updates, daily digest, final draft -----------------------------------


def office_update_due(
    now: datetime,
    last_sent_at: datetime | None,
    new_parts: int,
    min_interval: timedelta,
) -> bool:
    """A draft goes to the Office when new parts arrived, at most once per ``min_interval``.

    Debounced so that six departments replying within ten minutes give the Office one
    mail, not six; parts that arrive inside the interval wait for the next mail.
    """
    if new_parts <= 0:
        return False
    if last_sent_at is None:
        return True
    return now - last_sent_at >= min_interval


def digest_due(
    now: datetime,
    digest_time: time,
    last_digest_at: datetime | None,
    *,
    campaign_start: date | None = None,
    campaign_end: date | None = None,
) -> bool:
    """Once a day, from ``digest_time`` on: the day's digest, if today's is not sent yet.

    ``campaign_start``/``campaign_end`` bound the days a digest makes sense (from the
    directive's day to the deadline day); outside them there is nothing to report daily.
    """
    today = now.date()
    if campaign_start is not None and today < campaign_start:
        return False
    if campaign_end is not None and today > campaign_end:
        return False
    if now < datetime.combine(today, digest_time, tzinfo=now.tzinfo):
        return False
    return last_digest_at is None or last_digest_at.date() < today


def deadline_at(deadline: date, at: time) -> datetime:
    """The instant the final draft is due: ``at`` (the digest time) on the deadline day."""
    return datetime.combine(deadline, at)


def final_due(
    now: datetime,
    deadline: datetime,
    final_sent_at: datetime | None,
    *,
    everyone_in: bool = False,
) -> bool:
    """The final draft goes once: at the deadline, or earlier when every department is in.

    ``everyone_in`` means no assigned section is still missing: waiting for the clock
    then would only delay the Office.
    """
    if final_sent_at is not None:
        return False
    return everyone_in or now >= deadline


# --- reminders to departments ---------------------------------------------------------
# Kept by the daemon/reminders area. Reminders go on the campaign's reminder days
# (offsets around the deadline, then daily once overdue), only to departments that still
# owe sections, never after they submitted, to a deputy (or later) while an out-of-office
# says the person is away, with the head copied once overdue, and bounded per day.

#: Hour of the day (local time of ``now``) from which a reminder day's reminder may go:
#: morning, so a person sees it at the start of a working day.
REMINDER_HOUR = 8
#: An out-of-office without a return date postpones reminders for this many days after
#: it arrived: long enough to skip today's nag, short enough not to lose the person.
AWAY_WITHOUT_DATE_DAYS = 2


@dataclass(frozen=True)
class Away:
    """An out-of-office reply from a department: since when, and until when (exclusive).

    ``until`` is the day the person says they are back (reminders may go that day);
    None when the reply gives no date.
    """

    since: datetime
    until: date | None = None

    def last_day(self) -> date:
        """The last day the person is away (inclusive)."""
        if self.until is not None:
            return self.until - timedelta(days=1)
        return self.since.date() + timedelta(days=AWAY_WITHOUT_DATE_DAYS - 1)

    def covers(self, day: date) -> bool:
        return self.since.date() <= day <= self.last_day()


def required_sections(outline: Outline, code: str) -> tuple[Section, ...]:
    """The sections a department must write, named at their top: children go with them."""
    mine = {s.key for s in outline.sections if code in s.assignees}
    return tuple(s for s in outline.sections if s.key in mine and s.parent not in mine)


def missing_sections(outline: Outline, code: str, received: Collection[str]) -> tuple[str, ...]:
    """Keys of the sections the department still owes (``core.missing``: the same answer
    the draft, the Office mail, ``status`` and the receipts give)."""
    return missing_for(outline, code, received)


def reminder_days(campaign: Campaign, start: date, until: date) -> list[date]:
    """Reminder days in [start, until]: the configured offsets, then every overdue day."""
    fixed = {campaign.deadline + timedelta(days=o) for o in campaign.reminder_days}
    days = []
    day = start
    while day <= until:
        if day in fixed or day > campaign.deadline:
            days.append(day)
        day += timedelta(days=1)
    return days


def reminders_due(
    now: datetime,
    campaign: Campaign,
    outline: Outline,
    departments: Sequence[Department],
    sent_directives: Mapping[str, datetime],
    received_sections: Mapping[str, Collection[str]],
    reminders_sent: Mapping[str, Sequence[datetime]],
    away: Mapping[str, Away],
    per_day: int = 1,
    pending_review: Collection[str] = (),
    hour: int = REMINDER_HOUR,
) -> list[Due]:
    """Reminders to send at ``now``, one ``Due(action="remind")`` per department at most.

    - ``sent_directives``: department code → when its directive went out (no directive,
      no reminder; none on the day the directive itself went).
    - ``received_sections``: code → section keys the department's parts are placed on.
    - ``reminders_sent``: code → when reminders went (for the per-day bound and catch-up).
    - ``away``: code → the latest out-of-office; reminders go to the deputies while it
      lasts, or wait until the person is back and then go once ("postponed").
    - ``pending_review``: departments whose reply waits for a person to place it; not
      reminded, since what is "missing" is not known until someone looks.

    ``Due.detail`` names the missing section keys; ``recipients``/``cc`` say who gets it;
    ``reason`` is "before" | "deadline" | "overdue" | "postponed".
    """
    today = now.date()
    send_from = datetime(today.year, today.month, today.day, hour, tzinfo=now.tzinfo)
    if now < send_from:
        return []
    wanted = set(campaign.departments)
    out: list[Due] = []
    for dep in departments:
        if wanted and dep.code not in wanted:
            continue
        sent_at = sent_directives.get(dep.code)
        if sent_at is None or sent_at.date() >= today:
            continue
        if dep.code in pending_review:
            continue
        missing = missing_sections(outline, dep.code, received_sections.get(dep.code, ()))
        if not missing:
            continue
        history = sorted(reminders_sent.get(dep.code, ()))
        if sum(1 for at in history if at.date() == today) >= max(per_day, 0):
            continue
        absence = away.get(dep.code)
        reason = _reminder_reason(campaign, today, sent_at.date(), history, absence, dep)
        if reason is None:
            continue
        to = dep.emails
        if absence is not None and absence.covers(today):
            to = dep.deputy_emails  # _reminder_reason said None when there is no deputy
        cc: tuple[str, ...] = ()
        if today > campaign.deadline and dep.head_emails:
            cc = tuple(h for h in dep.head_emails if h not in to)
        out.append(
            Due(
                action="remind",
                campaign=campaign.id,
                department=dep.code,
                at=send_from,
                detail=missing,
                recipients=tuple(to),
                cc=cc,
                reason=reason,
            )
        )
    return out


def _reminder_reason(
    campaign: Campaign,
    today: date,
    first_day: date,
    history: Sequence[datetime],
    absence: Away | None,
    dep: Department,
) -> str | None:
    """Why a reminder is due today, or None (not a reminder day, or the person is away)."""
    away_today = absence is not None and absence.covers(today)
    if away_today and not dep.deputy_emails:
        return None
    days = reminder_days(campaign, first_day + timedelta(days=1), today)
    if days and days[-1] == today:
        if today < campaign.deadline:
            return "before"
        return "deadline" if today == campaign.deadline else "overdue"
    # Not a reminder day: catch up once on a reminder missed while the person was away.
    if absence is None or not days or away_today:
        return None
    missed = days[-1]
    if not absence.covers(missed):
        return None
    if any(at.date() >= missed for at in history):
        return None
    return "postponed"
