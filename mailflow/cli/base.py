"""The click group, global options and the one place errors become exit codes.

Command modules in this package register themselves on ``cli`` and are imported by
``mailflow.cli`` automatically, so an area can add commands without touching others.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.console import Console

from mailflow import config as config_mod
from mailflow.errors import MailflowError
from mailflow.i18n import get_lang, set_lang, t

console = Console(stderr=False, highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class AppContext:
    """What every command needs: where the config is and how to talk to the person."""

    config_path: Path
    debug: bool = False
    lang_forced: bool = False
    _config: config_mod.Config | None = field(default=None, repr=False)

    def config(self, check_files: bool = True) -> config_mod.Config:
        if self._config is None:
            self._config = config_mod.load(self.config_path, check_files=check_files)
            if not self.lang_forced:
                set_lang(self._config.lang)
        return self._config


pass_app = click.make_pass_decorator(AppContext)


class MailflowGroup(click.Group):
    """Turns MailflowError into one readable line and the contract's exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MailflowError as exc:
            app = ctx.find_object(AppContext)
            if app is not None and app.debug:
                raise
            err_console.print(f"[bold red]{t('cli.error')}[/]: {exc.message}", markup=True)
            if exc.hint:
                err_console.print(f"[yellow]{t('cli.hint')}[/]: {exc.hint}", markup=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            err_console.print(t("cli.interrupted"))
            ctx.exit(130)


@click.group(cls=MailflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="config.toml (default: $MAILFLOW_CONFIG or ./config.toml)",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default=None,
    help="Language of messages / Ngôn ngữ thông báo (vi, en)",
)
@click.option("--debug", is_flag=True, help="Show tracebacks")
@click.version_option(package_name="mailflow")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, lang: str | None, debug: bool) -> None:
    """mailflow: gửi công văn, nhận báo cáo, tổng hợp dự thảo / report campaigns by e-mail."""
    if lang:
        set_lang(lang)
    ctx.obj = AppContext(config_mod.config_path(config_path), debug=debug, lang_forced=bool(lang))


def fail(message: str, hint: str = "", code: int = 1) -> None:
    """Stop a command with a readable message (used for non-exception failures)."""
    err = MailflowError(message, hint)
    err.exit_code = code
    raise err


def lang() -> str:
    return get_lang()


def is_tty() -> bool:
    return sys.stdout.isatty()
