"""`mailflow demo`: the whole campaign on this machine, no mail account needed."""

from __future__ import annotations

import time
from pathlib import Path

import click

from mailflow.cli.base import cli, console
from mailflow.cli.common import add_row
from mailflow.i18n import t
from mailflow.messages import CATALOGUE


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-workspace"),
    show_default=True,
    help="Folder for the demo workspace (a previous demo there is replaced)",
)
@click.option(
    "--backend",
    type=click.Choice(["maildir", "dict"]),
    default="maildir",
    help="Where the embedded server keeps mail",
)
def demo(directory: Path, backend: str) -> None:
    """Chạy thử trọn một đợt báo cáo / run a whole campaign on simulated days."""
    from mailflow.demo import run_demo

    started = time.monotonic()
    result = run_demo(
        directory, say=lambda line: console.print(line, markup=False), backend=backend
    )
    console.print()
    console.print(t("demo.reminders"))
    for day, code, reason in result.reminders:
        why = t(f"demo.reason_{reason}") if f"demo.reason_{reason}" in CATALOGUE else reason
        console.print(t("demo.reminder_line", day=day, code=code, reason=why), markup=False)
    from rich.table import Table

    table = Table(title=t("demo.grid_title"))
    for key in ("demo.col_department", "demo.col_received", "demo.col_late", "demo.col_missing"):
        table.add_column(t(key))
    for row in result.grid:
        received = row["received"].strftime("%d/%m %H:%M") if row["received"] else "-"
        add_row(
            table,
            f"{row['code']} — {row['name']}",
            received,
            t("demo.yes") if row["late"] else "",
            "\n".join(row["missing"]) or "-",
        )
    console.print(table)
    ok = bool(result.directives) and all(n == 1 for n in result.directives.values())
    console.print(t("demo.directive_count", ok=t("demo.yes") if ok else t("demo.no")))
    console.print(
        t("demo.office_mails", address=result.office_address, n=result.office_mails),
        markup=False,
    )
    console.print(t("demo.final_docx", path=result.final_docx), markup=False)
    if result.final_pdf is not None:
        console.print(t("demo.final_pdf", path=result.final_pdf), markup=False)
    else:
        console.print(t("demo.no_pdf"))
    console.print(t("demo.took", seconds=time.monotonic() - started))
