"""`mailflow status`: the department × section grid as a table, JSON or a standalone HTML
page, with the mails stuck in the outbox first (what the Office must hear about)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mailflow.cli.base import (
    AppContext,
    cli,
    console,
    lazy_function,
    lazy_module,
    pass_app,
    pick_campaign,
)
from mailflow.cli.common import add_row, plain, say
from mailflow.i18n import get_lang, t

if TYPE_CHECKING:
    from mailflow.core.draft_plan import DraftPlan

# The planner, the model, the archive, the clock and rich's tables are imported inside
# the functions that use them: `mailflow status --help` needs none.
outbox = lazy_module("mailflow.services.outbox")
gather_plan = lazy_function("mailflow.services.assemble", "gather_plan")


def _yes(flag: bool) -> str:
    return t("review.yes") if flag else ""


def grid_rows(plan: DraftPlan) -> list[list[str]]:
    """The per-department grid: the same columns as the draft's appendix."""
    from mailflow.core.draft_plan import format_when

    rows = []
    for g in plan.grid:
        away = _yes(g.out_of_office)
        if g.out_of_office and g.returns_on:
            away = t("review.away_until", until=g.returns_on.strftime("%d/%m/%Y"))
        rows.append(
            [
                f"{g.code} — {g.name}",
                format_when(g.sent_at),
                _yes(g.bounced),
                away,
                format_when(g.received_at),
                _yes(g.late),
                ", ".join(plan.section_name(k) for k in g.missing),
            ]
        )
    return rows


GRID_COLUMNS = ("department", "sent", "bounced", "away", "received", "late", "missing")


def matrix_rows(plan: DraftPlan) -> list[list[str]]:
    """One line per section, named as the grid's "missing" column names it."""
    from mailflow.core.draft_plan import Cell

    marks = {Cell.RECEIVED: "✓{n}", Cell.EXTRA: "+{n}", Cell.MISSING: "✗", Cell.NONE: ""}
    return [
        [plan.section_name(line.key), *(marks[cell].format(n=n) for cell, n in line.cells)]
        for line in plan.matrix
    ]


def status_html(plan: DraftPlan) -> str:
    """A standalone page (inline CSS, no scripts, no outside files) of both grids."""
    import html  # only for --html

    from mailflow.core.draft_plan import format_when

    e = html.escape
    codes = [c for c, _ in plan.departments]

    def table(head: list[str], rows: list[list[str]], cls: str) -> str:
        out = [f'<table class="{cls}"><thead><tr>']
        out += [f"<th>{e(h)}</th>" for h in head]
        out.append("</tr></thead><tbody>")
        for row in rows:
            cells = []
            for i, value in enumerate(row):
                kind = ""
                if cls == "matrix" and i:
                    kind = {"✗": "missing"}.get(value, "received" if value.startswith("✓") else "")
                    kind = kind or ("extra" if value.startswith("+") else "")
                elif cls == "grid" and i == len(row) - 1 and value:
                    kind = "missing"
                cells.append(
                    f'<td class="{kind}">{e(value)}</td>' if kind else f"<td>{e(value)}</td>"
                )
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        return "".join(out)

    title = t("review.status_title", campaign=plan.campaign, title=plan.title)
    grid = table([t(f"review.grid_{c}") for c in GRID_COLUMNS], grid_rows(plan), "grid")
    matrix = table([t("review.grid_section"), *codes], matrix_rows(plan), "matrix")
    legend = t("review.matrix_legend")
    when = t(
        "review.status_when",
        when=format_when(plan.now),
        deadline=plan.deadline.strftime("%d/%m/%Y"),
    )
    lang = get_lang()
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{e(title)}</title>
<style>
body {{ font-family: "Times New Roman", serif; margin: 2em; color: #111; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #888; padding: 4px 8px; vertical-align: top; }}
th {{ background: #eee; }}
td.missing {{ background: #fde2e2; color: #900; font-weight: bold; }}
td.received {{ background: #e3f6e3; }}
td.extra {{ background: #fff6d6; }}
.matrix td:not(:first-child) {{ text-align: center; }}
</style></head><body>
<h1>{e(title)}</h1>
<p>{e(when)}</p>
{grid}
<h2>{e(t("review.matrix_title"))}</h2>
<p><em>{e(legend)}</em></p>
{matrix}
</body></html>
"""


@cli.command()
@click.option("--campaign", "campaign_id", default=None, help="Campaign id")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the grid as a standalone HTML page",
)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def status(app: AppContext, campaign_id: str | None, html_path: Path | None, as_json: bool) -> None:
    """Bảng phòng × mục: đã gửi, thư lỗi, vắng mặt, đã nhận, muộn, còn thiếu / the grid."""
    from rich.table import Table
    from rich.text import Text

    from mailflow.adapters.archive import write_atomic

    cfg = app.config()
    campaign = pick_campaign(cfg, campaign_id)
    adapters = app.adapters()
    now = app.now()
    plan = gather_plan(cfg, adapters.store, adapters.archive, campaign, now)
    minutes = cfg.mailbox.retry_warn_minutes
    stuck = outbox.waiting(adapters.store, now, timedelta(minutes=minutes))
    app.close()
    if as_json:
        from mailflow.cli import jsonout

        jsonout.emit("status", jsonout.status_document(plan, stuck))
        if html_path is not None:
            write_atomic(html_path, status_html(plan).encode("utf-8"))
        return
    if stuck:  # first: a mail that cannot get out is what the Office must hear about
        console.print(Text(t("send.waiting", n=len(stuck), minutes=minutes), style="bold red"))
        for row in stuck:
            line = t(
                "send.waiting_line",
                kind=row.kind,
                to=", ".join(row.recipients),
                since=row.created_at,
                error=row.last_error or "",
            )
            console.print(Text(f"  - {line}", style="red"))
    table = Table(title=plain("review.status_title", campaign=campaign.id, title=campaign.title))
    for c in GRID_COLUMNS:
        table.add_column(t(f"review.grid_{c}"), overflow="fold")
    # The terminal grid counts what is missing, one line per department; the matrix below
    # names each section (the HTML page and --json keep the names in the grid too).
    for row, g in zip(grid_rows(plan), plan.grid, strict=True):
        missing = t("review.grid_missing_count", n=len(g.missing)) if g.missing else ""
        add_row(table, *row[:-1], Text(missing, style="red"))
    console.print(table)
    matrix = Table(title=plain("review.matrix_title"))
    matrix.add_column(t("review.grid_section"), overflow="fold")
    for code, _ in plan.departments:
        matrix.add_column(code, justify="center")
    for row in matrix_rows(plan):
        cells = [Text(v, style="red") if v == "✗" else v for v in row[1:]]
        add_row(matrix, row[0], *cells)
    console.print(matrix)
    say(t("review.matrix_legend"))
    if html_path is not None:
        write_atomic(html_path, status_html(plan).encode("utf-8"))  # errors say path and why
        say(t("review.status_html", path=html_path))
