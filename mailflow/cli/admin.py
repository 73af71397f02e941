"""Set-up commands: ``init``, ``check`` and ``mailserver``."""

from __future__ import annotations

import signal
import socket
import threading
from pathlib import Path

import click

from mailflow import bootstrap
from mailflow.adapters import sandbox, smtp
from mailflow.adapters.archive import exposed_paths
from mailflow.adapters.mailserver import accounts_for
from mailflow.adapters.netdiag import unverified_warnings
from mailflow.cli.base import AppContext, cli, console, err_console, pass_app
from mailflow.cli.common import escape
from mailflow.errors import MailflowError
from mailflow.i18n import t


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(directory: Path) -> None:
    """Tạo cấu hình mẫu và các mẫu văn bản / write a sample config and the templates."""
    written = bootstrap.write_sample_workspace(directory)
    for path in written:
        console.print(t("admin.init_wrote", path=path))
    console.print(t("admin.init_next", config=directory / "config.toml"))


@cli.command()
@pass_app
def check(app: AppContext) -> None:
    """Kiểm tra cấu hình, tệp và đăng nhập IMAP/SMTP / validate config, files and logins."""
    cfg = app.config(check_files=False)  # a missing outline/template is listed below, exit 1
    console.print(
        t(
            "admin.check_config_ok",
            path=cfg.path,
            departments=len(cfg.departments),
            campaigns=len(cfg.campaigns),
        )
    )
    problems: list[tuple[str, str]] = []  # (what is wrong, what to do)
    for warning in unverified_warnings(cfg.mailbox.imap, cfg.mailbox.smtp) + exposed_paths(
        cfg.path, cfg.archive_dir
    ):
        err_console.print(f"[bold yellow]⚠[/] {warning}")
    problems.extend(_campaign_problems(app))

    from rich.table import Table

    table = Table(title=t("admin.check_servers"), show_lines=False)
    table.add_column(t("admin.col_protocol"))
    table.add_column(t("admin.col_server"))
    table.add_column(t("admin.col_result"))
    try:
        with app.adapters().servers.imap() as imap:
            caps = " ".join(sorted(imap.capabilities))
        table.add_row("IMAP", f"{cfg.mailbox.imap.host}:{cfg.mailbox.imap.port}", f"OK — {caps}")
    except MailflowError as exc:
        problems.append((exc.message, exc.hint))
        table.add_row("IMAP", f"{cfg.mailbox.imap.host}:{cfg.mailbox.imap.port}", "[red]✗[/]")
    try:
        features = smtp.probe(cfg.mailbox)
        table.add_row(
            "SMTP",
            f"{cfg.mailbox.smtp.host}:{cfg.mailbox.smtp.port}",
            "OK — " + " ".join(sorted(k.upper() for k in features)),
        )
    except MailflowError as exc:
        problems.append((exc.message, exc.hint))
        table.add_row("SMTP", f"{cfg.mailbox.smtp.host}:{cfg.mailbox.smtp.port}", "[red]✗[/]")
    console.print(table)
    sandboxed, sandbox_line = sandbox.status_line()  # a warning, not a failure
    (console if sandboxed else err_console).print(
        sandbox_line if sandboxed else f"[bold yellow]⚠[/] {sandbox_line}"
    )
    for message, hint in problems:
        err_console.print(f"[bold red]✗[/] {escape(message)}", highlight=False)
        if hint:
            err_console.print(f"  {hint}", markup=False, highlight=False)
    if problems:
        err_console.print(t("admin.check_problems", n=len(problems)))
        raise SystemExit(1)
    console.print(t("admin.check_all_ok"))


def _campaign_problems(app: AppContext) -> list[tuple[str, str]]:
    """What `send --send` would refuse and what else is wrong, for every campaign.

    The rules are send's own (services.send.file_problems / problems), run without sending;
    today comes from the run's clock, so MAILFLOW_FAKE_NOW applies as in the daemon.
    """
    from mailflow.services import send as job

    cfg, adapters = app.config(check_files=False), app.adapters()
    today = adapters.clock.now().date()
    found: list[tuple[str, str]] = []
    for campaign in cfg.campaigns:
        bad_files = job.file_problems(campaign)
        if bad_files:
            found.extend((p.message, p.hint) for p in bad_files)
            continue
        try:
            prepared = job.prepare(cfg, campaign.id)
            states = job.statuses(cfg, prepared, lambda: adapters.store)
            sent_any = any(state == "sent" for state in states.values())
            templates = adapters.templates
            mine = [
                (p.message, p.hint)
                for p in job.problems(cfg, prepared, today, templates=templates, sent_any=sent_any)
            ]
        except MailflowError as exc:
            mine = [(exc.message, exc.hint)]
        found.extend(mine)
        if not mine:
            outline = prepared.outline
            console.print(
                t(
                    "admin.check_campaign_ok",
                    campaign=campaign.id,
                    sections=len(outline.sections),
                    assigned=sum(1 for s in outline.sections if s.assignees),
                    unresolved=len(outline.unresolved),
                )
            )
    return found


@cli.command()
@click.option(
    "--backend",
    type=click.Choice(["maildir", "dict"]),
    default="maildir",
    help="maildir keeps mail across restarts; dict keeps it in memory",
)
@pass_app
def mailserver(app: AppContext, backend: str) -> None:
    """Chạy máy chủ thư nhúng để thử / serve the embedded mail server on loopback."""
    cfg = app.config(check_files=False)
    settings = cfg.mailserver
    for port in (settings.smtp_port, settings.imap_port):
        with socket.socket() as s:
            if s.connect_ex((settings.host, port)) == 0:
                raise MailflowError(t("mailserver.port_busy", port=port))
    users = accounts_for(bootstrap.all_addresses(cfg), cfg.mailbox.password())
    server = bootstrap.embedded_server(
        users,
        backend=backend,
        data_dir=settings.data_dir,
        host=settings.host,
        smtp_port=settings.smtp_port,
        imap_port=settings.imap_port,
    ).start()
    console.print(
        t(
            "mailserver.serving",
            host=settings.host,
            smtp=settings.smtp_port,
            imap=settings.imap_port,
            n=len(users),
            data=settings.data_dir,
        )
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
