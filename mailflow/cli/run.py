"""`mailflow run [--once]`: the daemon, or one pass of every due job (for cron)."""

from __future__ import annotations

import click

from mailflow.cli.base import AppContext, cli, console, pass_app
from mailflow.i18n import t


@cli.command()
@click.option("--once", is_flag=True, help="Run every due job once and exit (for cron)")
@click.option("--verbose", "-v", is_flag=True, help="Log more detail")
@pass_app
def run(app: AppContext, once: bool, verbose: bool) -> None:
    """Chạy tự động: nhận thư, nhắc hạn, gửi dự thảo / run the campaign by itself."""
    from mailflow.daemon import Daemon, setup_logging

    cfg = app.config()
    setup_logging(cfg, verbose=verbose or app.debug)
    daemon = Daemon.of(app.adapters())
    if once:
        daemon.run_once()
        console.print(t("daemon.once_done"))
        return
    daemon.run_forever()
