"""Progress of long commands (``assemble``, ``ingest`` of many mails).

On a terminal it is a rich bar that disappears when done; otherwise (a pipe, cron, a
log file) it is one plain line per step, so a log shows how far a run got and holds no
carriage returns or colour codes.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from mailflow.cli.base import console
from mailflow.i18n import t


class Progress:
    """``total`` units of work; ``advance`` after each step, naming what comes next."""

    def __init__(self, total: int, what: str) -> None:
        self.total = total
        self.done = 0
        self.what = what
        self.tty = console.is_terminal
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console.real,
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(self.what, total=self.total)
        return self

    def step(self, what: str) -> None:
        """Say what the next step is (plain: a line "[2/3] what")."""
        self.what = what
        if self._bar is not None:
            self._bar.update(self._task, description=what)
        else:
            line = t("cli.progress.step", n=self.done + 1, total=self.total, what=what)
            console.print(line, markup=False, highlight=False)

    def advance(self, n: int = 1, *, say: bool = True) -> None:
        """``n`` more units done (plain: a line "what: done/total" unless ``say`` is off)."""
        self.done = min(self.total, self.done + n)
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
        elif say:
            line = t("cli.progress.count", what=self.what, done=self.done, total=self.total)
            console.print(line, markup=False, highlight=False)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)
