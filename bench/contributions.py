"""Department replies as real .docx files, for the assembly benchmark and tests.

Each file looks like what a department sends: a few pages of Vietnamese report text with
its own headings, a bulleted and a numbered list, a table, a picture, bold and italic
runs and a footnote (python-docx has no footnote API, so that part is written with lxml),
optionally a landscape page holding a wide table.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Cm

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXT = (
    "kết quả thực hiện nhiệm vụ khoa học công nghệ đổi mới sáng tạo doanh nghiệp tỉnh "
    "Quảng Trị chương trình kế hoạch triển khai hỗ trợ chuyển giao ứng dụng tiêu chuẩn "
    "đo lường chất lượng sở hữu trí tuệ nghiên cứu phát triển sản phẩm thị trường năm "
    "tháng đầu giai đoạn cơ chế chính sách nguồn lực đầu tư hoạt động quản lý nhà nước"
)
_WORDS = _TEXT.split()


def png(width: int = 160, height: int = 90, seed: int = 0) -> bytes:
    """A small valid RGB PNG (no imaging library needed)."""
    rnd = random.Random(seed)
    base = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
    rows = b"".join(
        b"\x00"
        + bytes(
            v
            for x in range(width)
            for v in ((base[0] + x) % 256, (base[1] + y * 2) % 256, (base[2] + x + y) % 256)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Contribution:
    """What a generated file holds, so tests can count it in the draft."""

    path: Path
    tables: int
    images: int
    footnotes: int
    headings: tuple[str, ...]
    blocks: int  # number of body children (without the final sectPr)


def _sentence(rnd: random.Random, words: int) -> str:
    text = " ".join(rnd.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _add_footnotes(doc: object, texts: list[str]) -> None:
    notes = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {t}</w:t></w:r></w:p></w:footnote>'
        for i, t in enumerate(texts, start=1)
    )
    xml = (
        f'<w:footnotes xmlns:w="{W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>"
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
        f"{notes}</w:footnotes>"
    ).encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml, doc.part.package)  # type: ignore[attr-defined]
    doc.part.relate_to(part, RT.FOOTNOTES)  # type: ignore[attr-defined]


def _footnote_ref(paragraph: object, note_id: int) -> None:
    paragraph._p.append(  # type: ignore[attr-defined]
        parse_xml(
            f'<w:r xmlns:w="{W}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{note_id}"/></w:r>'
        )
    )


def make_contribution(
    path: Path,
    *,
    seed: int = 0,
    pages: int = 5,
    landscape: bool = False,
    department: str = "Phòng Quản lý khoa học",
) -> Contribution:
    """Write one department reply of about ``pages`` A4 pages to ``path``."""
    rnd = random.Random(seed)
    doc = Document()
    headings: list[str] = []

    def heading(text: str, level: int) -> None:
        headings.append(text)
        doc.add_heading(text, level)

    doc.add_paragraph(f"{department.upper()}", style="Title")
    per_page = 5  # paragraphs per page: about 5 A4 pages per file at 14 pt
    images = tables = 0
    heading("I. Kết quả đạt được", 1)
    for page in range(pages):
        heading(f"{page + 1}. {_sentence(rnd, 6)}", 2)
        for _ in range(per_page):
            p = doc.add_paragraph(_sentence(rnd, 45) + " ")
            p.add_run(_sentence(rnd, 6)).bold = True
            p.add_run(" " + _sentence(rnd, 20)).italic = True
        if page == 0:
            for i in range(4):
                doc.add_paragraph(f"Gạch đầu dòng {i + 1}: {_sentence(rnd, 10)}", "List Bullet")
            for i in range(3):
                doc.add_paragraph(f"Bước {i + 1}: {_sentence(rnd, 8)}", "List Number")
            table = doc.add_table(rows=6, cols=4)
            table.style = "Table Grid"
            for r, row in enumerate(table.rows):
                for c, cell in enumerate(row.cells):
                    cell.text = f"Chỉ tiêu {c + 1}" if r == 0 else str(rnd.randrange(1000))
            tables += 1
            doc.add_picture(BytesIO(png(seed=seed)), width=Cm(8))
            images += 1
            note_par = doc.add_paragraph("Theo số liệu của Cục Thống kê tỉnh")
            _footnote_ref(note_par, 1)
            note_par.add_run(" năm 2023.")
    if landscape:
        wide = doc.add_section(WD_SECTION.NEW_PAGE)
        wide.orientation = WD_ORIENT.LANDSCAPE
        wide.page_width, wide.page_height = wide.page_height, wide.page_width
        table = doc.add_table(rows=3, cols=9)
        table.style = "Table Grid"
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                cell.text = f"Cột {c + 1}" if r == 0 else str(rnd.randrange(100))
        tables += 1
        back = doc.add_section(WD_SECTION.NEW_PAGE)
        back.orientation = WD_ORIENT.PORTRAIT
        back.page_width, back.page_height = back.page_height, back.page_width
    heading("II. Kiến nghị, đề xuất", 1)
    doc.add_paragraph(_sentence(rnd, 40))
    _add_footnotes(doc, ["Số liệu ước tính đến ngày 30/6/2023."])
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    blocks = len([el for el in doc.element.body if not el.tag.endswith("}sectPr")])
    return Contribution(path, tables, images, 1, tuple(headings), blocks)
