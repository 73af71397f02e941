"""Spreadsheets (.xlsx; .xls and .ods through LibreOffice) → a .docx of Word tables.

Why: departments send their figures as workbooks. Each non-empty sheet becomes its
sheet title as a heading paragraph (so matching can place it by title, leading rows and
the mail's words, like any part) followed by a Word table: first row as header, values
as the cell shows them (number formats, dates dd/mm/yyyy, Vietnamese separators
1.234.567,5), merged cells merged. A sheet larger than the caps is cut, with a note
paragraph saying so. openpyxl reads in read-only mode with cached values (``data_only``):
formulas are never evaluated; merged ranges are read from the sheet's XML directly
(read-only mode does not load them).
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from mailflow.adapters import docx_form
from mailflow.i18n import t


@dataclass(frozen=True)
class SheetLimits:
    max_rows: int = 2000
    max_cols: int = 50


class SheetProblem(Exception):
    """The workbook cannot be read; the text says why (for the quarantine reason)."""


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: tuple[tuple[str, ...], ...]
    merges: tuple[tuple[int, int, int, int], ...] = ()
    cut_rows: int = 0  # rows left out (over the cap)
    cut_cols: int = 0


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(data: bytes, limits: SheetLimits = SheetLimits()) -> list[Sheet]:
    """The non-empty visible sheets of an .xlsx, as displayed text, within the caps."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise SheetProblem(f"{type(exc).__name__}: {exc}"[:200]) from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        sheets: list[Sheet] = []
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            rows: list[tuple[str, ...]] = []
            total_rows = 0
            widest = 0
            for row in ws.iter_rows():
                total_rows += 1
                widest = max(widest, len(row))
                if len(rows) >= limits.max_rows:
                    continue
                rows.append(tuple(display(c) for c in row[: limits.max_cols]))
            # trim empty trailing rows/columns and empty leading rows
            while rows and not any(v.strip() for v in rows[-1]):
                rows.pop()
            first = 0
            while first < len(rows) and not any(v.strip() for v in rows[first]):
                first += 1
            rows = rows[first:]
            if not rows:
                continue
            used = max((i + 1 for r in rows for i, v in enumerate(r) if v.strip()), default=0)
            rows = [tuple(r[:used]) + ("",) * (used - len(r[:used])) for r in rows]
            merges = _merges(zf, getattr(ws, "_worksheet_path", ""), first, len(rows), used)
            sheets.append(
                Sheet(
                    ws.title,
                    tuple(rows),
                    merges,
                    cut_rows=max(total_rows - limits.max_rows, 0),
                    cut_cols=max(widest - limits.max_cols, 0),
                )
            )
        return sheets
    except SheetProblem:
        raise
    except Exception as exc:  # a broken sheet part
        raise SheetProblem(f"{type(exc).__name__}: {exc}"[:200]) from None
    finally:
        wb.close()


def _merges(
    zf: zipfile.ZipFile, part: str, first: int, nrows: int, ncols: int
) -> tuple[tuple[int, int, int, int], ...]:
    if not part:
        return ()
    try:
        xml = zf.read(part.lstrip("/"))
    except KeyError:
        return ()
    out = []
    for m in _MERGE.finditer(xml):
        c0, r0, c1, r1 = _col(m.group(1)), int(m.group(2)) - 1, _col(m.group(3)), int(m.group(4))
        r0, r1 = r0 - first, r1 - 1 - first
        if r0 < 0 or r1 >= nrows or c1 >= ncols:
            continue
        out.append((r0, c0, r1, c1))
    return tuple(out)


# --- values as the cell shows them ---------------------------------------------------


def display(cell: object) -> str:
    """The text a person sees in the cell (Vietnamese conventions for numbers and dates)."""
    value = getattr(cell, "value", None)
    fmt = str(getattr(cell, "number_format", "General") or "General")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() != time(0) and ("h" in fmt.lower()):
            return value.strftime("%d/%m/%Y %H:%M")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int | float):
        return number(value, fmt)
    return str(value).strip()


def number(value: float, fmt: str) -> str:
    """A number under an Excel format, with "." for thousands and "," for decimals."""
    section = fmt.split(";")[0]
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", section)
    percent = "%" in plain
    if percent:
        value = value * 100
    if plain.strip().lower() in ("general", "", "@"):
        if float(value).is_integer():
            text = _group(str(int(value)), False)
        else:
            text = f"{value:.10g}".replace(".", ",")
        return text + ("%" if percent else "")
    decimals = 0
    m = re.search(r"\.([0#]+)", plain)
    if m:
        decimals = len(m.group(1))
    grouped = "," in plain.split(".")[0]
    # Excel rounds half away from zero (1500000.5 → 1.500.001), Python's format to even
    step = Decimal(1).scaleb(-decimals)
    text = f"{Decimal(repr(abs(float(value)))).quantize(step, rounding=ROUND_HALF_UP):f}"
    whole, _, frac = text.partition(".")
    whole = _group(whole, grouped)
    out = whole + ("," + frac if frac else "")
    if value < 0 and any(ch != "0" for ch in text if ch.isdigit()):
        out = "-" + out
    return out + ("%" if percent else "")


def _group(digits: str, grouped: bool) -> str:
    sign = "-" if digits.startswith("-") else ""
    digits = digits.lstrip("-")
    if not grouped:
        return sign + digits
    parts: list[str] = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return sign + ".".join(parts)


# --- the .docx ---------------------------------------------------------------------


def sheets_docx(sheets: list[Sheet], limits: SheetLimits, lang: str | None = None) -> bytes:
    """Sheet title (Heading 2) + table per sheet, a note where a sheet was cut."""
    doc = docx_form.new_document()
    for sheet in sheets:
        doc.add_heading(docx_form._clean(sheet.title), level=2)
        docx_form.add_table(doc, sheet.rows, sheet.merges)
        if sheet.cut_rows or sheet.cut_cols:
            docx_form.note_paragraph(
                doc,
                t(
                    "intake.unpack.sheet_cut",
                    lang,
                    rows=limits.max_rows,
                    cols=limits.max_cols,
                    cut_rows=sheet.cut_rows,
                    cut_cols=sheet.cut_cols,
                ),
            )
    return docx_form.to_bytes(doc)


# --- .xls / .ods → .xlsx with LibreOffice --------------------------------------------


def to_xlsx(soffice: str, ext: str, data: bytes, timeout: float) -> bytes | str:
    """Convert one legacy or OpenDocument spreadsheet; the .xlsx bytes or an error text."""
    from mailflow.adapters import sandbox
    from mailflow.adapters.convert import run_soffice

    clean = ext if ext in ("xls", "ods", "fods", "xlt", "ots") else "xls"
    work = Path(tempfile.mkdtemp(prefix="mailflow-sheet-"))
    try:
        indir, outdir = work / "in", work / "out"
        indir.mkdir()
        outdir.mkdir()
        src = indir / f"0000.{clean}"
        src.write_bytes(data)
        try:
            proc = run_soffice(
                soffice, work, "xlsx:Calc MS Excel 2007 XML", outdir, [str(src)], timeout
            )
        except sandbox.SandboxError as exc:
            return "timeout" if exc.reason == "sandbox.timeout" else str(exc)[:200]
        out = outdir / "0000.xlsx"
        if out.is_file() and out.stat().st_size > 0:
            return out.read_bytes()
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return "LibreOffice produced no output" + (f": {detail[-1]}" if detail else "")
    finally:
        shutil.rmtree(work, ignore_errors=True)
