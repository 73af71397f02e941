"""The composition root: the one place that builds adapters from a Config.

``build(config)`` returns an ``App`` that creates each adapter once, on first use — the
state store, the archive, the mailbox's IMAP/SMTP client factories, the document
converter, the mail templates and the clock — and the entry points (CLI, daemon, demo)
hand them to the services, which never build an adapter themselves
(``tests/test_architecture.py`` enforces it). So a change of adapter (another state file
layout, another converter) touches this module, and a test can give a service its own.

Nothing heavy is imported at import time: ``mailflow status`` and ``--help`` load this
module, and each adapter's module is loaded when the adapter is first asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from mailflow.errors import ConfigError
from mailflow.i18n import t

if TYPE_CHECKING:
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.convert import LibreOffice
    from mailflow.adapters.mail_templates import MailTemplates
    from mailflow.adapters.mailserver import EmbeddedMailServer
    from mailflow.adapters.mailservers import MailServers
    from mailflow.adapters.store import Store
    from mailflow.clock import Clock
    from mailflow.config import Config
    from mailflow.model import Campaign


class App:
    """Every adapter of one run, each built once when first asked for.

    Use it as a context manager (or call ``close``): what was opened is closed, what was
    never asked for is never built."""

    def __init__(self, config: Config, clock: Clock | None = None) -> None:
        self.config = config
        self._clock = clock

    @cached_property
    def clock(self) -> Clock:
        """The given clock, else the environment's (``MAILFLOW_FAKE_NOW`` or the system's)."""
        if self._clock is not None:
            return self._clock
        from mailflow.clock import from_env

        return from_env()

    @cached_property
    def store(self) -> Store:
        """The state file, opened (and migrated) once."""
        from mailflow.adapters.store import Store

        return Store(self.config.state_path)

    @cached_property
    def archive(self) -> Archive:
        from mailflow.adapters.archive import Archive

        return Archive(self.config.archive_dir)

    @cached_property
    def servers(self) -> MailServers:
        """IMAP and SMTP client factories for the configured mailbox."""
        from mailflow.adapters.mailservers import MailServers

        return MailServers(self.config.mailbox)

    @cached_property
    def converter(self) -> LibreOffice:
        """LibreOffice, sandboxed, within the intake's time and memory bounds."""
        from mailflow.adapters.convert import LibreOffice

        bounds = self.config.intake
        return LibreOffice(
            timeout=bounds.convert_timeout_seconds,
            max_memory_bytes=bounds.convert_max_memory_mb * 1024 * 1024,
        )

    @cached_property
    def templates(self) -> MailTemplates:
        """The mail texts: the workspace's templates/mail, then the shipped ones."""
        from mailflow.adapters.mail_templates import MailTemplates

        return MailTemplates(self.config)

    def close(self) -> None:
        """Close what was opened (the store's connection, the converter)."""
        if "store" in self.__dict__:
            self.__dict__.pop("store").close()
        if "converter" in self.__dict__:
            self.__dict__.pop("converter").close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build(config: Config, clock: Clock | None = None) -> App:
    """The adapters of one run over ``config``; ``clock`` replaces the environment's."""
    return App(config, clock)


def embedded_server(
    users: dict[str, str],
    *,
    backend: str,
    data_dir: Path,
    smtp_port: int,
    imap_port: int,
    host: str = "127.0.0.1",
) -> EmbeddedMailServer:
    """The embedded IMAP+SMTP server (not started), for `mailflow mailserver` and the demo."""
    from mailflow.adapters.mailserver import EmbeddedMailServer

    return EmbeddedMailServer(
        users,
        backend=backend,
        data_dir=data_dir,
        host=host,
        smtp_port=smtp_port,
        imap_port=imap_port,
    )


def all_addresses(cfg: Config) -> list[str]:
    """Every address the config names: the embedded server creates an account for each."""
    seen: dict[str, None] = {cfg.mailbox.address: None}
    for email in cfg.office.emails:
        seen[email] = None
    for dep in cfg.departments:
        for email in (*dep.emails, *dep.deputy_emails, *dep.head_emails):
            seen[email] = None
    return list(seen)


def outline_summary(cfg: Config, campaign: Campaign) -> dict[str, int]:
    """Counts for `mailflow check`: how much of the outline mailflow understood."""
    from mailflow.adapters.docx_read import read_docx
    from mailflow.core.outline import parse_outline

    outline = parse_outline(read_docx(Path(campaign.outline)), cfg.campaign_departments(campaign))
    return {
        "sections": len(outline.sections),
        "assigned": sum(1 for s in outline.sections if s.assignees),
        "unresolved": len(outline.unresolved),
    }


def write_sample_workspace(directory: Path) -> list[Path]:
    """`mailflow init`: sample config, templates and the seed outline; never overwrites."""
    from mailflow.adapters.mail_templates import SHIPPED
    from mailflow.samples import draft_template, seed

    directory = Path(directory)
    targets: dict[Path, Callable[[], bytes]] = {
        directory / "config.toml": lambda: (
            resources.files("mailflow.resources").joinpath("config.sample.toml").read_bytes()
        ),
        directory / "templates" / "directive.docx": seed.build_directive,
        directory / "templates" / "draft.docx": draft_template.build_template,
        directory / "campaigns" / "2023-h1" / "outline.docx": seed.build_outline,
    }
    for template in sorted(SHIPPED.rglob("*.j2")):  # mail texts, editable like the rest
        targets[directory / "templates" / "mail" / template.relative_to(SHIPPED)] = (
            template.read_bytes
        )
    for path in targets:
        if path.exists():
            raise ConfigError(t("admin.init_exists", path=path), t("admin.init_exists_hint"))
    written = []
    for path, make in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make())
        written.append(path)
    return written
