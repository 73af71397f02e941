"""`mailflow send`: outline → plan → per-department files → outbox → SMTP.

The shell around ``core.send_plan``: it reads the outline, renders each department's
directive (docxtpl) and marked outline, composes the mail, queues it in the outbox and
delivers. Rendering is skipped for departments whose directive is already in the outbox,
so a second run costs one query per department and sends nothing new; a ``failed`` row
is rendered again (the address may have been fixed) and retried.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mailflow.adapters.archive import Archive
from mailflow.adapters.directive import (
    directive_context,
    render_directive,
    template_text,
    unknown_tags,
)
from mailflow.adapters.mail_build import Attachment, Outgoing, compose, loop_id, new_message_id
from mailflow.adapters.mail_templates import MailTemplates, unknown_tags_error
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.outline_docx import load_outline, mark_outline
from mailflow.adapters.smtp import SmtpClient
from mailflow.adapters.store import Store
from mailflow.config import Config
from mailflow.core.sanity import campaign_year, deadline_findings, stray_years
from mailflow.core.send_plan import KIND_DIRECTIVE, DepartmentPlan, SendPlan, plan_directive
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import Campaign, Outline, SendStatus
from mailflow.services import outbox

QUEUE_CHUNK = 5  # rows per commit while queueing: fewer fsyncs, yet the sender starts early

Events = Callable[[str, Any], None]


@dataclass(frozen=True)
class ReadyCampaign:
    campaign: Campaign
    outline: Outline
    plan: SendPlan
    narrowed: bool = False  # --department/--limit: only plan.items, not a previous run's rows


def prepare(cfg: Config, campaign_id: str) -> ReadyCampaign:
    campaign = cfg.campaign(campaign_id)
    departments = cfg.campaign_departments(campaign)
    outline = load_outline(Path(campaign.outline), departments)
    return ReadyCampaign(
        campaign, outline, plan_directive(campaign, departments, outline, cfg.lang)
    )


# --- what would stop a send ------------------------------------------------------------

#: The mail texts a directive needs (templates/mail[/<lang>]/).
MAIL_TEMPLATES = ("directive.txt.j2", "directive.html.j2")


@dataclass(frozen=True)
class Problem:
    """One thing to fix before sending, worded for the person who runs the command."""

    message: str
    hint: str = ""
    blocks_send: bool = True  # False: `check` fails on it, `send` shows it as a warning


def file_problems(campaign: Campaign) -> list[Problem]:
    """The outline and directive must be readable Word files (checked before parsing)."""
    found = []
    for what, path in (("outline", campaign.outline), ("directive", campaign.directive)):
        reason = _docx_problem(Path(path))
        if reason:
            found.append(
                Problem(
                    t(
                        "admin.check_file_bad",
                        campaign=campaign.id,
                        what=what,
                        path=path,
                        problem=reason,
                    ),
                    t("send.problem_file_hint"),
                )
            )
    return found


def _docx_problem(path: Path) -> str:
    """Why ``path`` is not a usable Word file, or "" when it is."""
    import zipfile

    if not path.is_file():
        return t("admin.file_missing")
    try:
        with zipfile.ZipFile(path) as zf:
            if "word/document.xml" not in zf.namelist():
                return t("admin.file_not_docx")
    except (zipfile.BadZipFile, OSError):
        return t("admin.file_not_docx")
    return ""


def problems(
    cfg: Config,
    prepared: ReadyCampaign,
    today: date,
    *,
    templates: MailTemplates,
    sent_any: bool,
    allow_unresolved: bool = False,
) -> list[Problem]:
    """Everything `send --send` refuses, and what `check` also flags, for one campaign.

    One function for both commands, so `check` passes only what `send` accepts: outline
    lines naming unknown units (with the closest names), template tags mailflow does not
    fill (directive and mail texts), missing mail templates, the deadline, a stale year
    in the templates, and our own address among the recipients.
    """
    campaign, plan = prepared.campaign, prepared.plan
    found: list[Problem] = []
    hint = t("send.unresolved_hint", campaign=campaign.id)
    for u in plan.unresolved:
        found.append(
            Problem(
                t(
                    "send.problem_unresolved",
                    campaign=campaign.id,
                    key=u.section_key,
                    fragment=u.fragment,
                    closest=", ".join(u.closest) or t("outline.cli_no_closest"),
                ),
                hint,
                blocks_send=not allow_unresolved,
            )
        )
    year = campaign_year(campaign.title, campaign.deadline)
    renderer = Renderer(cfg, prepared, today, templates)
    if plan.items:
        directive_ctx, mail_ctx = renderer.contexts(plan.items[0])
        try:
            unknown = unknown_tags(Path(campaign.directive), directive_ctx)
            if unknown:
                err = unknown_tags_error(Path(campaign.directive), unknown, directive_ctx)
                found.append(Problem(err.message, err.hint))
            found.extend(
                _year_problems(
                    campaign,
                    Path(campaign.directive),
                    template_text(Path(campaign.directive)),
                    year,
                )
            )
        except MailflowError as exc:
            found.append(Problem(exc.message, exc.hint))
        for name in MAIL_TEMPLATES:
            try:
                unknown = renderer.mail_templates.unknown_tags(name, mail_ctx)
                path = renderer.mail_templates.path(name)
                if unknown:
                    err = unknown_tags_error(path, unknown, mail_ctx)
                    found.append(Problem(err.message, err.hint))
                found.extend(_year_problems(campaign, path, path.read_text(encoding="utf-8"), year))
            except MailflowError as exc:
                found.append(Problem(exc.message, exc.hint))
    for finding in deadline_findings(campaign.title, campaign.deadline, today, sent_any):
        found.append(
            Problem(
                t(finding.key, campaign=campaign.id, **finding.params),
                t("send.problem_deadline_hint"),
                blocks_send=False,
            )
        )
    own = cfg.mailbox.address.lower()
    for item in plan.items:
        if any(r.lower() == own for r in item.recipients):
            found.append(
                Problem(
                    t("send.problem_own_address", code=item.department.code, address=own),
                    t("send.problem_own_address_hint"),
                    blocks_send=False,
                )
            )
    return found


def _year_problems(campaign: Campaign, path: Path, text: str, year: int) -> list[Problem]:
    stray = stray_years(text, year)
    if not stray:
        return []
    return [
        Problem(
            t(
                "send.problem_year",
                path=path,
                years=", ".join(map(str, stray)),
                campaign=campaign.id,
                year=year,
            ),
            t("send.problem_year_hint", tags="{{ campaign_year }}, {{ title }}, {{ deadline }}"),
            blocks_send=False,
        )
    ]


# --- mail text --------------------------------------------------------------------------


def subject(cfg: Config, campaign: Campaign) -> str:
    return t(
        "send.mail.subject",
        cfg.lang,
        token=campaign.token,
        title=campaign.title,
        deadline=campaign.deadline.strftime("%d/%m/%Y"),
    )


# --- rendering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    item: DepartmentPlan
    directive: bytes
    outline: bytes
    mail: Outgoing


class Renderer:
    """Renders one department's files and mail; the outline file is read once."""

    def __init__(
        self, cfg: Config, prepared: ReadyCampaign, today: date, templates: MailTemplates
    ) -> None:
        self.cfg = cfg
        self.prepared = prepared
        self.today = today
        campaign = prepared.campaign
        self.template = Path(campaign.directive)
        self.outline_bytes = Path(campaign.outline).read_bytes()
        self.departments = cfg.campaign_departments(campaign)
        self.mail_templates = templates
        self.subject = subject(cfg, campaign)

    def contexts(self, item: DepartmentPlan) -> tuple[dict[str, Any], dict[str, Any]]:
        """The values the directive template and the mail texts get for ``item``.

        `check` compares the templates' tags with these very keys, so a tag it accepts is
        one `send` can fill.
        """
        cfg, campaign, outline = self.cfg, self.prepared.campaign, self.prepared.outline
        dep = item.department
        context = directive_context(campaign, dep, outline, cfg.mailbox.address, self.today)
        directive_name, outline_name = (a.filename for a in item.attachments)
        mail_context = {
            "department": dep.name,
            "office": cfg.office.name,
            "title": campaign.title,
            "token": campaign.token,
            "deadline": campaign.deadline.strftime("%d/%m/%Y"),
            "sections": list(item.labels),
            "directive_file": directive_name,
            "outline_file": outline_name,
            "mailbox": cfg.mailbox.address,
            "subject": self.subject,
            "campaign_year": context["campaign_year"],
        }
        return context, mail_context

    def render(self, item: DepartmentPlan) -> Rendered:
        cfg, campaign = self.cfg, self.prepared.campaign
        context, mail_context = self.contexts(item)
        directive = render_directive(self.template, context)
        marked = mark_outline(
            self.outline_bytes, self.prepared.outline, item.department, self.departments
        )
        directive_name, outline_name = (a.filename for a in item.attachments)
        mail = Outgoing(
            from_addr=cfg.mailbox.address,
            from_name=cfg.office.name,
            to=item.recipients,
            subject=self.subject,
            text=self.mail_templates.render("directive.txt.j2", mail_context),
            html=self.mail_templates.render("directive.html.j2", mail_context),
            attachments=(Attachment(directive_name, directive), Attachment(outline_name, marked)),
            loop_id=loop_id(campaign.id, KIND_DIRECTIVE, item.dedupe_key),
        )
        return Rendered(item, directive, marked, mail)


def detail(item: DepartmentPlan, subject_line: str) -> dict[str, Any]:
    """What the outbox row keeps for `status`, reminders and people reading the state."""
    return {
        "subject": subject_line,
        "sections": list(item.section_keys),
        "attachments": [a.filename for a in item.attachments],
        "reminders": [d.isoformat() for d in item.reminder_dates],
    }


# --- dry run ------------------------------------------------------------------------------


def preview(
    cfg: Config, prepared: ReadyCampaign, out_dir: Path, now: datetime, templates: MailTemplates
) -> list[Path]:
    """Write every department's directive, marked outline and .eml; send nothing."""
    renderer = Renderer(cfg, prepared, now.date(), templates)
    written: list[Path] = []
    for item in prepared.plan.items:
        r = renderer.render(item)
        folder = out_dir / item.department.code
        folder.mkdir(parents=True, exist_ok=True)
        data = compose(r.mail, new_message_id(cfg.mailbox.address), now)
        for name, payload in (
            (item.attachments[0].filename, r.directive),
            (item.attachments[1].filename, r.outline),
            ("directive.eml", data),
        ):
            path = folder / name
            path.write_bytes(payload)
            written.append(path)
    return written


def statuses(
    cfg: Config, prepared: ReadyCampaign, open_store: Callable[[], Store]
) -> dict[str, SendStatus]:
    """Outbox status per department code, without creating a state file that is not there
    (``open_store`` is called only when there is one; the caller's App closes the store)."""
    if not cfg.state_path.exists():
        return {}
    rows = outbox.rows(open_store(), campaign=prepared.campaign.id, kind=KIND_DIRECTIVE)
    return {r.department or "": r.status for r in rows}


# --- sending ------------------------------------------------------------------------------


@dataclass
class SendOutcome:
    total: int
    before: int = 0  # directives already sent before this run
    resolved: list[tuple[outbox.OutboxRow, str]] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)  # department codes re-queued after failing
    delivery: outbox.Delivery | None = None
    rows: list[outbox.OutboxRow] = field(default_factory=list)
    connect_error: MailflowError | None = None  # the last failed SMTP connection, with hint

    @property
    def failed(self) -> list[outbox.OutboxRow]:
        return [r for r in self.rows if r.status is SendStatus.FAILED]

    @property
    def sent_now(self) -> int:
        return len(self.delivery.sent) if self.delivery else 0


class _Sender(threading.Thread):
    """Runs ``outbox.deliver`` beside the renderer; its result or error is kept for join."""

    def __init__(self, work: Callable[[], outbox.Delivery]) -> None:
        super().__init__(name="mailflow-send", daemon=True)
        self.work = work
        self._result: outbox.Delivery | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._result = self.work()
        except BaseException as exc:  # handed to the caller's thread in result()
            self._error = exc

    def result(self) -> outbox.Delivery:
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _render_and_queue(
    cfg: Config,
    prepared: ReadyCampaign,
    todo: list[DepartmentPlan],
    existing: dict[str, outbox.OutboxRow],
    store: Store,
    archive: Archive,
    now_fn: Callable[[], datetime],
    handoff: queue.Queue[outbox.OutboxRow | None],
    outcome: SendOutcome,
    emit: Events,
    templates: MailTemplates,
) -> None:
    """Render, compose and queue each department; hand every committed row to the sender."""
    if not todo:
        return
    campaign = prepared.campaign
    renderer = Renderer(cfg, prepared, now_fn().date(), templates)
    pending: list[outbox.QueueEntry] = []

    def flush() -> None:
        for row, _new in outbox.queue_many(store, archive, pending, now_fn()):
            if row.status is SendStatus.QUEUED:
                handoff.put(row)
        pending.clear()

    for item in todo:
        rendered = renderer.render(item)
        message_id = new_message_id(cfg.mailbox.address)
        data = compose(rendered.mail, message_id, now_fn())
        info = detail(item, renderer.subject)
        old = existing.get(item.dedupe_key)
        if old is not None:  # failed before: new bytes, same dedupe key
            handoff.put(
                outbox.requeue_failed(store, archive, old, item.recipients, data, message_id, info)
            )
            outcome.retried.append(item.department.code)
        else:
            pending.append(
                outbox.QueueEntry(
                    item.dedupe_key,
                    KIND_DIRECTIVE,
                    campaign.id,
                    item.department.code,
                    item.recipients,
                    data,
                    message_id,
                    info,
                )
            )
            if len(pending) >= QUEUE_CHUNK:
                flush()
        emit("rendered", item.department.code)
    flush()


def send(
    cfg: Config,
    prepared: ReadyCampaign,
    now_fn: Callable[[], datetime],
    events: Events | None = None,
    *,
    store: Store,
    archive: Archive,
    servers: MailServers,
    templates: MailTemplates,
    allow_unresolved: bool = False,
    copy_to_sent: bool = True,
) -> SendOutcome:
    """Queue what is not queued yet, settle interrupted rows, then deliver.

    ``copy_to_sent=False`` skips the Sent copy (the benchmark measures its cost); it also
    weakens crash recovery, so the command line never turns it off. ``servers`` gives the
    SMTP clients (connected at once: a wrong port costs one attempt, not half a minute of
    retries) and the IMAP clients for the Sent copy; the caller owns the store.
    """
    campaign, plan = prepared.campaign, prepared.plan
    if plan.unresolved and not allow_unresolved:
        raise MailflowError(
            t("send.unresolved_refused", n=len(plan.unresolved)),
            t("send.unresolved_hint", campaign=campaign.id),
        )
    emit = events or (lambda kind, value: None)
    connect, imap_factory = servers.smtp, servers.imap
    outcome = SendOutcome(total=len(plan.items))

    def smtp_factory() -> SmtpClient:
        try:
            return connect()
        except MailflowError as exc:  # kept so the command can say what is likely wrong
            outcome.connect_error = exc
            raise

    outcome.resolved = outbox.resolve_sending(
        store,
        imap_factory,
        cfg.mailbox.sent_folder,
        now_fn,
        campaign=campaign.id,
        kind=KIND_DIRECTIVE,
    )
    for row, how in outcome.resolved:
        emit("resolved", (row, how))
    existing = {
        r.dedupe_key: r for r in outbox.rows(store, campaign=campaign.id, kind=KIND_DIRECTIVE)
    }
    outcome.before = sum(
        1 for i in plan.items if (r := existing.get(i.dedupe_key)) and r.status == "sent"
    )
    todo = [
        i
        for i in plan.items
        if i.dedupe_key not in existing or existing[i.dedupe_key].status == "failed"
    ]
    # rows a previous run queued but did not send go first, in plan order
    order = {i.dedupe_key: n for n, i in enumerate(plan.items)}
    waiting = sorted(
        (
            r
            for r in existing.values()
            if r.status is SendStatus.QUEUED and (not prepared.narrowed or r.dedupe_key in order)
        ),
        key=lambda r: order.get(r.dedupe_key, len(order)),
    )
    emit("render_start", len(todo))
    emit("send_start", len(waiting) + len(todo))
    if not waiting and not todo:
        outcome.rows = list(existing.values())
        return outcome
    # Rendering (CPU) and delivery (network, fsync) overlap: a sender thread takes each
    # row as soon as it is committed as queued. It has its own SQLite connection.
    handoff: queue.Queue[outbox.OutboxRow | None] = queue.Queue()
    for row in waiting:
        handoff.put(row)

    def deliver(own: Store) -> outbox.Delivery:
        try:
            return outbox.deliver(
                own,
                archive,
                smtp_factory,
                imap_factory if copy_to_sent else None,
                iter(handoff.get, None),
                now_fn,
                cfg.mailbox.rate_per_minute,
                lambda row, what: emit(what, row),
                sender=cfg.mailbox.address,
                sent_folder=cfg.mailbox.sent_folder,
            )
        finally:
            own.close()

    sender = _Sender(lambda: deliver(store.reopened()))
    sender.start()
    try:
        _render_and_queue(
            cfg, prepared, todo, existing, store, archive, now_fn, handoff, outcome, emit, templates
        )
    finally:
        handoff.put(None)
        sender.join()
    outcome.delivery = sender.result()
    outcome.rows = outbox.rows(store, campaign=campaign.id, kind=KIND_DIRECTIVE)
    return outcome
