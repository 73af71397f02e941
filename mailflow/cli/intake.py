"""Intake commands: ``poll``, ``ingest`` and ``import`` — one pipeline, three doors."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from mailflow.adapters.saved_mail import import_message, read_file, saved_mails
from mailflow.cli.base import AppContext, cli, console, err_console, pass_app, pick_campaign
from mailflow.cli.progress import Progress
from mailflow.display import safe
from mailflow.errors import ConfigError, MailflowError
from mailflow.i18n import t
from mailflow.messages import CATALOGUE
from mailflow.services.intake import (
    INGEST_BATCH,
    Intake,
    Outcome,
    Override,
    ingest_saved,
    reason_text,
)
from mailflow.services.match import match_pending
from mailflow.services.poll import PollResult, poll_loop, poll_once


def kind_name(kind: str) -> str:
    """The mail kind ("report", "review"…) in the run's language; an unknown one as is."""
    key = f"poll.kind.{kind}"
    return t(key) if key in CATALOGUE else str(kind)


def _mail_line(o: Outcome) -> str:
    reason = ""
    if o.attention:
        reason = " — " + reason_text(o.reason, o.reason_params)
    return t(
        "poll.mail_line",
        kind=kind_name(o.kind),
        who=safe(o.from_addr or "?"),
        subject=safe((o.subject or "")[:80]),
        campaign=o.campaign or "-",
        department=o.department or "-",
        documents=o.documents,
        reason=reason,
    )


def _office_replies(app: AppContext) -> None:
    """The Office's reply commands are applied and answered at once (jobs.office_reply);
    the answer and any new draft go out now, each mail's outcome told as that mail's."""
    from mailflow.services.office_mail import flush
    from mailflow.services.office_reply import answer_office_replies

    cfg, adapters = app.config(), app.adapters()
    store, archive = adapters.store, adapters.archive
    outcomes = answer_office_replies(cfg, store, archive, app.now(), adapters.converter)
    for o in outcomes:
        console.print(
            t(
                "reply.poll_line",
                id=o.mail_id,
                sender=safe(o.sender),
                done=len(o.done),
                failed=len(o.failed) + len(o.unreadable),
            )
            if not o.duplicate
            else t("reply.poll_duplicate", id=o.mail_id, sender=safe(o.sender))
        )
    rows = [row for o in outcomes for row in o.queued]
    if rows:
        flush(cfg, store, archive, adapters.servers, rows)


def _match_new(app: AppContext) -> None:
    """Reports taken in are placed at once, so `review` and `status` are current."""
    adapters = app.adapters()
    results = [
        r
        for r in match_pending(app.config(), adapters.store, adapters.archive, app.now())
        if not r.already
    ]
    _office_replies(app)
    if results:
        console.print(
            t(
                "poll.matched",
                mails=len(results),
                placed=sum(r.placed for r in results),
                review=sum(r.review for r in results),
                unplaced=sum(r.unplaced for r in results),
            )
        )


def _print_poll(result: PollResult) -> None:
    if result.resync is not None:
        r = result.resync
        err_console.print(
            "[bold red]"
            + t("poll.uidvalidity_changed", folder=result.folder, old=r.old, new=r.new)
            + "[/]"
        )
        err_console.print(
            t(
                "poll.uidvalidity_resync",
                seen=r.seen,
                known=r.known,
                same_id=r.same_id,
                new=r.new_mails,
            )
        )
        err_console.print("[yellow]" + t("poll.uidvalidity_hint") + "[/]")
        return
    if result.recovered:
        console.print(t("poll.recovered_moves", count=result.recovered, folder=result.folder))
    if not result.fetched:
        console.print(t("poll.nothing_new"))
        return
    for outcome in result.new:
        console.print(_mail_line(outcome), markup=False)
    console.print(
        t(
            "poll.summary",
            new=len(result.new),
            fetched=result.fetched,
            duplicates=result.duplicates,
            moved=result.moved,
        )
    )


@cli.command()
@click.option("--once", is_flag=True, help="Kiểm tra một lần rồi thoát / poll once and exit")
@pass_app
def poll(app: AppContext, once: bool) -> None:
    """Nhận thư trả lời từ hộp thư IMAP / take replies in from the IMAP mailbox."""
    cfg, adapters = app.config(), app.adapters()
    store, archive, servers = adapters.store, adapters.archive, adapters.servers
    try:
        with Intake(cfg, store, archive, clock=app.now, converter=adapters.converter) as intake:
            console.print(
                t("poll.connecting", address=cfg.mailbox.address, folder=cfg.mailbox.inbox)
            )
            if once:
                _print_poll(poll_once(cfg, store, archive, servers, clock=app.now, intake=intake))
                _match_new(app)
                return
            seconds = max(cfg.daemon.poll_seconds, 1)
            console.print(t("poll.loop_started", seconds=seconds))

            def after(result: PollResult) -> None:
                _print_poll(result)
                _match_new(app)

            def on_error(exc: MailflowError) -> None:
                err_console.print(
                    t(
                        "poll.loop_error",
                        at=app.now().strftime("%H:%M:%S"),
                        error=exc.message,
                        seconds=seconds,
                    ),
                    markup=False,
                )

            # Ctrl+C ends it (the CLI group turns it into exit 130)
            poll_loop(
                cfg,
                store,
                archive,
                servers,
                intake=intake,
                clock=app.now,
                after=after,
                on_error=on_error,
            )
    finally:
        app.close()


# --- ingest ---------------------------------------------------------------------------


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def ingest(app: AppContext, files: tuple[Path, ...]) -> None:
    """Đưa thư đã lưu (.eml, mbox, Maildir) vào như khi nhận / run saved mail through intake."""
    cfg = app.config()
    saved = saved_mails(files)
    if not saved:
        raise MailflowError(t("ingest.no_files", paths=", ".join(map(str, files))))
    adapters = app.adapters()
    try:
        with Intake(
            cfg, adapters.store, adapters.archive, clock=app.now, converter=adapters.converter
        ) as intake:
            if len(saved) > INGEST_BATCH:  # many mails: show how far it got
                with Progress(len(saved), t("cli.progress.ingest")) as progress:
                    outcomes = ingest_saved(intake, saved, on_batch=progress.advance)
            else:
                outcomes = ingest_saved(intake, saved)
    finally:
        app.close()
    by_kind: dict[str, int] = {}
    for o in outcomes:
        by_kind[o.kind] = by_kind.get(o.kind, 0) + 1
        if o.created and o.attention:
            console.print(_mail_line(o), markup=False)
    new = sum(1 for o in outcomes if o.created)
    console.print(t("ingest.summary", total=len(outcomes), new=new, duplicates=len(outcomes) - new))
    for kind, count in sorted(by_kind.items()):
        console.print(t("ingest.by_kind", kind=kind_name(kind), count=count))


# --- import ---------------------------------------------------------------------------


@cli.command("import")
@click.option("--campaign", "campaign_id", default=None)
@click.option("--department", "code", required=True, help="Mã đơn vị / department code")
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def import_cmd(app: AppContext, campaign_id: str | None, code: str, file: Path) -> None:
    """Nhập báo cáo nhận qua đường khác (USB, Zalo...) / record a report that came another way."""
    cfg = app.config()
    campaign = pick_campaign(cfg, campaign_id)
    department = cfg.department(code)
    if not file.is_file():
        raise ConfigError(t("import.not_found", path=file))
    data = read_file(file)
    if not data:
        raise MailflowError(t("import.empty", path=file))
    user = getpass.getuser()
    raw = (
        data
        if file.suffix.lower() == ".eml"
        else import_message(file, data, campaign.id, department.code)
    )
    adapters = app.adapters()
    try:
        with Intake(
            cfg, adapters.store, adapters.archive, clock=app.now, converter=adapters.converter
        ) as intake:
            outcome = intake.process(
                raw,
                source="import",
                override=Override(campaign.id, department.code, imported_by=user),
            )
    finally:
        app.close()
    if not outcome.created:
        console.print(t("import.already", name=file.name, mail_id=outcome.mail_id))
        return
    console.print(
        t(
            "import.done",
            name=file.name,
            department=department.code,
            campaign=campaign.id,
            user=user,
            documents=outcome.documents,
        )
    )
