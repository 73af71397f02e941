"""What is due now: pure decisions the daemon and the jobs act on.

Why pure: "should the Office get a mail now?" depends on the clock and on what was sent
before; with time passed in as a value each rule is a plain function a test can call
with any instant, and the daemon and `mailflow assemble --send` ask the same question
the same way. The shell reads the facts (last send, parts since, deadline) from the
state and carries out what these functions say.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

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
    if now.time() < digest_time:
        return False
    return last_digest_at is None or last_digest_at.date() < today


def deadline_at(deadline: date, at: time = time(17, 0)) -> datetime:
    """The instant the final draft is due: the end of the working day of the deadline."""
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
