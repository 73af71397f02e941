"""``mailflow send``: dry run by default (plan table + preview files), ``--send`` sends."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mailflow.cli.base import AppContext, cli, console, err_console, fail, pass_app, pick_campaign
from mailflow.cli.common import escape
from mailflow.i18n import t

if TYPE_CHECKING:  # the send job pulls in docxtpl, lxml, SMTP: loaded when send runs
    from rich.table import Table

    from mailflow.model import SendStatus
    from mailflow.services import send as job


def _plan_lines(prepared: job.ReadyCampaign, states: dict[str, SendStatus]) -> list[str]:
    """The plan, one line per department (address, sections, attachments, status).

    One line each so the plan stays short enough that what comes after it (warnings,
    blockers, "--send would refuse") is read, and so scripts can grep a department.
    """
    campaign = prepared.campaign
    lines = [
        t(
            "send.plan_title",
            campaign=campaign.id,
            n=len(prepared.plan.items),
            deadline=campaign.deadline.strftime("%d/%m/%Y"),
        )
    ]
    for item in prepared.plan.items:
        state = states.get(item.department.code)
        keys = ", ".join(item.section_keys)
        lines.append(
            t(
                "cli.send.plan_line",
                code=item.department.code,
                address=", ".join(item.recipients),
                sections=t("cli.send.plan_sections", keys=keys) if keys else t("send.no_sections"),
                attachments=", ".join(a.filename for a in item.attachments) or "-",
                status=t(f"send.status.{state}") if state else t("send.status.new"),
            )
        )
    return lines


def _narrow(
    prepared: job.ReadyCampaign,
    states: dict[str, SendStatus],
    departments: tuple[str, ...],
    limit: int | None,
) -> job.ReadyCampaign:
    """Only the departments named with --department, then at most --limit not yet sent.

    ``--limit`` counts departments still to send, so repeating the same command sends
    the next ones (mailmerge's habit), never the first ones again.
    """
    from dataclasses import replace

    items = prepared.plan.items
    if departments:
        known = {i.department.code: i for i in items}
        unknown = [code for code in departments if code not in known]
        if unknown:
            fail(
                t("cli.send.unknown_department", codes=", ".join(unknown)),
                t("cli.send.departments_are", codes=", ".join(known)),
                code=2,
            )
        wanted = set(departments)
        items = tuple(i for i in items if i.department.code in wanted)
    if limit is not None:
        items = tuple(i for i in items if states.get(i.department.code) != "sent")[:limit]
    if items == prepared.plan.items:
        return prepared
    return replace(prepared, plan=replace(prepared.plan, items=items), narrowed=True)


def _failed_table(rows: list[Any]) -> Table:
    from rich.table import Table

    table = Table(title=t("send.failed_title"), show_lines=True)
    for key in ("department", "address", "reason"):
        table.add_column(t(f"send.col.{key}"), overflow="fold")
    for row in rows:
        table.add_row(row.department or "", "\n".join(row.recipients), row.last_error or "")
    return table


@cli.command()
@click.option("--campaign", "campaign_id", default=None)
@click.option("--department", "department", multiple=True)
@click.option("--limit", "limit", type=click.IntRange(min=1), default=None)
@click.option("--send", "do_send", is_flag=True, help="Gửi thật / really send (default: dry run)")
@click.option(
    "--preview",
    "preview_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Thư mục xem trước / preview folder (default: <config dir>/preview/<campaign>)",
)
@click.option(
    "--allow-unresolved",
    is_flag=True,
    help="Gửi dù đề cương có dòng phân công không khớp / send despite unresolved assignments",
)
@pass_app
def send(
    app: AppContext,
    campaign_id: str | None,
    department: tuple[str, ...],
    limit: int | None,
    do_send: bool,
    preview_dir: Path | None,
    allow_unresolved: bool,
) -> None:
    """Gửi công văn và đề cương cho các phòng / mail the directive and the marked outline."""
    from mailflow.errors import MailflowError
    from mailflow.services import send as job

    cfg = app.config()
    campaign_id = pick_campaign(cfg, campaign_id).id
    prepared = job.prepare(cfg, campaign_id)
    states = job.statuses(cfg, prepared, lambda: app.adapters().store)
    prepared = _narrow(prepared, states, department, limit)
    found = job.problems(
        cfg,
        prepared,
        app.adapters().clock.now().date(),
        templates=app.adapters().templates,
        sent_any=any(state == "sent" for state in states.values()),
        allow_unresolved=allow_unresolved,
    )
    blockers = [p for p in found if p.blocks_send]
    warnings = [p for p in found if not p.blocks_send]
    if do_send:
        if blockers:  # refuse before touching the network: nothing is queued
            _print_problems(blockers, [])
            fail(t("send.refused", n=len(blockers)), _fix_line(blockers))
        _print_problems([], warnings)
        try:
            outcome = _send_with_progress(app, prepared, allow_unresolved)
        except KeyboardInterrupt:
            _interrupted(app, prepared)
        _report(outcome, campaign_id, cfg.path)
        return
    # dry run: what --send would refuse comes first, then the plan, then again at the end
    if blockers:
        console.print(f"[bold red]{escape(t('send.would_refuse', n=len(blockers)))}[/]")
        _print_problems(blockers, [])
        console.print()
    for line in _plan_lines(prepared, states):
        console.print(line, markup=False, highlight=False)
    out = preview_dir or cfg.base_dir / "preview" / prepared.campaign.id
    try:
        written = job.preview(cfg, prepared, out, app.now(), app.adapters().templates)
        console.print(t("send.preview_written", n=len(written), path=out))
    except MailflowError as exc:  # a broken template is one of the blockers above
        if not blockers:
            raise
        console.print(f"[yellow]{escape(t('send.preview_skipped', error=exc.message))}[/]")
    _print_problems(blockers, warnings)
    if blockers:
        console.print(
            t("cli.send.would_refuse", what="; ".join(p.message for p in blockers)),
            markup=False,
            highlight=False,
        )
        fail(t("send.would_refuse", n=len(blockers)), _fix_line(blockers))
    console.print(t("send.dry_run", path=out))


def _print_problems(blockers: list[Any], warnings: list[Any]) -> None:
    """Warnings (⚠) then blockers (✗), each with what to do, on stdout in order."""
    for problem in warnings:
        console.print(f"[yellow]⚠ {escape(problem.message)}[/]", highlight=False)
    for problem in blockers:
        console.print(f"[bold red]✗[/] {escape(problem.message)}", highlight=False)
    hints = dict.fromkeys(p.hint for p in (*warnings, *blockers) if p.hint)
    for hint in hints:
        console.print(f"  → {escape(hint)}", highlight=False)


def _fix_line(blockers: list[Any]) -> str:
    """The last line when something blocks: what to fix, not "add --send"."""
    hints = list(dict.fromkeys(p.hint for p in blockers if p.hint))
    return t("send.fix_then", what="; ".join(hints)) if hints else ""


def _send_with_progress(
    app: AppContext, prepared: job.ReadyCampaign, allow_unresolved: bool
) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from mailflow.services import send as job

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console.real, transient=False) as progress:
        tasks: dict[str, Any] = {}

        def on_event(kind: str, value: Any) -> None:
            if kind == "render_start" and value:
                tasks["render"] = progress.add_task(t("send.progress_render"), total=value)
            elif kind == "rendered":
                progress.advance(tasks["render"])
            elif kind == "send_start" and value:
                tasks["send"] = progress.add_task(t("send.progress_send"), total=value)
            elif kind in ("sent", "failed", "skipped"):
                progress.advance(tasks["send"])
            elif kind == "retry":  # one line per retried attempt, with the server's words
                progress.console.print(
                    t(
                        "reliability.send_retry",
                        code=value.department or value.dedupe_key,
                        attempt=value.attempts,
                        error=value.last_error or "",
                    ),
                    markup=False,
                )
            elif kind == "resolved":
                row, how = value
                key = "send.resolved_found" if how == "found" else "send.resolved_again"
                progress.console.print(t(key, code=row.department))

        built = app.adapters()
        clock = built.clock

        def now() -> datetime:
            """The run's clock, held here: a second Ctrl-C closes the App while the sender
            thread still stamps rows, and must not make it build another."""
            from mailflow.clock import aware

            return aware(clock.now())

        return job.send(
            app.config(),
            prepared,
            now,
            on_event,
            store=built.store,
            archive=built.archive,
            servers=built.servers,
            templates=built.templates,
            allow_unresolved=allow_unresolved,
        )


def _interrupted(app: AppContext, prepared: job.ReadyCampaign) -> None:
    """Ctrl-C: how many went, how many remain, and the command that finishes the job.

    Re-running is safe: the outbox holds each department's directive once, so the next
    run sends only what is not sent yet (an interrupted mail is looked up in Sent first).
    The interrupted send's adapters are closed first, so the count is read afresh.
    """
    from mailflow.services import send as job

    app.close()
    cfg = app.config()
    states = job.statuses(cfg, prepared, lambda: app.adapters().store)
    sent = sum(1 for state in states.values() if state == "sent")
    total = len(prepared.plan.items)
    err_console.print(
        t(
            "send.interrupted",
            sent=sent,
            remaining=total - sent,
            command=_resume_command(cfg.path, prepared.campaign.id),
        ),
        markup=False,
        highlight=False,
    )
    raise click.exceptions.Exit(130)


def _resume_command(config: Path, campaign_id: str) -> str:
    """The exact command to finish sending, with the config this run used."""
    import shlex

    return shlex.join(
        ["mailflow", "--config", str(config), "send", "--campaign", campaign_id, "--send"]
    )


def _report(outcome: job.SendOutcome, campaign_id: str, config: Path) -> None:
    delivery = outcome.delivery
    if outcome.retried:
        console.print(
            t("send.retry_failed", n=len(outcome.retried), codes=", ".join(outcome.retried))
        )
    if delivery is None and not outcome.failed:
        console.print(t("send.nothing_new", n=outcome.total, campaign=campaign_id))
        return
    console.print(
        t("send.done", sent=outcome.sent_now, before=outcome.before, failed=len(outcome.failed))
    )
    if delivery is not None:
        for problem in delivery.copy_errors:
            err_console.print(f"[yellow]{t('send.copy_failed', error=problem)}[/]")
        if delivery.stopped:
            err_console.print(
                f"[red]{t('send.stopped', reason=delivery.stopped, n=len(delivery.left_queued))}[/]"
            )
    waiting = len(delivery.left_queued) + len(delivery.deferred) if delivery else 0
    why = outcome.connect_error.hint if outcome.connect_error else ""
    if outcome.failed:
        console.print(_failed_table(outcome.failed))
        if waiting:
            err_console.print(
                t("send.left_queued", n=waiting, command=_resume_command(config, campaign_id)),
                markup=False,
            )
        fail(
            t("send.failed_exit", n=len(outcome.failed)),
            why or t("send.failed_hint", campaign=campaign_id),
        )
    if waiting:  # deferred by an outage: not failed, but not sent either
        fail(t("send.left_queued", n=waiting, command=_resume_command(config, campaign_id)), why)
