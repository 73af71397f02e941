"""read_docx: the block stream, on our own files and on public test corpora."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from mailflow.adapters.docx_read import read_docx
from mailflow.errors import MailflowError
from mailflow.model import BlockKind

CORPUS = Path("/work/shared/corpora/docx")
POI = CORPUS / "apache-poi-document" / "document"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared docx corpus not present")


def _save(doc: docx.document.Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _numbering(doc: docx.document.Document, xml: str) -> None:
    root = doc.part.numbering_part.element
    for el in parse_xml(f"<w:numbering {nsdecls('w')}>{xml}</w:numbering>"):
        root.append(el)


def _number(p: docx.text.paragraph.Paragraph, num_id: int, ilvl: int = 0) -> None:
    p._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def test_index_is_the_position_among_body_children() -> None:
    doc = docx.Document()
    doc.add_paragraph("một")
    doc.add_table(rows=1, cols=2).cell(0, 1).text = "ô"
    doc.add_paragraph("hai")
    data = _save(doc)
    body = docx.Document(io.BytesIO(data)).element.body
    for block in read_docx(data):
        tag = body[block.index].tag
        assert tag == qn("w:tbl" if block.kind is BlockKind.TABLE else "w:p")
    table = next(b for b in read_docx(data) if b.kind is BlockKind.TABLE)
    assert table.cells == (("", "ô"),)


def test_content_control_paragraphs_carry_the_controls_index() -> None:
    doc = docx.Document()
    doc.add_paragraph("trước")
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent>"
        "<w:p><w:r><w:t>trong một</w:t></w:r></w:p><w:p><w:r><w:t>trong hai</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    doc.element.body.insert(1, sdt)
    doc.add_paragraph("sau")
    blocks = read_docx(_save(doc))
    assert [(b.index, b.text) for b in blocks] == [
        (0, "trước"),
        (1, "trong một"),
        (1, "trong hai"),
        (2, "sau"),
    ]


def test_text_is_nfc_with_tabs_and_no_break_spaces_folded() -> None:
    doc = docx.Document()
    doc.add_paragraph("1.\tKe\u0302\u0301t\u00a0qua\u0309")
    (block,) = read_docx(_save(doc))
    assert block.text == "1. Kết quả"


def test_bold_comes_from_the_style_chain_and_character_styles() -> None:
    doc = docx.Document()
    base = doc.styles.add_style("Đề mục đậm", WD_STYLE_TYPE.PARAGRAPH)
    base.font.bold = True
    child = doc.styles.add_style("Đề mục con", WD_STYLE_TYPE.PARAGRAPH)
    child.base_style = base
    char = doc.styles.add_style("Chữ đậm", WD_STYLE_TYPE.CHARACTER)
    char.font.bold = True
    doc.add_paragraph("Kế thừa đậm", style="Đề mục con")
    p = doc.add_paragraph()
    p.add_run("Đậm theo kiểu ký tự dài hơn", style="Chữ đậm")
    p.add_run(" thường")
    doc.add_paragraph("Thường hoàn toàn")
    off = doc.add_paragraph(style="Đề mục con").add_run("Tắt đậm trực tiếp")
    off.bold = False
    assert [b.bold for b in read_docx(_save(doc))] == [True, True, False, False]


def test_heading_level_from_style_names_and_outline_level() -> None:
    doc = docx.Document()
    doc.add_paragraph("Chuẩn", style="Heading 2")
    vn = doc.styles.add_style("Tiêu đề 1", WD_STYLE_TYPE.PARAGRAPH)
    doc.add_paragraph("Tên Việt", style=vn)
    p = doc.add_paragraph("Mức đề cương")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "2")
    p._p.get_or_add_pPr().append(outline)
    doc.add_paragraph("Thân bài")
    assert [b.heading_level for b in read_docx(_save(doc))] == [2, 1, 3, None]


def test_numbering_labels_restart_with_start_override_and_nest() -> None:
    doc = docx.Document()
    _numbering(
        doc,
        '<w:abstractNum w:abstractNumId="50">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>'
        '<w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%1.%2)"/><w:isLgl/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
        '<w:lvlText w:val="%3."/></w:lvl>'
        "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="51"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/>'
        '<w:lvlText w:val="\uf0b7"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="60"><w:abstractNumId w:val="50"/></w:num>'
        '<w:num w:numId="61"><w:abstractNumId w:val="50"/></w:num>'
        '<w:num w:numId="62"><w:abstractNumId w:val="50"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="4"/></w:lvlOverride></w:num>'
        '<w:num w:numId="63"><w:abstractNumId w:val="51"/></w:num>',
    )
    plan = [(60, 0), (60, 1), (60, 2), (60, 2), (60, 1), (61, 0), (60, 2), (62, 0), (63, 0)]
    for num_id, ilvl in plan:
        _number(doc.add_paragraph("x"), num_id, ilvl)
    blocks = read_docx(_save(doc))
    assert [b.number_label for b in blocks] == [
        "I.", "1.1)", "a.", "b.", "1.2)", "II.", "a.", "IV.", "-",
    ]  # fmt: skip
    assert all(b.numbered for b in blocks)
    assert blocks[0].display_text == "I. x"


@needs_corpus
@pytest.mark.parametrize("name", ["docx2python/resources/example_numbering.docx"])
def test_numbering_labels_match_what_the_file_says_to_expect(name: str) -> None:
    blocks = [b for b in read_docx(CORPUS / name) if b.text.startswith("expect")]
    assert len(blocks) >= 8
    for b in blocks:
        want = b.text.removeprefix("expect ").strip()
        assert re.sub(r"[().]", "", b.number_label) == want


@needs_corpus
def test_complex_numbered_lists_restart_and_continue() -> None:
    blocks = read_docx(POI / "ComplexNumberedLists.docx")
    labels = {b.text: b.number_label for b in blocks}
    assert labels["Restarted to 1 from 5"] == "1."
    assert labels["Jump to new list at 10"] == "10."
    assert labels["Carrying on @ 13"] == "13."
    assert labels["2-b"] == "b."


@needs_corpus
def test_tables_and_images_from_real_files() -> None:
    table = next(
        b
        for b in read_docx(CORPUS / "python-mammoth/test-data/tables.docx")
        if b.kind is BlockKind.TABLE
    )
    assert len(table.cells) >= 2 and all(len(r) >= 2 for r in table.cells)
    assert any(
        b.has_image for b in read_docx(CORPUS / "python-docx/tests/test_files/having-images.docx")
    )
    picture = read_docx(CORPUS / "python-mammoth/test-data/tiny-picture.docx")
    assert any(b.kind is BlockKind.IMAGE for b in picture)


@needs_corpus
def test_every_corpus_docx_reads_or_raises_mailflow_error() -> None:
    read = refused = 0
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix.lower() not in (".docx", ".docm", ".dotx"):
            continue
        try:
            read_docx(path)
            read += 1
        except MailflowError as exc:
            assert exc.message and exc.hint
            refused += 1
    assert read > 100 and refused < 15


@needs_corpus
def test_doctype_in_a_part_is_refused() -> None:
    with pytest.raises(MailflowError, match="DOCTYPE"):
        read_docx(POI / "ExternalEntityInText.docx")


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(MailflowError):
        read_docx(b"%PDF-1.4 not a word file")


def test_doctype_we_inject_is_refused() -> None:
    doc = docx.Document()
    doc.add_paragraph("x")
    src = zipfile.ZipFile(io.BytesIO(_save(doc)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/styles.xml":
                data = data.replace(
                    b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1
                )
            dst.writestr(info, data)
    with pytest.raises(MailflowError, match=r"styles\.xml"):
        read_docx(out.getvalue())


@needs_corpus
def test_macro_enabled_document_is_read_as_text() -> None:
    blocks = read_docx(POI / "SimpleMacro.docm")
    assert any(b.text for b in blocks)
