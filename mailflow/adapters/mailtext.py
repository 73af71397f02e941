"""Mail bodies from the admin's Jinja templates: ``templates/mail[/<lang>]/<name>.j2``.

Why sandboxed: the templates are edited by people, not by us. Why a fallback folder: a
workspace made before a template existed (or by hand) still gets a mail, from the copies
shipped with mailflow, rather than an error in the middle of a campaign. HTML templates
are autoescaped; a missing value is an error, never an empty gap in a letter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
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
            where = ", ".join(str(f) for f in self.folders) or str(SHIPPED)
            raise MailflowError(
                t("send.templates_missing", name=name, path=where),
                t("send.templates_missing_hint"),
            ) from None
        except jinja2.TemplateError as exc:
            broken = getattr(exc, "filename", None)  # syntax errors name the file
            folder = Path(broken).parent if broken else self.own
            raise MailflowError(
                t("send.template_error", name=name, error=exc),
                t("mailtext.fix_hint", dir=folder),
            ) from exc

    def pair(self, name: str, context: dict[str, Any]) -> tuple[str, str]:
        """Text and HTML bodies of mail ``name``."""
        return self.render(f"{name}.txt.j2", context), self.render(f"{name}.html.j2", context)
