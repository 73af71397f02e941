"""The draft .docx built from real department files, opened back with python-docx."""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from lxml import etree

from mailflow.adapters.draft_docx import dangling_relationships, render_draft, write_draft
from mailflow.adapters.pdf import find_soffice, to_pdf
from mailflow.core.draft_plan import DraftPlan, build_plan
from mailflow.errors import MailflowError
from mailflow.model import (
    Attribution,
    Campaign,
    Department,
    Outline,
    PlacedPart,
    PlacementStatus,
    Section,
)
from mailflow.samples.draft_template import APPENDIX_TITLE, build_template

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.contributions import Contribution, make_contribution

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
DEPS = (
    Department("VP", "Văn phòng", ("vp@x.vn",)),
    Department("QLKH", "Phòng Quản lý khoa học", ("qlkh@x.vn",)),
    Department("TDC", "Phòng Quản lý TĐC", ("tdc@x.vn",)),
)
OUTLINE = Outline(
    "Đề cương",
    (
        Section("1", "Phần thứ nhất", 1, "ĐÁNH GIÁ KHÁI QUÁT"),
        Section("1.1", "I", 2, "Tình hình triển khai", ("g",), ("VP", "TDC"), parent="1"),
        Section("1.2", "II", 2, "Kết quả thực hiện", ("hướng dẫn",), ("QLKH", "TDC"), "1"),
        Section("1.2.1", "1", 3, "Chương trình KH&CN", ("Nêu rõ",), ("QLKH",), "1.2"),
    ),
)
CAMPAIGN = Campaign(
    "2023-h1",
    "Sơ kết 6 tháng đầu năm 2023",
    "o",
    "d",
    date(2023, 7, 21),
    "2023-H1",
    place="Quảng Trị",
)


@dataclass
class Built:
    plan: DraftPlan
    data: bytes
    doc: docx.document.Document
    parts: list[Contribution]
    path: Path


def placed(
    c: Contribution,
    section: str | None,
    dept: str,
    day: int,
    pid: int,
    status: PlacementStatus = PlacementStatus.AUTO,
) -> PlacedPart:
    return PlacedPart(
        section,
        dept,
        Attribution(dept, datetime(2023, 7, day, 14, 5), c.path.name),
        str(c.path),
        0,
        c.blocks,
        "",
        status=status,
        part_id=pid,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("assemble")
    template = folder / "draft.docx"
    template.write_bytes(build_template())
    a = make_contribution(folder / "qlkh.docx", seed=1, pages=1)
    b = make_contribution(folder / "tdc.docx", seed=2, pages=1, landscape=True)
    c = make_contribution(folder / "review.docx", seed=3, pages=1)
    body = PlacedPart(
        "1.1",
        "VP",
        Attribution("VP", datetime(2023, 7, 19, 8), ""),
        "",
        0,
        2,
        "Văn phòng đã triển khai kế hoạch.\n\nĐã tổ chức hội nghị.",
        part_id=9,
    )
    parts = [
        placed(b, "1.2", "TDC", 22, 2),
        placed(a, "1.2.1", "QLKH", 20, 1),
        body,
        placed(c, None, "QLKH", 20, 3, PlacementStatus.REVIEW),
    ]
    plan = build_plan(OUTLINE, parts, {}, DEPS, CAMPAIGN, datetime(2023, 7, 23, 9, 0))
    out = folder / "out" / "draft-v1.docx"
    result = write_draft(plan, template, out, version=1)
    return Built(plan, result.data, docx.Document(str(out)), [a, b, c], out)


def body_before_appendix(doc: docx.document.Document) -> list[etree._Element]:
    children = list(doc.element.body)
    for i, el in enumerate(children):
        style = el.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") == APPENDIX_TITLE.replace(" ", ""):
            return children[:i]
    raise AssertionError("no appendix title")


def test_heading_paragraphs_equal_outline_headings_in_order(built: Built) -> None:
    headings = [p.text for p in built.doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [s.heading for s in OUTLINE.sections]


def test_heading_levels_follow_section_levels(built: Built) -> None:
    levels = [p.style.name for p in built.doc.paragraphs if p.style.name.startswith("Heading")]
    assert levels == ["Heading 1", "Heading 2", "Heading 2", "Heading 3"]


def test_guidance_lines_are_not_copied(built: Built) -> None:
    texts = {p.text for p in built.doc.paragraphs}
    assert "hướng dẫn" not in texts and "Nêu rõ" not in texts


def test_headings_inside_parts_become_bold_body_text(built: Built) -> None:
    inner = built.parts[0].headings[0]
    found = [p for p in built.doc.paragraphs if p.text == inner]
    assert found and all(p.style.name == "Normal" for p in found)
    assert all(r.bold for p in found for r in p.runs)


def test_tables_images_and_footnotes_of_placed_parts_all_arrive(built: Built) -> None:
    a, b, c = built.parts
    head = body_before_appendix(built.doc)
    tables = sum(1 for el in head if el.tag == f"{W}tbl") - 1  # minus the header block
    assert tables == a.tables + b.tables
    all_body = list(built.doc.element.body)
    assert sum(len(el.findall(f".//{A}blip")) for el in all_body) == a.images + b.images + c.images
    refs = [r.get(f"{W}id") for el in all_body for r in el.iter(f"{W}footnoteReference")]
    assert len(refs) == a.footnotes + b.footnotes + c.footnotes
    with zipfile.ZipFile(io.BytesIO(built.data)) as z:
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    ids = {n.get(f"{W}id") for n in notes.iter(f"{W}footnote")}
    assert set(refs) <= ids and len(set(refs)) == len(refs)


def test_no_relationship_dangles(built: Built) -> None:
    assert dangling_relationships(built.data) == []


def test_dangling_check_catches_a_broken_reference(built: Built) -> None:
    src = io.BytesIO(built.data)
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b'r:embed="rId', b'r:embed="rIdX', 1)
            zout.writestr(item, data)
    assert any("embed=rIdX" in p for p in dangling_relationships(out.getvalue()))


def test_lists_keep_numbering_that_exists_in_the_draft(built: Built) -> None:
    numbering = built.doc.part.numbering_part.element
    defined = {n.get(f"{W}numId") for n in numbering.iter(f"{W}num")}
    used = {n.get(f"{W}val") for n in built.doc.element.body.iter(f"{W}numId")}
    bullets = [p for p in built.doc.paragraphs if p.text.startswith("Gạch đầu dòng")]
    assert bullets and used <= defined


def test_part_styles_all_exist_in_the_draft(built: Built) -> None:
    ids = {s.style_id for s in built.doc.styles}
    used = {e.get(f"{W}val") for e in built.doc.element.body.iter(f"{W}pStyle", f"{W}rStyle")}
    assert used <= ids


def test_landscape_pages_keep_orientation_and_draft_ends_portrait(built: Built) -> None:
    sections = built.doc.sections
    assert any(s.page_width > s.page_height for s in sections)
    last = sections[-1]
    assert abs(last.page_width - Mm(210)) < Mm(1) and abs(last.page_height - Mm(297)) < Mm(1)
    assert all(abs(s.left_margin - Mm(30)) < Mm(1) for s in sections)


def test_attribution_and_late_flag_are_printed(built: Built) -> None:
    texts = [p.text for p in built.doc.paragraphs]
    assert "(Phòng Quản lý khoa học, nhận lúc 14:05 20/07/2023, tệp qlkh.docx)" in texts
    assert any(t.startswith("(Phòng Quản lý TĐC") and t.endswith("NỘP MUỘN") for t in texts)


def test_missing_marker_is_visible_in_place(built: Built) -> None:
    paragraphs = built.doc.paragraphs
    texts = [p.text for p in paragraphs]
    i = texts.index("Chưa nhận báo cáo của Phòng Quản lý TĐC.")
    assert texts.index("I. Tình hình triển khai") < i < texts.index("II. Kết quả thực hiện")


def test_mail_body_part_is_written_as_justified_paragraphs(built: Built) -> None:
    found = [p for p in built.doc.paragraphs if p.text == "Đã tổ chức hội nghị."]
    assert found and found[0].style.name == "Normal"
    assert found[0].style.paragraph_format.alignment == 3  # JUSTIFY


def test_appendix_has_grid_and_the_part_in_review(built: Built) -> None:
    grid = next(t for t in built.doc.tables if t.cell(0, 0).text == "Phòng, đơn vị")
    assert [r.cells[0].text for r in grid.rows[1:]] == [d.name for d in DEPS]
    status_cells = [c.text for c in grid.rows[3].cells]  # TDC: received late
    assert "Có" in status_cells
    after = list(built.doc.element.body)[len(body_before_appendix(built.doc)) :]
    review_heading = built.parts[2].headings[-1]
    texts = ["".join(t.text or "" for t in el.iter(f"{W}t")) for el in after]
    assert review_heading in texts


def test_header_block_carries_title_place_and_date(built: Built) -> None:
    texts = [p.text for p in built.doc.paragraphs[:6]]
    assert "BÁO CÁO" in texts and CAMPAIGN.title in texts
    cells = " ".join(c.text for c in built.doc.tables[0].rows[0].cells)
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
    assert "Quảng Trị, ngày 23 tháng 07 năm 2023" in cells


def test_unreadable_part_falls_back_to_its_text_with_a_warning(tmp_path: Path) -> None:
    template = tmp_path / "t.docx"
    template.write_bytes(build_template())
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    part = PlacedPart(
        "1.1", "VP", Attribution("VP", None, "broken.docx"), str(broken), 0, 3, "Nội dung dự phòng"
    )
    plan = build_plan(OUTLINE, [part], {}, DEPS, CAMPAIGN, datetime(2023, 7, 20))
    result = render_draft(plan, template)
    doc = docx.Document(io.BytesIO(result.data))
    assert "Nội dung dự phòng" in [p.text for p in doc.paragraphs]
    assert result.warnings and "broken.docx" in result.warnings[0]


def test_missing_template_is_a_clear_error(tmp_path: Path) -> None:
    plan = build_plan(OUTLINE, [], {}, DEPS, CAMPAIGN, datetime(2023, 7, 20))
    with pytest.raises(MailflowError, match=r"draft\.docx"):
        render_draft(plan, tmp_path / "draft.docx")


def test_no_libreoffice_means_no_pdf_and_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILFLOW_SOFFICE", str(tmp_path / "no-soffice"))
    result = to_pdf(tmp_path / "x.docx")
    assert result.path is None and "LibreOffice" in result.note


@pytest.mark.libreoffice
def test_draft_converts_to_pdf(built: Built, tmp_path: Path) -> None:
    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    result = to_pdf(built.path, tmp_path / "draft.pdf")
    assert result.path is not None
    assert result.path.read_bytes()[:5] == b"%PDF-"


def test_table_rows_do_not_break_across_pages(built: Built) -> None:
    _letterhead, *tables = built.doc.element.body.iter(f"{W}tbl")  # the first is the letterhead
    rows = [r for t in tables for r in t.iter(f"{W}tr")]
    assert rows and all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
