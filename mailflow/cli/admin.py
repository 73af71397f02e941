"""Set-up commands: ``init``, ``check`` and ``mailserver``."""

from __future__ import annotations

import signal
import socket
import threading
import zipfile
from pathlib import Path

import click
from rich.table import Table

from mailflow import bootstrap
from mailflow.adapters import sandbox, smtp
from mailflow.adapters.archive import exposed_paths
from mailflow.adapters.imap import ImapClient
from mailflow.adapters.mailserver import EmbeddedMailServer, accounts_for
from mailflow.adapters.netdiag import unverified_warnings
from mailflow.cli.base import AppContext, cli, console, err_console, pass_app
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
    cfg = app.config()
    console.print(
        t(
            "admin.check_config_ok",
            path=cfg.path,
            departments=len(cfg.departments),
            campaigns=len(cfg.campaigns),
        )
    )
    problems: list[str] = []
    for warning in unverified_warnings(cfg.mailbox.imap, cfg.mailbox.smtp) + exposed_paths(
        cfg.path, cfg.archive_dir
    ):
        err_console.print(f"[bold yellow]⚠[/] {warning}")
    for campaign in cfg.campaigns:
        for label, path in (("outline", campaign.outline), ("directive", campaign.directive)):
            problem = _docx_problem(Path(path))
            if problem:
                problems.append(
                    t(
                        "admin.check_file_bad",
                        campaign=campaign.id,
                        what=label,
                        path=path,
                        problem=problem,
                    )
                )
        if not problems:
            summary = bootstrap.outline_summary(cfg, campaign)
            console.print(t("admin.check_campaign_ok", campaign=campaign.id, **summary))

    table = Table(title=t("admin.check_servers"), show_lines=False)
    table.add_column(t("admin.col_protocol"))
    table.add_column(t("admin.col_server"))
    table.add_column(t("admin.col_result"))
    try:
        with ImapClient.from_config(cfg.mailbox) as imap:
            caps = " ".join(sorted(imap.capabilities))
        table.add_row("IMAP", f"{cfg.mailbox.imap.host}:{cfg.mailbox.imap.port}", f"OK — {caps}")
    except MailflowError as exc:
        problems.append(exc.message)
        table.add_row("IMAP", f"{cfg.mailbox.imap.host}:{cfg.mailbox.imap.port}", "[red]✗[/]")
    try:
        features = smtp.probe(cfg.mailbox)
        table.add_row(
            "SMTP",
            f"{cfg.mailbox.smtp.host}:{cfg.mailbox.smtp.port}",
            "OK — " + " ".join(sorted(k.upper() for k in features)),
        )
    except MailflowError as exc:
        problems.append(exc.message)
        table.add_row("SMTP", f"{cfg.mailbox.smtp.host}:{cfg.mailbox.smtp.port}", "[red]✗[/]")
    console.print(table)
    sandboxed, sandbox_line = sandbox.status_line()  # a warning, not a failure
    (console if sandboxed else err_console).print(
        sandbox_line if sandboxed else f"[bold yellow]⚠[/] {sandbox_line}"
    )
    for problem in problems:
        err_console.print(f"[bold red]✗[/] {problem}")
    if problems:
        raise SystemExit(1)
    console.print(t("admin.check_all_ok"))


def _docx_problem(path: Path) -> str:
    """Why ``path`` is not a usable Word file, or "" when it is."""
    if not path.is_file():
        return t("admin.file_missing")
    try:
        with zipfile.ZipFile(path) as zf:
            if "word/document.xml" not in zf.namelist():
                return t("admin.file_not_docx")
    except (zipfile.BadZipFile, OSError):
        return t("admin.file_not_docx")
    return ""


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
    server = EmbeddedMailServer(
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
