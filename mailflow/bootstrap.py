"""The one place that builds adapters and derived facts from a Config.

Commands and jobs ask here instead of wiring adapters themselves, so a change of
adapter (say, another state file layout) touches one module.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from mailflow.adapters.archive import Archive
from mailflow.adapters.store import Store
from mailflow.config import Config
from mailflow.errors import ConfigError
from mailflow.i18n import t
from mailflow.model import Campaign


def store(cfg: Config) -> Store:
    return Store(cfg.state_path)


def archive(cfg: Config) -> Archive:
    return Archive(cfg.archive_dir)


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
    from mailflow.adapters.mailtext import SHIPPED
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
