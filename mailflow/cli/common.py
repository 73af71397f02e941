"""Printing helpers several command modules share.

Why a module of their own: they used to live in ``cli.review``, so ``mailflow status``
imported the whole review command module, its tables and the section model just to print
a line. This module costs only what ``cli.base`` already
loads (click, the catalogue) plus ``mailflow.display``; rich's markup is imported when
something is printed, not for ``--help``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailflow.cli.base import console
from mailflow.display import safe
from mailflow.i18n import t

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text


def escape(text: str) -> str:
    """``rich.markup.escape``: ``text`` that rich prints as it is, never as markup.

    Imported on first use: ``rich.markup`` loads rich's whole text model, which a
    command's ``--help`` does not need."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def add_row(table: Table, *cells: str | Text) -> None:
    """Cells hold what people typed (subjects, headings): never read as rich markup, and
    never a terminal control (a cell's own line breaks, which we put there, are kept)."""
    table.add_row(
        *(escape(safe(c, keep_newlines=True)) if isinstance(c, str) else c for c in cells)
    )


def plain(key: str, **params: object) -> str:
    """A catalogue sentence escaped for places rich reads as markup (table titles)."""
    return escape(t(key, **params))


def say(text: str) -> None:
    """Print a catalogue sentence as it is (a heading may contain "[...]")."""
    console.print(text, markup=False, highlight=False)
