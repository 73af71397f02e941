"""Mail bodies from the admin's Jinja templates: ``templates/mail[/<lang>]/<name>.j2``.

Why sandboxed: the templates are edited by people, not by us. Why a fallback folder: a
workspace made before a template existed (or by hand) still gets a mail, from the copies
shipped with mailflow, rather than an error in the middle of a campaign. HTML templates
are autoescaped; a missing value is an error, never an empty gap in a letter.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from mailflow.config import Config
from mailflow.errors import MailflowError
from mailflow.i18n import t

#: The project's own mail templates, used where the config's templates folder has none.
SHIPPED = Path(__file__).resolve().parents[2] / "templates" / "mail"


class MailTemplates:
    def __init__(self, cfg: Config) -> None:
        self.own = cfg.templates_dir / "mail"
        folders = []
        for root in (cfg.templates_dir / "mail", SHIPPED):
            if cfg.lang != "vi":
                folders.append(root / cfg.lang)
            folders.append(root)
        self.folders = [f for f in folders if f.is_dir()]
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader([str(f) for f in self.folders]),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )

    def render(self, name: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateNotFound:
            raise self._missing(name) from None
        except jinja2.UndefinedError as exc:  # a misspelt tag: name it, list the valid ones
            unknown = self.unknown_tags(name, context)
            if unknown:
                raise unknown_tags_error(self.path(name), unknown, context) from exc
            raise MailflowError(
                t("send.template_error", name=name, error=exc),
                t("mailtext.fix_hint", dir=self.own),
            ) from exc
        except jinja2.TemplateError as exc:
            broken = getattr(exc, "filename", None)  # syntax errors name the file
            folder = Path(broken).parent if broken else self.own
            raise MailflowError(
                t("send.template_error", name=name, error=exc),
                t("mailtext.fix_hint", dir=folder),
            ) from exc

    def _missing(self, name: str) -> MailflowError:
        """Template ``name`` is in none of the folders looked in (they are named)."""
        where = ", ".join(str(f) for f in self.folders) or str(SHIPPED)
        return MailflowError(
            t("send.templates_missing", name=name, path=where), t("send.templates_missing_hint")
        )

    def path(self, name: str) -> Path:
        """The file ``name`` is read from (the first folder that has it)."""
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        return self.own / name

    def unknown_tags(self, name: str, context: Iterable[str]) -> list[str]:
        """Variables template ``name`` uses that ``context`` does not provide, sorted.

        The one rule `send` (when rendering fails) and `check` (before sending) share.
        Raises the same MailflowError as ``render`` when the template is missing or broken.
        """
        try:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            used = meta.find_undeclared_variables(self.env.parse(source))
        except jinja2.TemplateNotFound:
            raise self._missing(name) from None
        except jinja2.TemplateError as exc:
            raise MailflowError(
                t("send.template_error", name=name, error=exc),
                t("mailtext.fix_hint", dir=self.own),
            ) from exc
        return sorted(set(used) - set(context))

    def pair(self, name: str, context: dict[str, Any]) -> tuple[str, str]:
        """Text and HTML bodies of mail ``name``."""
        return self.render(f"{name}.txt.j2", context), self.render(f"{name}.html.j2", context)


def unknown_tags_error(path: Path, unknown: Iterable[str], context: Iterable[str]) -> MailflowError:
    """The one message for a template naming values mailflow does not provide.

    Used by `send` when rendering stops and by `check` before anything is sent, for the
    directive (.docx) and the mail texts alike, so both say the same thing.
    """
    return MailflowError(
        t(
            "send.unknown_tags",
            path=path,
            tags=", ".join("{{ " + name + " }}" for name in unknown),
            valid=", ".join(sorted(context)),
        ),
        t("send.unknown_tags_hint"),
    )
