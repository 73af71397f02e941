"""The outbox: every mail mailflow sends goes out exactly once, crash or not.

The protocol (one ``sends`` row per logical mail, keyed by its dedupe key):

1. ``queue``: the exact bytes go into the content-addressed archive (fsynced), then the
   row is committed as ``queued`` with its Message-ID. A second ``queue`` with the same
   dedupe key returns the existing row: a re-run never makes a second message.
2. ``deliver``, per row: commit ``sending`` → SMTP → copy to the Sent folder (IMAP
   APPEND, unless the server already filed it there, as Gmail does) → commit ``sent``.
   The Sent copy comes *before* ``sent`` on purpose: it is the evidence
   ``resolve_sending`` looks for after a crash, so it must exist as soon as possible
   after the server said 250.
3. ``resolve_sending``: on restart a row still ``sending`` was interrupted somewhere
   between step 2's first commit and its last. See its docstring for the trade-off.

Refusals, as an MTA's queue handles them: a 4xx reply, a timeout or a failed connection
is tried again a few times within the run (``max_attempts``, a few seconds of back-off
in all), then the row goes back to ``queued`` with ``next_attempt_at`` set: later runs
(and a restarted daemon) skip it until then. The wait grows with the mail's age (as
long as it has waited so far, between ``RETRY_MIN`` and ``RETRY_MAX``), so a short
outage costs minutes and a long one is not hammered. Only a 5xx, or a temporary
failure after ``lifetime`` (``mailbox.retry_lifetime_hours``, default 72 h), makes the
row ``failed``; the other rows still go. When the connection itself keeps failing, the
run stops after that row instead of walking every remaining row through the same
back-off; they stay ``queued`` for the next run.

Fault injection for tests: ``MAILFLOW_CRASH_AFTER=<step>:<k>`` makes this process kill
itself with SIGKILL right after the k-th time it passes ``<step>`` (``sending`` = the
row is committed as sending, before SMTP; ``smtp`` = the server accepted, before the
Sent copy; ``copied`` = after the Sent copy, before ``sent`` is committed; ``sent`` =
``sent`` is committed; ``sent:0`` = before the first row). It exists so the tests can
kill a real ``mailflow send`` at an exact step boundary; nothing else sets it.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mailflow.adapters.archive import Archive
from mailflow.adapters.store import Store
from mailflow.clock import aware, utc_now
from mailflow.errors import MailflowError, TransientError
from mailflow.i18n import t
from mailflow.model import SendStatus

if TYPE_CHECKING:  # the clients load yagmail, ssl and imap_tools: only when sending
    from mailflow.adapters.imap import ImapClient
    from mailflow.adapters.smtp import SendResult, SmtpClient
    from mailflow.config import Config

CRASH_ENV = "MAILFLOW_CRASH_AFTER"
ARCHIVE_KIND = "sent"
#: the shortest and the longest wait between two runs' attempts at one mail
RETRY_MIN = timedelta(minutes=1)
RETRY_MAX = timedelta(minutes=30)
DEFAULT_LIFETIME = timedelta(hours=72)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    dedupe_key: str
    kind: str
    campaign: str | None
    department: str | None
    recipients: tuple[str, ...]
    message_id: str
    sha256: str
    archive_path: str
    status: SendStatus
    attempts: int = 0
    last_error: str | None = None
    created_at: str = ""
    sent_at: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    next_attempt_at: str | None = None

    @classmethod
    def from_db(cls, row: dict[str, Any]) -> OutboxRow:
        return cls(
            id=row["id"],
            dedupe_key=row["dedupe_key"],
            kind=row["kind"],
            campaign=row["campaign"],
            department=row["department"],
            recipients=tuple(json.loads(row["recipients"])),
            message_id=row["message_id"],
            sha256=row["sha256"],
            archive_path=row["archive_path"],
            status=SendStatus(row["status"]),
            attempts=row["attempts"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            sent_at=row["sent_at"],
            detail=json.loads(row["detail"]) if row["detail"] else {},
            next_attempt_at=row.get("next_attempt_at"),
        )


@dataclass(frozen=True)
class QueueEntry:
    dedupe_key: str
    kind: str
    campaign: str | None
    department: str | None
    recipients: tuple[str, ...]
    data: bytes
    message_id: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivery:
    """What one ``deliver`` run did, for the summary and the exit code."""

    sent: list[OutboxRow] = field(default_factory=list)
    failed: list[OutboxRow] = field(default_factory=list)
    partial: list[OutboxRow] = field(default_factory=list)  # sent, but some recipients refused
    left_queued: list[OutboxRow] = field(default_factory=list)
    stopped: str = ""  # why the run stopped early (connection keeps failing), "" if it did not
    copy_errors: list[str] = field(default_factory=list)
    deferred: list[OutboxRow] = field(default_factory=list)  # temporary failure: tried later
    not_yet: list[OutboxRow] = field(default_factory=list)  # skipped: next attempt not due
    cut_short: bool = False  # the time budget ran out; the rest waits for the next run


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _utcnow() -> datetime:
    return utc_now()


def _when(text: str | None) -> datetime | None:
    """A stored time as an aware datetime (naive: office wall time, as the clock gives it)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return aware(moment) if moment.tzinfo is None else moment


def _aware(moment: datetime) -> datetime:
    return aware(moment) if moment.tzinfo is None else moment


def retry_delay(age: timedelta) -> timedelta:
    """Wait about as long as the mail has waited so far: 1 min, 2, 4, … capped at 30 min."""
    return min(max(age, RETRY_MIN), RETRY_MAX)


def waiting(store: Store, now: datetime, older_than: timedelta) -> list[OutboxRow]:
    """Queued mails that met a temporary failure and were queued over ``older_than`` ago:
    what ``status``, the daemon's log and the next Office mail name."""
    now = _aware(now)
    out = []
    for row in rows(store, statuses=[SendStatus.QUEUED, SendStatus.SENDING]):
        created = _when(row.created_at)
        if row.attempts and created is not None and now - created >= older_than:
            out.append(row)
    return out


# --- reading ------------------------------------------------------------------------------


def get(store: Store, dedupe_key: str) -> OutboxRow | None:
    found = store.send_by_key(dedupe_key)
    return OutboxRow.from_db(found) if found else None


def rows(
    store: Store,
    *,
    campaign: str | None = None,
    kind: str | None = None,
    statuses: Iterable[SendStatus] = (),
) -> list[OutboxRow]:
    wanted = [str(s) for s in statuses]
    return [OutboxRow.from_db(r) for r in store.sends_where(campaign, kind, wanted)]


def _reload(store: Store, row_id: int) -> OutboxRow:
    return OutboxRow.from_db(store.send_by_id(row_id))


# --- queueing -----------------------------------------------------------------------------


def queue(
    store: Store,
    archive: Archive,
    dedupe_key: str,
    kind: str,
    campaign: str | None,
    department: str | None,
    recipients: Sequence[str],
    data: bytes,
    message_id: str,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> OutboxRow:
    """Store one message as ``queued``; an existing row with this key is returned as is."""
    entry = QueueEntry(
        dedupe_key, kind, campaign, department, tuple(recipients), data, message_id, detail or {}
    )
    return queue_many(store, archive, [entry], now)[0][0]


def queue_many(
    store: Store, archive: Archive, entries: Sequence[QueueEntry], now: datetime | None = None
) -> list[tuple[OutboxRow, bool]]:
    """Queue several messages in one commit; each result says whether it was new.

    The bytes are archived (and fsynced) before the rows are committed, so a ``queued``
    row always has its bytes; bytes without a row are harmless and never sent.
    """
    created_at = _iso(now or _utcnow())
    fresh = []
    for e in entries:
        if get(store, e.dedupe_key) is None:
            fresh.append((e, archive.put(e.data, ARCHIVE_KIND, ".eml")))
    with store.transaction():
        for e, stored in fresh:
            store.add_send(
                e.dedupe_key,
                e.kind,
                e.campaign,
                e.department,
                json.dumps(list(e.recipients)),
                e.message_id,
                stored.sha256,
                stored.relpath,
                created_at,
                json.dumps(e.detail, ensure_ascii=False, default=str),
            )
    new_keys = {e.dedupe_key for e, _ in fresh}
    out = []
    for e in entries:
        row = get(store, e.dedupe_key)
        assert row is not None
        out.append((row, e.dedupe_key in new_keys and row.message_id == e.message_id))
    return out


def requeue_failed(
    store: Store,
    archive: Archive,
    row: OutboxRow,
    recipients: Sequence[str],
    data: bytes,
    message_id: str,
    detail: dict[str, Any] | None = None,
) -> OutboxRow:
    """Give a ``failed`` row new bytes (a fixed address, say) and queue it again.

    Only ``failed`` rows: the server never accepted them, so this cannot make a second
    delivered message. Any other status is returned unchanged. The retry lifetime starts
    again from now (``detail.requeued_at``), not from when the row was first queued.
    """
    stored = archive.put(data, ARCHIVE_KIND, ".eml")
    detail = {**(detail if detail is not None else row.detail), "requeued_at": _iso(_utcnow())}
    with store.transaction():
        store.requeue_failed_send(
            row.id,
            json.dumps(list(recipients)),
            message_id,
            stored.sha256,
            stored.relpath,
            json.dumps(detail, ensure_ascii=False, default=str),
        )
    return _reload(store, row.id)


# --- delivering ---------------------------------------------------------------------------


class _Crash:
    """The MAILFLOW_CRASH_AFTER fault-injection hook (see the module docstring)."""

    def __init__(self) -> None:
        self.spec = os.environ.get(CRASH_ENV, "")
        self.counts: dict[str, int] = {}

    def at(self, step: str, bump: bool = True) -> None:
        if not self.spec:
            return
        if bump:
            self.counts[step] = self.counts.get(step, 0) + 1
        if self.spec == f"{step}:{self.counts.get(step, 0)}":
            os.kill(os.getpid(), signal.SIGKILL)


class _SentCopier:
    """One IMAP connection for all Sent copies of a run.

    Whether the server files submitted mail in Sent by itself (Gmail does) is learnt
    once, on the first message: if its Message-ID is already there, we never APPEND.
    """

    def __init__(self, factory: Callable[[], ImapClient] | None, folder: str) -> None:
        self.factory = factory
        self.folder = folder
        self.client: ImapClient | None = None
        self.server_files: bool | None = None

    def copy(self, message_id: str, data: bytes) -> str:
        if self.factory is None:
            return "off"
        if self.client is None:
            self.client = self.factory()
            self.client.connect()
        client = self.client
        if self.server_files is None:
            self.server_files = bool(client.find_message_id(self.folder, message_id))
            if not self.server_files:
                client.ensure_folder(self.folder)
        if self.server_files:
            return "server"
        client.append(self.folder, data, folder_known=True)  # ensure_folder ran once above
        return "appended"

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


def _stopped(store: Store, report: Delivery, todo: Iterator[OutboxRow], reason: str) -> Delivery:
    """The connection is lost: the run stops with ``reason``, and the rows not tried yet
    stay queued for the next one (reported as ``left_queued``)."""
    report.stopped = reason
    report.left_queued = [_reload(store, r.id) for r in todo if r.status == "queued"]
    return report


def _set(store: Store, row_id: int, **values: Any) -> None:
    with store.transaction():
        store.update_send(row_id, **values)


def _merge_detail(row: OutboxRow, **extra: Any) -> str:
    return json.dumps({**row.detail, **extra}, ensure_ascii=False, default=str)


def deliver(
    store: Store,
    archive: Archive,
    smtp_factory: Callable[[], SmtpClient],
    imap_factory: Callable[[], ImapClient] | None,
    rows: Iterable[OutboxRow],
    now_fn: Callable[[], datetime] = _utcnow,
    rate_per_minute: int = 0,
    progress: Callable[[OutboxRow, str], None] | None = None,
    *,
    sender: str,
    sent_folder: str = "Sent",
    max_attempts: int = 3,
    backoff_base: float = 2.0,
    backoff_cap: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    lifetime: timedelta = DEFAULT_LIFETIME,
    keep_going: Callable[[], bool] = lambda: True,
    on_schedule: bool = False,
) -> Delivery:
    """Send every due ``queued`` row of ``rows`` once, over one SMTP and one IMAP connection.

    ``rows`` may be any iterable, also one still being filled by another thread; the
    rows must be committed as ``queued`` before they are handed over. With
    ``on_schedule`` (the daemon) a row whose ``next_attempt_at`` is later than
    ``now_fn()`` is skipped (``Delivery.not_yet``); a person's command tries at once.

    ``max_attempts`` bounds the tries *within this run* (back-off sleeps of
    ``backoff_base`` doubling: 2 + 4 s by default); after them a temporary failure is
    deferred (``next_attempt_at``) until ``lifetime`` after the row was queued.
    ``keep_going()`` is asked before each row: False (the daemon's time budget ran out)
    stops the run there, ``Delivery.cut_short``.

    ``progress(row, outcome)`` is called once per row with "sent" | "failed" |
    "skipped" | "deferred", and with "retry" before each backoff wait.
    """
    crash = _Crash()
    crash.at("sent", bump=False)
    run = _Run(
        store,
        archive,
        smtp_factory,
        _SentCopier(imap_factory, sent_folder),
        crash,
        now_fn,
        progress,
        sender=sender,
        max_attempts=max_attempts,
        backoff_base=backoff_base,
        backoff_cap=backoff_cap,
        sleep=sleep,
        monotonic=monotonic,
        lifetime=lifetime,
        interval=60.0 / rate_per_minute if rate_per_minute > 0 else 0.0,
    )
    report = run.report
    todo = iter(rows)  # may be fed while we send (services.send renders the next ones meanwhile)
    try:
        for original in todo:
            row = _reload(store, original.id)
            if not _due(run, row, on_schedule):
                continue
            if not keep_going():
                report.cut_short = True
                report.left_queued = [row] + [
                    _reload(store, r.id) for r in todo if r.status == "queued"
                ]
                return report
            stop = _deliver_row(run, row)
            if stop is not None:
                return _stopped(store, report, todo, stop)
    finally:
        if run.smtp is not None:
            run.smtp.close()
        run.copier.close()
    return report


@dataclass
class _Run:
    """One ``deliver`` run: its connections, settings and report, shared by the row steps.

    The SMTP connection and the Sent copier live for the whole run (one login for all
    rows); ``last_send`` paces the rows at ``interval`` seconds apart.
    """

    store: Store
    archive: Archive
    smtp_factory: Callable[[], SmtpClient]
    copier: _SentCopier
    crash: _Crash
    now_fn: Callable[[], datetime]
    progress: Callable[[OutboxRow, str], None] | None
    sender: str
    max_attempts: int
    backoff_base: float
    backoff_cap: float
    sleep: Callable[[float], None]
    monotonic: Callable[[], float]
    lifetime: timedelta
    interval: float
    report: Delivery = field(default_factory=Delivery)
    smtp: SmtpClient | None = None
    last_send: float | None = None

    def tell(self, row: OutboxRow, outcome: str) -> None:
        """Report one row's outcome to the caller's ``progress``, if it asked."""
        if self.progress:
            self.progress(row, outcome)


def _due(run: _Run, row: OutboxRow, on_schedule: bool) -> bool:
    """Whether to try ``row`` now: still ``queued`` and, on schedule, its retry time come.

    A row another run already took or finished is "skipped"; on the daemon's schedule a
    row whose ``next_attempt_at`` lies ahead waits (``not_yet``), a person's command does
    not make it wait.
    """
    if row.status is not SendStatus.QUEUED:
        run.tell(row, "skipped")
        return False
    due_at = _when(row.next_attempt_at)
    if on_schedule and due_at is not None and due_at > _aware(run.now_fn()):
        run.report.not_yet.append(row)
        return False
    return True


def _deliver_row(run: _Run, row: OutboxRow) -> str | None:
    """One row's state machine: claim → SMTP → Sent copy → ``sent`` (or retry/defer/fail).

    Each try first commits ``sending`` (the claim: another process that took the row
    wins, and ``resolve_sending`` knows where a crash happened); the crash points
    (``sending``, ``smtp``, then ``copied`` inside ``_finish_sent``, ``sent``) are the
    step boundaries the fault-injection tests kill the process at. Returns why the run
    must stop (the connection is lost), or None to go on with the next row.
    """
    store = run.store
    data = run.archive.read(row.archive_path)
    tries = 0
    while True:
        with store.transaction():
            claimed = store.claim_send(row.id)
        if not claimed:  # another process took it
            return None
        row = _reload(store, row.id)
        tries += 1
        run.crash.at("sending")
        _pace(run)
        result, connection_lost, unreachable = _smtp_send(run, row, data)
        if unreachable:  # no server to talk to: seconds will not bring it
            tries = run.max_attempts  # back, next_attempt_at will (no sleeping)
        if result.ok:
            run.crash.at("smtp")
            _finish_sent(store, row, data, result, run.copier, run.report, run.now_fn, run.crash)
            row = _reload(store, row.id)
            run.report.sent.append(row)
            if result.refused:
                run.report.partial.append(row)
            run.crash.at("sent")
            run.tell(row, "sent")
            return None
        if result.temporary and tries < run.max_attempts:
            _set(store, row.id, status="queued", last_error=result.reason)
            wait = min(run.backoff_base * 2 ** (tries - 1), run.backoff_cap)
            if run.progress:  # the reloaded row carries the reason in last_error
                run.progress(_reload(store, row.id), "retry")
            run.sleep(wait)
            continue
        return _not_sent(run, row, result, connection_lost)


def _pace(run: _Run) -> None:
    """Keep ``interval`` seconds between two sends (``mailbox.rate_per_minute``).

    Some providers lock an account that sends faster than a person would.
    """
    if run.interval and run.last_send is not None:
        wait = run.last_send + run.interval - run.monotonic()
        if wait > 0:
            run.sleep(wait)
    run.last_send = run.monotonic()


def _smtp_send(run: _Run, row: OutboxRow, data: bytes) -> tuple[SendResult, bool, bool]:
    """Hand ``data`` to SMTP, connecting first if the run has no connection yet.

    Returns (result, connection lost, server unreachable). A lost or refused connection is
    a temporary failure, never an exception: the connection is dropped so the next try
    opens a new one; when it could not even be opened, retrying within seconds is pointless.
    """
    connecting = run.smtp is None
    try:
        if run.smtp is None:
            run.smtp = run.smtp_factory()
        connecting = False
        return run.smtp.send(run.sender, row.recipients, data), False, False
    except TransientError as exc:
        from mailflow.adapters.smtp import SendResult

        result = SendResult(ok=False, temporary=True, reason=exc.message)
        with suppress(Exception):
            run.smtp.close() if run.smtp is not None else None
        run.smtp = None
        return result, True, connecting


def _not_sent(run: _Run, row: OutboxRow, result: SendResult, connection_lost: bool) -> str | None:
    """The last try of this run failed: defer the row, or give it up as ``failed``.

    A temporary failure waits for a later run (``next_attempt_at``, growing with the
    mail's age) until ``lifetime`` after it was queued; a permanent one, or one past its
    lifetime, is ``failed``. Returns the reason when the connection was lost (the run
    stops: the other rows stay queued), else None.
    """
    store = run.store
    reason = result.reason
    if result.temporary:
        now = _aware(run.now_fn())
        since = _when(row.detail.get("requeued_at")) or _when(row.created_at)
        age = now - (since or now)
        if age < run.lifetime:
            _set(
                store,
                row.id,
                status="queued",
                last_error=reason,
                next_attempt_at=_iso(now + retry_delay(age)),
            )
            row = _reload(store, row.id)
            run.report.deferred.append(row)
            run.tell(row, "deferred")
            return reason if connection_lost else None
        hours = round(run.lifetime.total_seconds() / 3600, 1)
        reason = t("send.gave_up", hours=f"{hours:g}", error=reason)
    _set(store, row.id, status="failed", last_error=reason)
    row = _reload(store, row.id)
    run.report.failed.append(row)
    run.tell(row, "failed")
    return reason if connection_lost else None


def _finish_sent(
    store: Store,
    row: OutboxRow,
    data: bytes,
    result: SendResult,
    copier: _SentCopier,
    report: Delivery,
    now_fn: Callable[[], datetime],
    crash: _Crash,
) -> None:
    """Sent copy, then commit ``sent``. A failed copy never un-sends a sent message."""
    try:
        how = copier.copy(row.message_id, data)
    except MailflowError as exc:
        how = f"error: {exc.message}"
        report.copy_errors.append(f"{row.dedupe_key}: {exc.message}")
        copier.close()
    crash.at("copied")
    last_error = None
    if result.refused:
        last_error = t("send.partly_refused", who=", ".join(result.refused))
    if how.startswith("error"):
        last_error = (last_error + "; " if last_error else "") + how
    _set(
        store,
        row.id,
        status="sent",
        sent_at=_iso(now_fn()),
        last_error=last_error,
        detail=_merge_detail(row, sent_copy=how, refused=list(result.refused)),
    )


# --- after a crash ------------------------------------------------------------------------


def resolve_sending(
    store: Store,
    imap_factory: Callable[[], ImapClient] | None,
    sent_folder: str,
    now_fn: Callable[[], datetime] = _utcnow,
    *,
    campaign: str | None = None,
    kind: str | None = None,
) -> list[tuple[OutboxRow, str]]:
    """Settle rows a crash left in ``sending``: "found" → ``sent``; "resend" → ``queued``.

    A ``sending`` row was interrupted between "about to talk to SMTP" and "committed as
    sent"; the only trace of a message the server accepted is the copy in the mailbox's
    Sent folder, so we look for its Message-ID there and nowhere else (the recipients'
    mailboxes are not ours to read, bounces may take days). Found: the message went
    out, mark it sent. Not found: it most likely did not go out, send the same bytes again.

    Why that is the right trade-off: the alternative, never resending an uncertain row,
    turns every crash before SMTP (the common case: a kill while waiting on the rate
    limit or the network) into a department that silently never gets its directive,
    which the Office only finds out at the deadline. Resending instead risks a duplicate
    only when the crash fell between the server's 250 and the end of our APPEND, a
    window of one IMAP round trip, because we APPEND to Sent right after SMTP and before
    committing ``sent``. A rare duplicate of the same letter (same Message-ID, so many
    clients even fold it) is a far smaller harm than a missing one.

    Without an IMAP connection we cannot look, so we refuse rather than guess.
    """
    stuck = rows(store, campaign=campaign, kind=kind, statuses=[SendStatus.SENDING])
    if not stuck:
        return []
    if imap_factory is None:
        raise MailflowError(t("send.resolve_no_imap", n=len(stuck)), t("send.resolve_hint"))
    out: list[tuple[OutboxRow, str]] = []
    client = imap_factory()
    with client:
        for row in stuck:
            found = client.find_message_id(sent_folder, row.message_id)
            if found:
                _set(
                    store,
                    row.id,
                    status="sent",
                    sent_at=_iso(now_fn()),
                    detail=_merge_detail(row, resolved="found-in-sent"),
                )
                outcome = "found"
            else:
                _set(
                    store,
                    row.id,
                    status="queued",
                    last_error=t("send.resolved_resend"),
                    detail=_merge_detail(row, resolved="resent"),
                )
                outcome = "resend"
            store.event(
                "send.resolved",
                now_fn(),
                campaign=row.campaign,
                department=row.department,
                key=row.dedupe_key,
                outcome=outcome,
            )
            out.append((_reload(store, row.id), outcome))
    return out


# --- one composed mail ---------------------------------------------------------------


def queue_mail(
    cfg: Config,
    store: Store,
    archive: Archive,
    *,
    kind: str,
    campaign: str,
    department: str | None,
    to: Sequence[str],
    subject: str,
    text: str,
    dedupe_key: str,
    now: datetime,
    auto_submitted: str = "auto-generated",
    attachments: Sequence[tuple[str, bytes, str]] = (),
    in_reply_to: str = "",
    detail: dict[str, Any] | None = None,
) -> OutboxRow:
    """Queue one mail in the outbox (exactly once per ``dedupe_key``); returns its row."""
    # here, not at the top: `mailflow status` loads this module and never composes a mail
    from mailflow.adapters.mail_build import (
        Attachment,
        Outgoing,
        compose,
        loop_id,
        new_message_id,
        recipients,
    )

    mail = Outgoing(
        from_addr=cfg.mailbox.address,
        from_name=cfg.office.name,
        to=tuple(to),
        subject=subject,
        text=text,
        attachments=tuple(Attachment(n, d, ct) for n, d, ct in attachments),
        loop_id=loop_id(campaign, kind, dedupe_key),
        auto_submitted=auto_submitted,
        in_reply_to=in_reply_to,
        references=(in_reply_to,) if in_reply_to else (),
    )
    message_id = new_message_id(cfg.mailbox.address)
    data = compose(mail, message_id, aware(now))
    return queue(
        store,
        archive,
        dedupe_key,
        kind,
        campaign,
        department,
        recipients(mail),
        data,
        message_id,
        detail=detail or {},
        now=now,
    )
