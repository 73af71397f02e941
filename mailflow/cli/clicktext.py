"""Click's own sentences, spoken in the run's language.

Click asks ``gettext`` for every sentence it prints ("Missing option", "Usage:", "Show
this message and exit."). Each click module bound ``_``/``ngettext`` at import, so we
rebind those names to functions that look the English message id up in the catalogue
(``cli.click.*`` entries, whose ``en`` text is the id). An id we do not know is shown
as click wrote it; tests/test_cli_contract.py runs every command's help and usual
errors under ``vi`` so a new click sentence shows up as a failing test, not as English.
"""

from __future__ import annotations

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

from mailflow.i18n import get_lang
from mailflow.messages import CATALOGUE

_BY_ID: dict[str, dict[str, str]] = {
    v["en"]: v for k, v in CATALOGUE.items() if k.startswith("cli.click.")
}


def translate(msgid: str) -> str:
    """Click's sentence ``msgid`` in the current language (itself when unknown)."""
    entry = _BY_ID.get(msgid)
    return entry.get(get_lang(), msgid) if entry else msgid


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


def install() -> None:
    """Route click's gettext calls through the catalogue (idempotent)."""
    for mod in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    ):
        if hasattr(mod, "_"):
            mod._ = translate  # type: ignore[attr-defined]
        if hasattr(mod, "ngettext"):
            mod.ngettext = _ngettext  # type: ignore[attr-defined]
    # names click stored once, at construction, in English
    click.INT.name = translate("integer")
    click.FLOAT.name = translate("float")
