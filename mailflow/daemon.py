"""`mailflow run`: one process that runs the whole campaign by itself.

Why this shape:

- ``schedule`` only wakes the loop; what is *due* is decided by the pure core from the
  clock's ``now`` (``mailflow/core/due.py``), so a test or the demo puts the daemon on
  simulated days by handing it another clock.
- Each job catches, logs and continues: a broken reply or a down server must never stop
  the reminders, and the next tick retries. Failures back off exponentially (capped) per
  job so a dead network is not hammered and the log is not flooded.
- IMAP IDLE, where the server offers it, only *wakes* a normal UID re-sync: the poll is
  the one code path that takes mail in, exactly once. IDLE is re-issued every 25 minutes
  (RFC 2177 asks for less than 29); without IDLE, or while it fails, polling carries on.
- One instance per state file (an fcntl lock next to it): two daemons would each send
  the same reminder before either recorded it.
- SIGTERM/SIGINT only set a flag: the current job finishes its mail (the poll commits
  and moves what it took), then the loop exits with code 0.
- Each job runs under a time budget (``daemon.job_budget_seconds``): it asks
  ``keep_going()`` at its safe points (between mails, between campaigns) and stops there
  once the budget is spent; one log line says so. Sockets and converters have their own
  timeouts, so no single step can hang past the budget for long.
- The log file is owner-only (0600) whatever the umask; the start-up line says loudly
  when TLS verification is off.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import logging.handlers
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import schedule

from mailflow import bootstrap
from mailflow.adapters import sandbox
from mailflow.adapters.locks import Busy, assemble_lock_path, held
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.netdiag import unverified_warnings
from mailflow.clock import Clock, aware
from mailflow.config import Config
from mailflow.display import SafeFormatter
from mailflow.errors import MailflowError, TransientError
from mailflow.i18n import t

if TYPE_CHECKING:  # jinja2 loads when the first mail is rendered
    from mailflow.adapters.convert import LibreOffice
    from mailflow.adapters.mail_templates import MailTemplates

log = logging.getLogger("mailflow.daemon")

#: First back-off after a failure, and the cap it doubles up to.
BACKOFF_START = 5.0
BACKOFF_CAP = 15 * 60.0
#: RFC 2177: re-issue IDLE before 29 minutes.
IDLE_REISSUE_SECONDS = 25 * 60
#: While IDLE works, still poll this often in case a notification was lost.
IDLE_SAFETY_POLL_SECONDS = 15 * 60
#: How often (real seconds) the due-decisions are asked at most.
DUE_TICK_SECONDS = 30
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def lock_path(cfg: Config) -> Path:
    return cfg.state_path.with_name(cfg.state_path.name + ".lock")


@contextlib.contextmanager
def single_instance(cfg: Config) -> Iterator[None]:
    """Hold an exclusive lock next to the state file, or fail with a clear message."""
    path = lock_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            other = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise MailflowError(
                t("daemon.already_running", pid=other, lock=path), t("daemon.already_running_hint")
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock; the file stays (harmless, reused)


def setup_logging(cfg: Config, verbose: bool = False, stream: bool = True) -> logging.Logger:
    """Log to stderr and to a rotating file (daemon.log_file, default next to the state).

    ``stream=False`` (the demo) keeps the log in the file only, so the screen shows the story.
    """
    root = logging.getLogger("mailflow")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_mailflow_daemon", False):
            root.removeHandler(handler)
            handler.close()
    # mail-derived text in a record (subjects, names) is shown escaped: no ESC, no forged line
    fmt = SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    path = cfg.daemon.log_file or cfg.state_path.with_name("mailflow.log")
    path.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        _PrivateRotatingFileHandler(path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8")
    ]
    if stream:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(fmt)
        handler._mailflow_daemon = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.propagate = False
    return root


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it creates (the first and each after a rotation) is 0600: the log
    names departments, subjects and file names."""

    def _open(self):  # type: ignore[no-untyped-def]
        from mailflow.adapters.archive import private_dir, private_opener

        private_dir(Path(self.baseFilename).parent)
        return open(
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=private_opener,
        )


@dataclass
class Job:
    """One thing the daemon does; ``run(now)`` does it once and returns a short summary."""

    name: str
    run: Callable[[datetime], object]
    failures: int = 0
    retry_at: float = 0.0  # monotonic seconds; before it the job is skipped (back-off)
    last_ok: float | None = None


@dataclass
class Daemon:
    cfg: Config
    #: None: the App's clock (MAILFLOW_FAKE_NOW or the system's), set in __post_init__
    clock: Clock = None  # type: ignore[assignment]
    jobs: list[Job] = field(default_factory=list)
    stop_requested: threading.Event = field(default_factory=threading.Event)
    _nudge: threading.Event = field(default_factory=threading.Event)
    _mail_waiting: threading.Event = field(default_factory=threading.Event)
    idle_alive: bool = False
    _app: bootstrap.App | None = None
    _store: Any = None
    _archive: Any = None
    _deadline: float | None = None  # monotonic; the running job's budget ends here
    _cut: bool = False  # the running job was told to stop by keep_going()
    _waiting_logged: datetime | None = None  # last "mails waiting" log line (once an hour)

    # --- wiring --------------------------------------------------------------------------

    def __post_init__(self) -> None:
        if self.clock is None:
            self.clock = self._adapters().clock

    @classmethod
    def of(cls, app: bootstrap.App) -> Daemon:
        """A daemon over ``app``'s adapters and clock: the CLI's one App of the run."""
        return cls(app.config, app.clock, _app=app)

    def open(self) -> Daemon:
        if self._store is None:
            self._app = self._adapters()
            self._store = self._app.store
            self._archive = self._app.archive
        if not self.jobs:
            self.jobs = [Job(name, fn) for name, fn in default_jobs(self)]
        return self

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._app is not None:
            self._app.close()
            self._app = None

    @property
    def store(self) -> Any:
        return self._store

    @property
    def archive(self) -> Any:
        return self._archive

    @property
    def servers(self) -> MailServers:
        """The mailbox's IMAP and SMTP client factories (built once, by bootstrap)."""
        return self._adapters().servers

    @property
    def converter(self) -> LibreOffice:
        """LibreOffice for old Word formats, shared by every poll (built once, by bootstrap)."""
        return self._adapters().converter

    @property
    def templates(self) -> MailTemplates:
        """The mail texts (built once, by bootstrap)."""
        return self._adapters().templates

    def _adapters(self) -> bootstrap.App:
        if self._app is None:
            self._app = bootstrap.build(self.cfg, self.clock)
        return self._app

    def job(self, name: str) -> Job:
        return next(j for j in self.jobs if j.name == name)

    # --- running jobs -------------------------------------------------------------------

    def keep_going(self) -> bool:
        """Asked by jobs at their safe points: False once the job's time budget is spent
        (or a stop was requested); the job then leaves the rest for the next round."""
        if self.stop_requested.is_set():
            return False
        if self._deadline is not None and self.clock.monotonic() >= self._deadline:
            self._cut = True
            return False
        return True

    def run_job(self, job: Job, force: bool = False) -> bool:
        """Run ``job`` unless backing off; any failure is logged and backs it off."""
        mono = self.clock.monotonic()
        if not force and mono < job.retry_at:
            return False
        now = self.clock.now()
        budget = self.cfg.daemon.job_budget_seconds
        self._deadline, self._cut = mono + budget, False
        try:
            summary = job.run(now)
        except Exception as exc:  # each job catches, logs and continues
            job.failures += 1
            delay = min(BACKOFF_START * 2 ** (job.failures - 1), BACKOFF_CAP)
            job.retry_at = self.clock.monotonic() + delay
            if isinstance(exc, TransientError):
                log.warning(t("daemon.job_transient", job=job.name, error=exc, delay=int(delay)))
            elif isinstance(exc, MailflowError):
                log.error(t("daemon.job_failed", job=job.name, error=exc, delay=int(delay)))
            else:
                log.exception(t("daemon.job_crashed", job=job.name, delay=int(delay)))
            return False
        finally:
            took = int(self.clock.monotonic() - mono)
            if self._cut:
                log.warning(t("daemon.job_cut", job=job.name, seconds=took, budget=budget))
            elif took > budget:
                log.warning(t("daemon.job_over_budget", job=job.name, seconds=took, budget=budget))
            self._deadline, self._cut = None, False
        if job.failures:
            log.info(t("daemon.job_recovered", job=job.name, failures=job.failures))
        job.failures = 0
        job.retry_at = 0.0
        job.last_ok = self.clock.monotonic()
        if summary:
            log.info("%s: %s", job.name, summary)
        else:
            log.debug("%s: nothing to do", job.name)
        return True

    def run_all(self, force: bool = False) -> None:
        """Every job once, in order: mail in first, so reminders see today's replies."""
        for job in self.jobs:
            if self.stop_requested.is_set():
                return
            self.run_job(job, force=force)

    def log_waiting(self, now: datetime) -> None:
        """Once an hour (simulated time), one line about mail stuck in the outbox."""
        from mailflow.services import outbox

        if self._waiting_logged is not None and now - self._waiting_logged < timedelta(hours=1):
            return
        minutes = self.cfg.mailbox.retry_warn_minutes
        stuck = outbox.waiting(self.store, _aware(now), timedelta(minutes=minutes))
        if not stuck:
            return
        self._waiting_logged = now
        oldest = stuck[0]
        log.warning(
            t(
                "daemon.outbox_waiting",
                n=len(stuck),
                minutes=minutes,
                oldest=f"{oldest.kind} → {', '.join(oldest.recipients)} ({oldest.created_at})",
                error=oldest.last_error or "",
            )
        )

    def intake_tick(self) -> None:
        """Scheduled poll; while IDLE works only a slow safety poll is needed."""
        job = self._intake_job()
        if job is None:
            return
        recent = job.last_ok is not None and (
            self.clock.monotonic() - job.last_ok < IDLE_SAFETY_POLL_SECONDS
        )
        if self.idle_alive and recent:
            return
        self.run_job(job)

    def _intake_job(self) -> Job | None:
        return next((j for j in self.jobs if j.name == "intake"), None)

    def due_tick(self) -> None:
        for job in self.jobs:
            if job.name != "intake" and not self.stop_requested.is_set():
                self.run_job(job)

    # --- the loop -----------------------------------------------------------------------

    def request_stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if signum is not None:
            log.info(t("daemon.stopping", signal=signal.Signals(signum).name))
        self.stop_requested.set()
        self._nudge.set()

    def mail_arrived(self) -> None:
        """Called by the IDLE watcher: wake the loop for a normal UID re-sync."""
        self._mail_waiting.set()
        self._nudge.set()

    def run_once(self) -> None:
        """`mailflow run --once`: every due job once, then return (for cron)."""
        with single_instance(self.cfg):
            self.open()
            for warning in unverified_warnings(self.cfg.mailbox.imap, self.cfg.mailbox.smtp):
                log.warning(warning)
            sandbox.say_if_unavailable()
            try:
                self.run_all()
            finally:
                self.close()

    def run_forever(self) -> None:
        with single_instance(self.cfg):
            self.open()
            old = {}
            if threading.current_thread() is threading.main_thread():  # tests use a thread
                old = {s: signal.signal(s, self.request_stop) for s in STOP_SIGNALS}
            watcher: IdleWatcher | None = None
            try:
                log.info(t("daemon.started", pid=os.getpid(), now=self.clock.now()))
                for warning in unverified_warnings(self.cfg.mailbox.imap, self.cfg.mailbox.smtp):
                    log.warning(warning)
                sandbox.say_if_unavailable()  # at start-up, not at the first conversion
                scheduler = schedule.Scheduler()
                poll_every = max(int(self.cfg.daemon.poll_seconds), 1)
                scheduler.every(poll_every).seconds.do(self.intake_tick)
                scheduler.every(min(poll_every, DUE_TICK_SECONDS)).seconds.do(self.due_tick)
                if self.cfg.daemon.idle and self._intake_job() is not None:
                    watcher = IdleWatcher(self)
                    watcher.start()
                self.run_all()
                while not self.stop_requested.is_set():
                    if self._mail_waiting.is_set():
                        self._mail_waiting.clear()
                        job = self._intake_job()
                        if job is not None:
                            self.run_job(job)
                    scheduler.run_pending()
                    wait = scheduler.idle_seconds
                    wait = 1.0 if wait is None else min(max(wait, 0.05), 60.0)
                    self._nudge.wait(wait)
                    self._nudge.clear()
            finally:
                if watcher is not None:
                    watcher.stop()
                for s, handler in old.items():
                    signal.signal(s, handler)
                self.close()
                log.info(t("daemon.stopped"))


class IdleWatcher(threading.Thread):
    """Holds an IMAP IDLE on the inbox and nudges the daemon when the server says so."""

    def __init__(self, daemon: Daemon) -> None:
        super().__init__(name="mailflow-idle", daemon=True)
        self.d = daemon
        self._halt = threading.Event()
        self.failures = 0

    def stop(self) -> None:
        self._halt.set()
        self.join(5)

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                if not self._session():
                    return  # the server has no IDLE: polling alone, as configured
                self.failures = 0
            except Exception as exc:  # network: back off, polling covers meanwhile
                self.d.idle_alive = False
                self.failures += 1
                delay = min(BACKOFF_START * 2 ** (self.failures - 1), BACKOFF_CAP)
                log.warning(t("daemon.idle_failed", error=exc, delay=int(delay)))
                self._halt.wait(delay)
        self.d.idle_alive = False

    def _session(self) -> bool:
        client = self.d.servers.imap()
        with client:
            if "IDLE" not in client.capabilities:
                log.info(t("daemon.idle_unsupported"))
                return False
            client.select(self.d.cfg.mailbox.inbox)
            box = client.box
            assert box is not None
            log.info(t("daemon.idle_started"))
            while not self._halt.is_set():
                started = self.d.clock.monotonic()
                box.idle.start()
                self.d.idle_alive = True
                # Listening now: one re-sync takes whatever came while we were not.
                self.d.mail_arrived()
                try:
                    while not self._halt.is_set():
                        if self.d.clock.monotonic() - started > IDLE_REISSUE_SECONDS:
                            break
                        responses = box.idle.poll(timeout=5)
                        if any(b"EXISTS" in r or b"RECENT" in r for r in responses):
                            self.d.mail_arrived()
                finally:
                    box.idle.stop()
        self.d.idle_alive = False
        return True


def _aware(now: datetime) -> datetime:
    """The adapters stamp rows with aware times; the clock gives the office's wall time."""
    return aware(now)


def default_jobs(d: Daemon) -> list[tuple[str, Callable[[datetime], object]]]:
    """The daemon's jobs in the order they run. Each takes ``now`` from the daemon's clock.

    A job whose module is not installed is left out with a note, so the daemon keeps
    doing what it can (and says what it cannot).
    """
    jobs: list[tuple[str, Callable[[datetime], object]]] = []
    cfg = d.cfg

    def intake(now: datetime) -> object:
        from mailflow.services.match import match_pending
        from mailflow.services.poll import poll_once

        result = poll_once(
            cfg,
            d.store,
            d.archive,
            d.servers,
            converter=d.converter,
            clock=lambda: _aware(d.clock.now()),
        )
        if not d.keep_going():  # matching waits for the next round; the mail is safe
            return t("daemon.intake_summary", fetched=result.fetched, matched=0)
        matched = match_pending(cfg, d.store, d.archive, _aware(d.clock.now()))
        from mailflow.services.office_reply import answer_office_replies

        # the Office's reply commands; the answer and a new draft go with the outbox job
        answer_office_replies(cfg, d.store, d.archive, _aware(d.clock.now()), d.converter)
        if result.fetched or matched:
            return t("daemon.intake_summary", fetched=result.fetched, matched=len(matched))
        return None

    jobs.append(("intake", intake))

    def remind(now: datetime) -> object:
        from mailflow.services.remind import run_reminders

        # queued only: the "outbox" job sends them
        sent = run_reminders(cfg, d.store, d.archive, now, templates=d.templates)
        return t("daemon.remind_summary", n=len(sent)) if sent else None

    jobs.append(("remind", remind))

    def office(now: datetime) -> object:
        from mailflow.services.office_mail import send_office_mail_if_due

        done = []
        for campaign in cfg.campaigns:
            if not d.keep_going():
                break
            try:  # a person's `mailflow assemble` holds it: this campaign waits a round
                with held(assemble_lock_path(cfg.state_path, campaign.id)):
                    result = send_office_mail_if_due(
                        cfg, d.store, d.archive, campaign, now, pdf=cfg.daemon.draft_pdf
                    )
            except Busy:
                continue
            if result is not None:
                done.append(f"{campaign.id} v{result.version}")
        return ", ".join(done) or None

    jobs.append(("office", office))

    def send(now: datetime) -> object:
        from mailflow.services.remind import deliver_queued

        report = deliver_queued(
            cfg, d.store, d.archive, d.servers, d.clock.now, keep_going=d.keep_going
        )
        d.log_waiting(now)
        if report.sent or report.failed:
            return t("daemon.outbox_summary", sent=len(report.sent), failed=len(report.failed))
        return None

    jobs.append(("outbox", send))
    return jobs
