"""Spreadsheets become Word tables: .xlsx read with openpyxl, .xls/.ods through
LibreOffice; the sheet title heads each table; values as the cell shows them."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import docx
import pytest
from formats_support import Offline, message

from mailflow.adapters.convert import LibreOffice
from mailflow.adapters.mail_parse import parse
from mailflow.adapters.pdf import find_soffice
from mailflow.adapters.sheets import number
from mailflow.adapters.unpack import Limits, extract

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")


def _workbook() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kết quả kiểm tra"
    ws.append(["Huyện", "Số cơ sở", "Tiền phạt (đồng)", "Tỷ lệ", "Ngày kiểm tra"])
    ws.append(["Triệu Phong", 12, 85000000, 0.125, datetime(2023, 6, 15)])
    ws.append(["Hải Lăng", 7, 1500000.5, 0.5, datetime(2023, 7, 3)])
    ws.append(["Tổng cộng", None, None, None, None])
    ws.merge_cells("A4:B4")
    for row in ws.iter_rows(min_row=2, max_row=3):
        row[2].number_format = "#,##0"
        row[3].number_format = "0.0%"
        row[4].number_format = "dd/mm/yyyy"
    wb.create_sheet("Trống")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _tables(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    d = docx.Document(io.BytesIO(data))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return headings, tables


def _item(data: bytes, name: str, ctype: str, **kw):  # type: ignore[no-untyped-def]
    msg = parse(message("tdc", "Gửi bảng số liệu.", [(name, data, ctype)])).message
    [item] = [i for i in extract(msg, **kw) if i.name == name]
    return item


def test_an_xlsx_sheet_becomes_a_word_table_under_its_title_with_shown_values() -> None:
    item = _item(_workbook(), "So lieu.xlsx", XLSX)
    assert (item.status, item.reason) == ("ok", "intake.unpack.sheet")
    headings, tables = _tables(item.docx)
    assert headings == ["Kết quả kiểm tra"]  # the empty sheet gives nothing
    [table] = tables
    assert table[0] == ["Huyện", "Số cơ sở", "Tiền phạt (đồng)", "Tỷ lệ", "Ngày kiểm tra"]
    assert table[1] == ["Triệu Phong", "12", "85.000.000", "12,5%", "15/06/2023"]
    assert table[2] == ["Hải Lăng", "7", "1.500.001", "50,0%", "03/07/2023"]
    assert table[3][:2] == ["Tổng cộng", "Tổng cộng"]  # A4:B4 merged: one cell


def test_number_formats_show_as_a_vietnamese_reader_sees_them() -> None:
    assert number(1234567.891, "#,##0.00") == "1.234.567,89"
    assert number(0.075, "0.00%") == "7,50%"
    assert number(42, "General") == "42"
    assert number(2.5, "General") == "2,5"
    assert number(-1500, "#,##0;(#,##0)") == "-1.500"


def test_a_sheet_over_the_cap_is_cut_with_a_note() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    for n in range(30):
        ws.append([f"Cơ sở {n}", n])
    buf = io.BytesIO()
    wb.save(buf)
    item = _item(buf.getvalue(), "ds.xlsx", XLSX, limits=Limits(sheet_max_rows=10))
    d = docx.Document(io.BytesIO(item.docx))
    assert len(d.tables[0].rows) == 10
    assert any(
        "20" in p.text and "10" in p.text for p in d.paragraphs if p.runs and p.runs[0].italic
    )


def test_a_workbook_with_no_data_is_kept_and_ignored() -> None:
    import openpyxl

    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    item = _item(buf.getvalue(), "trong.xlsx", XLSX)
    assert (item.status, item.reason) == ("ignored", "intake.unpack.sheet_empty")


def _ods(tmp_path: Path) -> bytes:
    src = tmp_path / "so-lieu.xlsx"
    src.write_bytes(_workbook())
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = (tmp_path / "profile").as_uri()
    args = ["--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(src)]
    subprocess.run(
        [str(soffice), f"-env:UserInstallation={profile}", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp_path / "so-lieu.ods").read_bytes()


@needs_soffice
def test_an_ods_sheet_becomes_a_word_table_through_libreoffice(tmp_path: Path) -> None:
    with LibreOffice() as conv:
        item = _item(_ods(tmp_path), "So lieu.ods", ODS, converter=conv)
    assert (item.status, item.reason) == ("ok", "intake.unpack.sheet_converted")
    headings, [table] = _tables(item.docx)
    assert headings == ["Kết quả kiểm tra"]
    assert table[1] == ["Triệu Phong", "12", "85.000.000", "12,5%", "15/06/2023"]


@needs_soffice
def test_an_xlsx_and_an_ods_reach_the_draft_as_tables(tmp_path: Path) -> None:
    flow = Offline.make(tmp_path)
    ods = _ods(tmp_path)
    flow.ingest_bytes(message("tdc", "Gửi bảng số liệu.", [("So lieu.xlsx", _workbook(), XLSX)]))
    flow.ingest_bytes(message("qlcn", "Gửi bảng số liệu.", [("So lieu.ods", ods, ODS)]))
    draft = flow.draft_docx()
    rows = [[c.text for c in row.cells] for t in draft.tables for row in t.rows]
    hits = [r for r in rows if r[:3] == ["Triệu Phong", "12", "85.000.000"]]
    assert len(hits) == 2  # one table from each department


@needs_soffice
def test_an_xls_sheet_becomes_a_word_table_through_libreoffice(tmp_path: Path) -> None:
    src = tmp_path / "so-lieu.xlsx"
    src.write_bytes(_workbook())
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = (tmp_path / "profile").as_uri()
    args = ["--headless", "--convert-to", "xls:MS Excel 97", "--outdir", str(tmp_path), str(src)]
    subprocess.run(
        [str(soffice), f"-env:UserInstallation={profile}", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = (tmp_path / "so-lieu.xls").read_bytes()
    with LibreOffice() as conv:
        item = _item(xls, "So lieu.xls", "application/vnd.ms-excel", converter=conv)
    assert (item.status, item.reason) == ("ok", "intake.unpack.sheet_converted")
    headings, [table] = _tables(item.docx)
    assert headings == ["Kết quả kiểm tra"]
    assert table[1] == ["Triệu Phong", "12", "85.000.000", "12,5%", "15/06/2023"]
