"""The click group, global options and the one place errors become exit codes.

Why commands load lazily: ``mailflow --help`` and ``mailflow status`` must not pay for
python-docx, lxml, rapidfuzz, the mail servers… that only some commands use. ``COMMANDS``
names the module of each command; the group imports that module only when the command
is looked up, and lists commands (with their one-line help from the catalogue) without
importing any. A command module still registers itself with ``@cli.command()``.

The shared options ``--config``, ``--lang`` and ``--debug`` are accepted before or after
the command name (shared/DESIGN.md, CLI contract): the group adds them to each command
when it is looked up. The run's language is settled before click parses anything, so
click's own usage errors and help come out in that language too (see ``clicktext``).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mailflow.cli import clicktext
from mailflow.errors import MailflowError
from mailflow.i18n import LANGS, get_lang, set_lang, t
from mailflow.messages import CATALOGUE

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import Console

    from mailflow import config as config_mod
    from mailflow.bootstrap import App
    from mailflow.clock import Clock
    from mailflow.model import Campaign


class LazyConsole:
    """rich's Console, made on first use.

    Why: importing ``rich.console`` costs about as much as the rest of ``mailflow
    --help``, and ``--help`` and click's usage errors print through click, never
    through rich. Commands print with ``console.print`` as with a Console; where
    rich wants the object itself (a progress bar), pass ``console.real``.
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        """The Console, created (and rich.console imported) on first use."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        """``Console.print``."""
        self.real.print(*objects, **options)

    @property
    def is_terminal(self) -> bool:
        """``Console.is_terminal``: whether the output is a terminal."""
        return self.real.is_terminal

    @property
    def width(self) -> int:
        """``Console.width``: the columns tables are fitted to."""
        return self.real.width

    @width.setter
    def width(self, columns: int) -> None:
        self.real.width = columns


console = LazyConsole(stderr=False, highlight=False, soft_wrap=True)
err_console = LazyConsole(stderr=True, highlight=False, soft_wrap=True)

#: command name -> module that defines it. tests/test_cli_contract.py checks this list
#: against the commands the modules really register, so a new command cannot be missed.
COMMANDS: dict[str, str] = {
    "assemble": "mailflow.cli.assemble",
    "campaign": "mailflow.cli.review",
    "check": "mailflow.cli.admin",
    "demo": "mailflow.cli.demo",
    "history": "mailflow.cli.review",
    "import": "mailflow.cli.intake",
    "ingest": "mailflow.cli.intake",
    "init": "mailflow.cli.admin",
    "mailserver": "mailflow.cli.admin",
    "outline": "mailflow.cli.outline",
    "place": "mailflow.cli.review",
    "poll": "mailflow.cli.intake",
    "release": "mailflow.cli.review",
    "restore": "mailflow.cli.review",
    "review": "mailflow.cli.review",
    "run": "mailflow.cli.run",
    "send": "mailflow.cli.send",
    "status": "mailflow.cli.status",
}

SHARED_OPTIONS = ("config_path", "lang", "debug")


class _LazyModule:
    """A module imported on its first attribute use, so ``--help`` never loads it."""

    def __init__(self, name: str) -> None:
        self._lazy_name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._lazy_name), attr)


def lazy_module(name: str) -> Any:
    """``name`` imported when first used (for heavy modules at a command module's top)."""
    return _LazyModule(name)


def lazy_function(module: str, name: str) -> Callable[..., Any]:
    """``module.name`` imported when first called, with the same signature in use."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name}, imported on first call."
    return call


@dataclass
class AppContext:
    """What every command needs: where the config is, how to talk to the person, and the
    run's one ``App`` (the adapters and the clock, from the composition root).

    The App is built on first use, not when the group starts: ``--help`` and a command
    that fails on its arguments never load ``mailflow.bootstrap``, and ``status`` opens
    only the store and the archive it asks for. ``clock`` replaces the environment's
    (``MAILFLOW_FAKE_NOW`` or the system's), as it does for the daemon and the demo.
    """

    config_path: Path
    debug: bool = False
    lang_forced: bool = False
    clock: Clock | None = field(default=None, repr=False)
    _config: config_mod.Config | None = field(default=None, repr=False)
    _app: App | None = field(default=None, repr=False)

    def config(self, check_files: bool = True) -> config_mod.Config:
        from mailflow import config as config_mod

        if self._config is None:
            self._config = config_mod.load(self.config_path, check_files=check_files)
            if not self.lang_forced:
                set_lang(self._config.lang)
        return self._config

    def adapters(self) -> App:
        """The run's adapters over the config, built once by ``bootstrap.build``."""
        if self._app is None:
            from mailflow import bootstrap

            self._app = bootstrap.build(self.config(), self.clock)
        return self._app

    def now(self) -> datetime:
        """The run's clock's now as an aware office time, for stamping rows and mail."""
        from mailflow.clock import aware

        return aware(self.adapters().clock.now())

    def close(self) -> None:
        """Close what the run opened (the store's connection, the converter)."""
        if self._app is not None:
            self._app.close()
            self._app = None


pass_app = click.make_pass_decorator(AppContext)


def _default_config_path(explicit: str | os.PathLike[str] | None) -> Path:
    # the same rule as mailflow.config.config_path, without importing the config module
    return Path(explicit or os.environ.get("MAILFLOW_CONFIG") or "config.toml")


def _option_value(args: list[str], name: str) -> str | None:
    """The last value given to option ``name`` in ``args`` (before any ``--``)."""
    value = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg[len(name) + 1 :]
    return value


def settle_language(args: list[str]) -> None:
    """Pick the run's language before click speaks: --lang, else the config's ``lang``.

    ``MAILFLOW_LANG`` is already applied by ``mailflow.i18n``; a config file that cannot
    be read here is left for the command to report in the language chosen so far.
    """
    forced = _option_value(args, "--lang")
    if forced in LANGS:
        set_lang(forced)
        return
    if os.environ.get("MAILFLOW_LANG") in LANGS:
        return
    import tomllib  # here: `--lang`/MAILFLOW_LANG runs (and --help under them) skip it

    path = _default_config_path(_option_value(args, "--config"))
    try:
        lang = tomllib.loads(path.read_text(encoding="utf-8")).get("lang")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    if lang in LANGS:
        set_lang(lang)


def _help_for(command: str, param: str) -> str | None:
    for key in (f"cli.opt.{command}.{param}", f"cli.opt.{param}"):
        if key in CATALOGUE:
            return t(key)
    return None


def _set_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        app = ctx.find_object(AppContext)
        if app is not None:
            app.close()
            app.config_path = value
            app._config = None


def _set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        set_lang(value)
        app = ctx.find_object(AppContext)
        if app is not None:
            app.lang_forced = True


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    app = ctx.find_object(AppContext)
    if value and app is not None:
        app.debug = True


def _shared_options() -> list[click.Option]:
    """``--config``/``--lang``/``--debug`` as accepted after a command's name."""
    return [
        click.Option(
            ["--config", "config_path"],
            type=click.Path(dir_okay=False, path_type=Path),
            callback=_set_config,
            expose_value=False,
            is_eager=True,
        ),
        click.Option(
            ["--lang", "lang"],
            type=click.Choice(list(LANGS)),
            callback=_set_lang,
            expose_value=False,
            is_eager=True,
        ),
        click.Option(["--debug", "debug"], is_flag=True, callback=_set_debug, expose_value=False),
    ]


def localize(cmd: click.Command, name: str) -> None:
    """Give ``cmd`` the run's language: its help, option help and metavars.

    Called on every look-up (tests run many languages in one process), so the texts
    click was given at definition are kept aside and translated afresh each time.
    """
    if f"cli.cmd.{name}" in CATALOGUE:
        cmd.help = cmd.short_help = t(f"cli.cmd.{name}")
    cmd.options_metavar = t("cli.options_metavar")
    help_option = getattr(cmd, "_help_option", None)
    if isinstance(help_option, click.Option):
        help_option.help = clicktext.translate("Show this message and exit.")
    for param in cmd.params:
        pname = param.name or ""
        if isinstance(param.type, click.Path):
            kind = "path"
            if not param.type.file_okay:
                kind = "directory"
            elif not param.type.dir_okay:
                kind = "file"
            param.type.name = clicktext.translate(kind)
        if isinstance(param, click.Option):
            source = param.__dict__.setdefault("_mf_help", param.help)
            text = _help_for(name, pname)
            param.help = text if text is not None else source and clicktext.translate(source)
            if param.__dict__.setdefault("_mf_metavar", param.metavar) is None:
                param.metavar = _metavar(param)
        elif f"cli.arg.{pname}" in CATALOGUE:
            param.metavar = t(f"cli.arg.{pname}")


def _metavar(param: click.Option) -> str | None:
    """A metavar in the run's language for the value types click names in English."""
    if param.is_flag or isinstance(param.type, click.Choice):
        return None
    if isinstance(param.type, click.Path):
        return t("cli.metavar.dir") if not param.type.file_okay else t("cli.metavar.path")
    if isinstance(param.type, click.types.IntParamType):
        return t("cli.metavar.n")
    return t("cli.metavar.text")


class MailflowGroup(click.Group):
    """Loads commands lazily, speaks one language, and maps errors to exit codes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        settle_language(args)
        clicktext.install()
        localize(self, "")
        self.help = t("cli.group_help")
        self.subcommand_metavar = t("cli.subcommand_metavar")
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name])
        cmd = self.commands.get(cmd_name)
        if cmd is None:
            return None
        if not getattr(cmd, "_mailflow_shared", False):
            have = {p.name for p in cmd.params}
            cmd.params.extend(o for o in _shared_options() if o.name not in have)
            cmd._mailflow_shared = True  # type: ignore[attr-defined]
        localize(cmd, cmd_name)
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the catalogue, so ``--help`` imports no command module."""
        rows = []
        for name in self.list_commands(ctx):
            key = f"cli.cmd.{name}"
            if key in CATALOGUE:
                rows.append((name, t(key)))
            else:  # a command registered outside COMMANDS: ask it
                cmd = self.get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section(clicktext.translate("Commands")):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
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
)
@click.option("--lang", type=click.Choice(list(LANGS)), default=None)
@click.option("--debug", is_flag=True)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _p, value: _show_version(ctx) if value else None,
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, lang: str | None, debug: bool) -> None:
    """mailflow: gửi công văn, nhận báo cáo, tổng hợp dự thảo / report campaigns by e-mail."""
    if lang:
        set_lang(lang)
    given = ctx.obj.clock if isinstance(ctx.obj, AppContext) else None  # a test's clock
    ctx.obj = AppContext(_default_config_path(config_path), debug=debug, lang_forced=bool(lang))
    ctx.obj.clock = given
    ctx.call_on_close(ctx.obj.close)


def _show_version(ctx: click.Context) -> None:
    from importlib.metadata import version

    click.echo(t("cli.version", version=version("mailflow")))
    ctx.exit(0)


def fail(message: str, hint: str = "", code: int = 1) -> None:
    """Stop a command with a readable message (used for non-exception failures)."""
    err = MailflowError(message, hint)
    err.exit_code = code
    raise err


def pick_campaign(cfg: config_mod.Config, campaign_id: str | None) -> Campaign:
    """The campaign ``--campaign`` names, or the only open one when it is left out.

    Every command taking ``--campaign`` goes through here, so leaving it out works (or
    fails listing the ids to choose from) the same way everywhere. A campaign is open
    while it is in the config's ``[[campaigns]]``.
    """
    from mailflow.errors import ConfigError

    if campaign_id:
        return cfg.campaign(campaign_id)
    if len(cfg.campaigns) == 1:
        return cfg.campaigns[0]
    if not cfg.campaigns:
        raise ConfigError(t("cli.campaign_none", path=cfg.path))
    known = ", ".join(c.id for c in cfg.campaigns)
    fail(
        t("cli.campaign_needed", n=len(cfg.campaigns), known=known),
        t("cli.campaign_needed_hint", example=cfg.campaigns[0].id),
        code=2,
    )
    raise AssertionError  # fail() raised


def lang() -> str:
    return get_lang()


def is_tty() -> bool:
    return sys.stdout.isatty()
