"""Every accepted .docx is sanitised once at intake: nothing in it can act, reach out or
blow up the draft, what was removed is recorded, the text survives, the original is kept.

Documents are built here: python-docx for the document, then raw XML edits of the zip for
the active content Word itself would write (fields, OLE objects, altChunk, linked pictures,
remote templates). Each test unzips the sanitised .docx and looks for the active content.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import docx
from click.testing import CliRunner
from fixtures.intake import build

from mailenv import MailEnv
from mailflow.adapters import mail_parse, sanitize, unpack
from mailflow.adapters.archive import Archive
from mailflow.adapters.mailserver import free_port
from mailflow.cli import cli
from mailflow.model import Campaign, Outline
from mailflow.services.match import receipt_text

IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
OLE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"
PACKAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
CHUNK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"
TEMPLATE_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
)
LINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
NS_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
NS_PIC = 'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
INTRO = "I. KẾT QUẢ THỰC HIỆN"
BODY = "Phòng QLKH đã hoàn thành 12 đề tài."


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A real grey PNG of any size, compressed row block by row block: a huge one is cheap."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    pieces, left = [], height
    while left:
        n = min(left, 256)
        pieces.append(comp.compress(row * n))
        left -= n
    body = b"".join(pieces) + comp.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def base_docx(*paragraphs: str) -> bytes:
    d = docx.Document()
    for p in paragraphs or (INTRO, BODY):
        d.add_paragraph(p)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def edit(
    data: bytes,
    body: str = "",
    rels: tuple[tuple[str, str, str, bool], ...] = (),
    parts: dict[str, bytes] | None = None,
    types: tuple[str, ...] = (),
    settings_rels: tuple[tuple[str, str, str, bool], ...] = (),
    settings: str = "",
) -> bytes:
    """The package with ``body`` XML inserted before the section properties, extra
    relationships (id, type, target, external) and parts; the way a crafted file looks."""

    def rel_xml(items: tuple[tuple[str, str, str, bool], ...]) -> bytes:
        return "".join(
            f'<Relationship Id="{i}" Type="{t}" Target="{g}"'
            + (' TargetMode="External"' if ext else "")
            + "/>"
            for i, t, g, ext in items
        ).encode()

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "word/document.xml" and body:
                content = content.replace(b"<w:sectPr", body.encode() + b"<w:sectPr", 1)
            elif info.filename == "word/_rels/document.xml.rels" and rels:
                content = content.replace(b"</Relationships>", rel_xml(rels) + b"</Relationships>")
            elif info.filename == "[Content_Types].xml" and types:
                content = content.replace(b"</Types>", "".join(types).encode() + b"</Types>")
            elif info.filename == "word/settings.xml" and settings:
                content = content.replace(b"<w:zoom", settings.encode() + b"<w:zoom", 1)
            dst.writestr(info.filename, content)
        if settings_rels:
            dst.writestr(
                "word/_rels/settings.xml.rels",
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'relationships">' + rel_xml(settings_rels) + b"</Relationships>",
            )
        for name, content in (parts or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def package(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def everything(data: bytes) -> bytes:
    """All XML of the package in one blob, to look for what must be gone."""
    return b"\n".join(v for k, v in package(data).items() if k.endswith((".xml", ".rels")))


def intake(data: bytes, name: str = "bao-cao.docx", **limits: int) -> unpack.Extracted:
    raw = build.rfc2231_continuations(name, data)
    items = unpack.extract(mail_parse.parse(raw).message, unpack.Limits(**limits))  # type: ignore[arg-type]
    [item] = [i for i in items if i.status != unpack.IGNORED]
    return item


def text_of(data: bytes) -> str:
    return build.docx_text(data)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def complex_field(instr: str, result: str) -> str:
    return (
        "<w:p>"
        + run("Trước trường. ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + result
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + run(" Sau trường.")
        + "</w:p>"
    )


def blip_picture(attr: str) -> str:
    return f"<w:p>{picture_run(attr)}</w:p>"


def picture_run(attr: str) -> str:
    return (
        "<w:r><w:drawing><wp:inline><wp:extent cx='914400' cy='914400'/>"
        "<wp:docPr id='7' name='Ảnh'/>"
        f"<a:graphic {NS_A}><a:graphicData uri='http://schemas.openxmlformats.org/"
        f"drawingml/2006/picture'><pic:pic {NS_PIC}><pic:nvPicPr><pic:cNvPr id='7' "
        f"name='x.png'/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip {attr}/>"
        "<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr/></pic:pic>"
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


# --- fields -------------------------------------------------------------------------------


def test_includetext_field_becomes_its_result_text() -> None:
    data = edit(
        base_docx(),
        body=complex_field(
            'INCLUDETEXT "C:\\\\Users\\\\Public\\\\mat.docx"', run("Số liệu quý III: 42 hồ sơ.")
        ),
    )
    item = intake(data)
    xml = everything(item.docx or b"")
    assert b"INCLUDETEXT" not in xml and b"fldChar" not in xml and b"instrText" not in xml
    assert "Số liệu quý III: 42 hồ sơ." in text_of(item.docx or b"")
    assert "Trước trường." in text_of(item.docx or b"")
    assert ("removed_linked_fields", "1") in item.params


def test_includepicture_field_with_a_linked_picture_leaves_a_placeholder() -> None:
    result = picture_run('r:link="rId90"')
    data = edit(
        base_docx(),
        body=complex_field('INCLUDEPICTURE "http://127.0.0.1:9/anh.png" \\d', result),
        rels=(("rId90", IMAGE_REL, "http://127.0.0.1:9/anh.png", True),),
    )
    item = intake(data)
    xml = everything(item.docx or b"")
    assert b"127.0.0.1" not in xml and b"INCLUDEPICTURE" not in xml
    assert b'TargetMode="External"' not in xml
    assert "[ảnh liên kết ngoài — đã bỏ]" in text_of(item.docx or b"")
    assert dict(item.params) == {"removed_linked_fields": "1", "removed_external_pictures": "1"}


def test_ddeauto_field_with_a_command_line_is_removed_entirely() -> None:
    data = edit(
        base_docx(),
        body=complex_field(
            'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"', run("!Lỗi liên kết")
        ),
    )
    item = intake(data)
    xml = everything(item.docx or b"")
    assert b"cmd.exe" not in xml and b"DDEAUTO" not in xml and "Lỗi liên kết" not in xml.decode()
    text = text_of(item.docx or b"")
    assert "Trước trường." in text and "Sau trường." in text and BODY in text
    assert ("removed_dde", "1") in item.params


def test_dde_simple_field_is_removed_entirely() -> None:
    body = (
        '<w:p><w:fldSimple w:instr=" DDE Excel &quot;C:\\\\so-lieu.xlsx&quot; R1C1 ">'
        + run("123 456")
        + "</w:fldSimple>"
        + run("Hết.")
        + "</w:p>"
    )
    item = intake(edit(base_docx(), body=body))
    xml = package(item.docx or b"")["word/document.xml"]
    assert b"DDE" not in xml and b"fldSimple" not in xml and b"123 456" not in xml
    assert "Hết." in text_of(item.docx or b"")
    assert ("removed_dde", "1") in item.params


def test_http_hyperlink_stays_as_text_with_its_url_shown() -> None:
    body = (
        '<w:p><w:hyperlink r:id="rId91">'
        + run("Cổng thông tin")
        + "</w:hyperlink>"
        + run(" của tỉnh.")
        + "</w:p>"
    )
    data = edit(
        base_docx(), body=body, rels=(("rId91", LINK_REL, "https://tinh.gov.vn/bao-cao", True),)
    )
    item = intake(data)
    assert "Cổng thông tin (https://tinh.gov.vn/bao-cao) của tỉnh." in text_of(item.docx or b"")
    assert b'TargetMode="External"' not in everything(item.docx or b"")
    assert item.params == ()  # an ordinary link is kept as text, nothing to report


def test_hyperlink_to_a_server_file_keeps_its_text_and_loses_the_link() -> None:
    body = '<w:p><w:hyperlink r:id="rId92">' + run("Phụ lục") + "</w:hyperlink></w:p>"
    data = edit(base_docx(), body=body, rels=(("rId92", LINK_REL, "file:///etc/passwd", True),))
    item = intake(data)
    assert b"/etc/passwd" not in everything(item.docx or b"")
    assert "Phụ lục" in text_of(item.docx or b"")
    assert ("removed_external_links", "1") in item.params


# --- embedded objects ---------------------------------------------------------------------


def ole_object(prog_id: str) -> str:
    return (
        "<w:p><w:r><w:object w:dxaOrig='1440' w:dyaOrig='1440'>"
        "<v:shape id='_x0000_i1025' type='#_x0000_t75' style='width:72pt;height:72pt' "
        "o:ole=''><v:imagedata r:id='rId80' o:title=''/></v:shape>"
        f"<o:OLEObject Type='Embed' ProgID='{prog_id}' ShapeID='_x0000_i1025' "
        "DrawAspect='Icon' ObjectID='_1' r:id='rId81'/>"
        "</w:object></w:r></w:p>"
    )


def test_ole_package_holding_an_exe_becomes_its_preview_picture() -> None:
    exe = b"MZ\x90\x00" + b"This program cannot be run in DOS mode." + os.urandom(64)
    data = edit(
        base_docx(),
        body=ole_object("Package"),
        rels=(
            ("rId80", IMAGE_REL, "media/preview.png", False),
            ("rId81", OLE_REL, "embeddings/oleObject1.bin", False),
            ("rId82", PACKAGE_REL, "embeddings/setup.exe", False),
        ),
        parts={
            "word/media/preview.png": tiny_png(),
            "word/embeddings/oleObject1.bin": exe,
            "word/embeddings/setup.exe": exe,
        },
        types=(
            '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument'
            '.oleObject"/>',
            '<Default Extension="png" ContentType="image/png"/>',
        ),
    )
    item = intake(data)
    parts = package(item.docx or b"")
    assert not [n for n in parts if n.startswith("word/embeddings/")]
    assert not any(b"This program cannot be run" in v for v in parts.values())
    xml = parts["word/document.xml"] + parts["word/_rels/document.xml.rels"]
    assert b"OLEObject" not in xml and b"oleObject" not in xml and b"w:object" not in xml
    assert b"v:imagedata" in parts["word/document.xml"]  # the preview stays
    assert "word/media/preview.png" in parts
    assert docx.Document(io.BytesIO(item.docx or b"")).paragraphs[1].text == BODY
    assert ("removed_ole_objects", "1") in item.params
    assert item.data == data  # the archive keeps the original


def macro_docm() -> bytes:
    inner = base_docx("Văn bản nhúng")
    return edit(inner, parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake vba"})


def test_embedded_document_with_a_macro_project_is_refused() -> None:
    data = edit(
        base_docx(),
        body=ole_object("Word.Document.12"),
        rels=(
            ("rId80", IMAGE_REL, "media/preview.png", False),
            ("rId81", PACKAGE_REL, "embeddings/Microsoft_Word_Document.docx", False),
        ),
        parts={
            "word/media/preview.png": tiny_png(),
            # named .docx on purpose: the content, not the name, gives it away
            "word/embeddings/Microsoft_Word_Document.docx": macro_docm(),
        },
    )
    item = intake(data)
    assert item.status == unpack.QUARANTINED
    assert item.reason == "intake.unpack.macros"
    assert "vbaProject.bin" in dict(item.params)["where"]
    assert item.docx is None


def ole_file_with_storage(name: str) -> bytes:
    """The smallest OLE compound file holding one (empty) storage, e.g. Word's "Macros"."""
    end, free, fatsect, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    fat = struct.pack("<II", fatsect, end) + struct.pack("<I", free) * 126

    def entry(label: str, kind: int, child: int = none, start: int = end) -> bytes:
        raw = label.encode("utf-16-le") + b"\x00\x00"
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw) if label else 0, kind, 1)
            + struct.pack("<III", none, none, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, 0)
        )

    directory = entry("Root Entry", 5, child=1) + entry(name, 1, start=0) + entry("", 0) * 2
    return header + fat + directory


def test_embedded_ole_object_with_a_macro_storage_is_refused() -> None:
    data = edit(
        base_docx(),
        body=ole_object("Word.Document.8"),
        rels=(
            ("rId80", IMAGE_REL, "media/preview.png", False),
            ("rId81", OLE_REL, "embeddings/oleObject1.bin", False),
        ),
        parts={
            "word/media/preview.png": tiny_png(),
            "word/embeddings/oleObject1.bin": ole_file_with_storage("Macros"),
        },
    )
    item = intake(data)
    assert (item.status, item.reason) == (unpack.QUARANTINED, "intake.unpack.macros")
    assert "Macros" in dict(item.params)["where"]


def test_embedded_docm_is_refused_by_its_kind() -> None:
    data = edit(
        base_docx(),
        rels=(("rId81", PACKAGE_REL, "embeddings/Tai_lieu.docm", False),),
        parts={"word/embeddings/Tai_lieu.docm": macro_docm()},
    )
    item = intake(data)
    assert (item.status, item.reason) == (unpack.QUARANTINED, "intake.unpack.macros")


# --- altChunk -----------------------------------------------------------------------------


def test_altchunk_html_becomes_ordinary_paragraphs_without_its_script() -> None:
    html = (
        "<html><head><title>t</title><script>alert('mở cửa')</script></head><body>"
        "<p>Báo cáo phần chèn: 7 cuộc họp.</p>"
        "<p style='display:none'>Nội dung ẩn &amp; bí mật</p>"
        "<script>document.write('x')</script></body></html>"
    ).encode()
    data = edit(
        base_docx(),
        body='<w:altChunk r:id="rId70"/>',
        rels=(("rId70", CHUNK_REL, "chunk.html", False),),
        parts={"word/chunk.html": html},
        types=('<Override PartName="/word/chunk.html" ContentType="text/html"/>',),
    )
    item = intake(data)
    parts = package(item.docx or b"")
    assert "word/chunk.html" not in parts
    xml = everything(item.docx or b"")
    assert b"altChunk" not in xml and b"aFChunk" not in xml and b"chunk.html" not in xml
    assert not any(b"alert" in v or b"document.write" in v for v in parts.values())
    paragraphs = [p.text for p in docx.Document(io.BytesIO(item.docx or b"")).paragraphs]
    assert "Báo cáo phần chèn: 7 cuộc họp." in paragraphs
    assert "Nội dung ẩn & bí mật" in paragraphs  # hidden in Word, now read and reviewed
    assert ("removed_altchunks", "1") in item.params


def test_altchunk_of_an_unreadable_kind_becomes_a_placeholder() -> None:
    data = edit(
        base_docx(),
        body='<w:altChunk r:id="rId70"/>',
        rels=(("rId70", CHUNK_REL, "chunk.rtf", False),),
        parts={"word/chunk.rtf": b"{\\rtf1 {\\field{\\*\\fldinst DDEAUTO cmd}}}"},
        types=('<Override PartName="/word/chunk.rtf" ContentType="application/rtf"/>',),
    )
    item = intake(data)
    assert "word/chunk.rtf" not in package(item.docx or b"")
    assert "altChunk" in text_of(item.docx or b"")  # the visible note says what went


# --- linked pictures and templates ------------------------------------------------------


def test_picture_linked_by_http_becomes_a_placeholder() -> None:
    data = edit(
        base_docx(),
        body=blip_picture('r:embed="rId60"'),
        rels=(("rId60", IMAGE_REL, "http://127.0.0.1:9/theo-doi.png", True),),
    )
    item = intake(data)
    assert b"127.0.0.1" not in everything(item.docx or b"")
    assert "[ảnh liên kết ngoài — đã bỏ]" in text_of(item.docx or b"")
    assert BODY in text_of(item.docx or b"")
    assert ("removed_external_pictures", "1") in item.params


def test_picture_linked_by_file_url_becomes_a_placeholder() -> None:
    data = edit(
        base_docx(),
        body=blip_picture('r:link="rId61"'),
        rels=(("rId61", IMAGE_REL, "file:///etc/hostname", True),),
    )
    item = intake(data)
    xml = everything(item.docx or b"")
    assert b"file:" not in xml and b"/etc/hostname" not in xml
    assert ("removed_external_pictures", "1") in item.params


def test_vml_picture_linked_outside_becomes_a_placeholder() -> None:
    body = (
        "<w:p><w:r><w:pict><v:shape id='s1' style='width:50pt;height:50pt'>"
        "<v:imagedata r:id='rId62' o:href='file:///C:/Windows/win.ini'/></v:shape>"
        "</w:pict></w:r></w:p>"
    )
    data = edit(
        base_docx(), body=body, rels=(("rId62", IMAGE_REL, "\\\\10.0.0.9\\share\\a.png", True),)
    )
    item = intake(data)
    xml = everything(item.docx or b"")
    assert b"win.ini" not in xml and b"10.0.0.9" not in xml and b"v:imagedata" not in xml
    assert "[ảnh liên kết ngoài — đã bỏ]" in text_of(item.docx or b"")
    assert ("removed_external_pictures", "1") in item.params


def test_remote_attached_template_is_removed() -> None:
    data = edit(
        base_docx(),
        settings='<w:attachedTemplate r:id="rId1"/>',
        settings_rels=(("rId1", TEMPLATE_REL, "http://127.0.0.1:9/mau.dotm", True),),
    )
    item = intake(data)
    xml = everything(item.docx or b"")
    assert b"attachedTemplate" not in xml and b"127.0.0.1" not in xml
    assert ("removed_templates", "1") in item.params
    assert BODY in text_of(item.docx or b"")


def test_linked_subdocument_becomes_a_placeholder() -> None:
    subdoc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/subDocument"
    data = edit(
        base_docx(),
        body='<w:p><w:subDoc r:id="rId63"/></w:p>',
        rels=(("rId63", subdoc, "file:///\\\\10.0.0.9\\share\\phu-luc.docx", True),),
    )
    item = intake(data)
    xml = everything(item.docx or b"")
    assert b"subDoc" not in xml and b"10.0.0.9" not in xml
    assert "[tài liệu con liên kết ngoài — đã bỏ]" in text_of(item.docx or b"")
    assert ("removed_subdocuments", "1") in item.params


def test_a_part_declared_as_a_macro_project_is_refused_whatever_its_name() -> None:
    data = edit(
        base_docx(),
        parts={"word/du-lieu.bin": b"\xd0\xcf\x11\xe0 vba"},
        types=(
            '<Override PartName="/word/du-lieu.bin" '
            'ContentType="application/vnd.ms-office.vbaProject"/>',
        ),
    )
    item = intake(data)
    assert (item.status, item.reason) == (unpack.QUARANTINED, "intake.unpack.macros")


def test_a_clean_document_is_kept_byte_for_byte() -> None:
    data = base_docx()
    item = intake(data)
    assert (item.status, item.docx, item.params) == (unpack.OK, data, ())


# --- bounds -------------------------------------------------------------------------------


def test_an_oversized_xml_part_is_quarantined_before_it_is_inflated() -> None:
    filler = "".join(f"<w:p>{run(os.urandom(24).hex())}</w:p>" for _ in range(40_000))
    data = edit(base_docx(), body=filler)  # ≈ 3.5 MB of document.xml, ratio ≈ 2
    item = intake(data, xml_max_part_bytes=1024 * 1024)
    assert (item.status, item.reason) == (unpack.QUARANTINED, "intake.unpack.xml_too_large")
    assert dict(item.params)["part"] == "word/document.xml"
    assert dict(item.params)["limit"] == str(1024 * 1024)


def test_too_many_xml_elements_are_quarantined() -> None:
    data = edit(base_docx(), body=run("x").join(["<w:p>", "</w:p>"]) * 5_000)
    item = intake(data, xml_max_elements=10_000)
    assert (item.status, item.reason) == (unpack.QUARANTINED, "intake.unpack.xml_elements")
    assert dict(item.params)["limit"] == "10000"


def test_a_hundred_thousand_tiny_paragraphs_are_taken_in() -> None:
    body = "".join(f"<w:p><w:r><w:t>{i}.</w:t></w:r></w:p>" for i in range(100_000))
    data = edit(base_docx(), body=body)
    item = intake(data)
    assert item.status == unpack.OK and item.docx == data


def oversized_jpeg() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (2000, 1500), (200, 30, 30))
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


def picture_doc(name: str, content: bytes) -> bytes:
    return edit(
        base_docx(),
        body=blip_picture('r:embed="rId50"'),
        rels=(("rId50", IMAGE_REL, f"media/{name}", False),),
        parts={f"word/media/{name}": content},
        types=(
            '<Default Extension="png" ContentType="image/png"/>',
            '<Default Extension="jpg" ContentType="image/jpeg"/>',
        ),
    )


def test_an_oversized_jpeg_is_downscaled_for_the_draft() -> None:
    data = picture_doc("anh.jpg", oversized_jpeg())
    item = intake(data, picture_max_pixels=1_000_000)
    smaller = package(item.docx or b"")["word/media/anh.jpg"]
    width, height = sanitize.picture_size(smaller) or (0, 0)
    assert 0 < width * height <= 1_000_000
    assert ("removed_pictures_downscaled", "1") in item.params
    assert item.data == data


def test_an_oversized_png_becomes_a_placeholder() -> None:
    data = picture_doc("anh.png", tiny_png(30_000, 30_000))
    item = intake(data)  # the default bound: 30,000 × 30,000 is far above it
    parts = package(item.docx or b"")
    assert "word/media/anh.png" not in parts
    assert "[ảnh quá lớn — đã bỏ, bản gốc vẫn lưu]" in text_of(item.docx or b"")
    assert ("removed_big_pictures", "1") in item.params
    assert item.data == data


def test_picture_size_is_read_from_png_gif_and_jpeg_headers() -> None:
    assert sanitize.picture_size(tiny_png(31, 17)) == (31, 17)
    assert sanitize.picture_size(b"GIF89a" + struct.pack("<HH", 640, 480) + b"\x00") == (640, 480)
    assert sanitize.picture_size(oversized_jpeg()) == (2000, 1500)


# --- recorded and told ----------------------------------------------------------------------


def test_import_archives_the_original_and_stores_the_sanitised_form_with_what_went(
    tmp_path: Path,
) -> None:
    port = free_port()
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        MailEnv("embedded", "127.0.0.1", port, port).config_text(), encoding="utf-8"
    )
    data = edit(
        base_docx(),
        body=complex_field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"', run("!")),
    )
    report = tmp_path / "bao-cao.docx"
    report.write_bytes(data)
    args = ["--config", str(config_path), "import", "--campaign", "2023-h1"]
    result = CliRunner().invoke(cli, [*args, "--department", "KHTC", str(report)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(config_path.parent / "state.sqlite")
    try:
        archive_path, docx_path = conn.execute(
            "SELECT archive_path, docx_path FROM documents"
        ).fetchone()
        (detail,) = conn.execute("SELECT detail FROM mails").fetchone()
    finally:
        conn.close()
    archive = Archive(config_path.parent / "archive")
    assert archive.read(archive_path) == data  # the original, untouched
    stored = archive.read(docx_path)
    assert b"DDEAUTO" not in package(stored)["word/document.xml"]
    assert BODY in text_of(stored)
    [doc] = json.loads(detail)["documents"]
    assert doc["params"]["removed_dde"] == "1"


def test_the_receipt_tells_the_department_what_was_removed() -> None:
    campaign = Campaign("c", "Báo cáo 6 tháng", "", "", date(2023, 7, 15), "2023-H1")
    detail = {
        "documents": [
            {"ordinal": 1, "params": {"removed_dde": "1", "removed_fields": "3"}},
            {"ordinal": 2, "params": {"removed_external_pictures": "2"}},
        ]
    }
    mail = {"subject": "Báo cáo", "detail": json.dumps(detail)}
    _, body = receipt_text(Outline("T", ()), "Phòng KHTC", campaign, mail, (), (), 0, "vi")
    assert "mailflow đã bỏ nội dung hoạt động" in body
    assert "  • trường DDE (có thể chạy chương trình): 1" in body
    assert "  • ảnh liên kết ngoài: 2" in body
    assert "thay bằng kết quả" not in body  # page numbers and the like are not news


def test_the_receipt_says_nothing_when_nothing_was_removed() -> None:
    campaign = Campaign("c", "Báo cáo 6 tháng", "", "", date(2023, 7, 15), "2023-H1")
    mail = {"subject": "Báo cáo", "detail": json.dumps({"documents": []})}
    _, body = receipt_text(Outline("T", ()), "Phòng KHTC", campaign, mail, (), (), 0, "vi")
    assert "nội dung hoạt động" not in body


# --- each document checked once (issue 15) -------------------------------------------------


def _padding(n: int) -> str:
    return "".join(f"<w:p>{run(f'Đoạn đệm số {i} của báo cáo.')}</w:p>" for i in range(n))


def test_a_field_in_a_large_part_is_removed_after_a_clean_part_of_the_same_size() -> None:
    # the facts of large parts are remembered by content: a clean part seen first must not
    # let a same-name, same-size part with a DDE field through unsanitised
    dde = (
        '<w:p><w:fldSimple w:instr=" DDE Excel C:\\\\a.xlsx R1C1 ">'
        + run("9")
        + "</w:fldSimple></w:p>"
    )
    clean = dde.replace("fldSimple", "fldSimplX")
    first = intake(edit(base_docx(), body=_padding(600) + clean))
    assert first.status == unpack.OK and dict(first.params) == {}
    data = edit(base_docx(), body=_padding(600) + dde)
    assert len(package(data)["word/document.xml"]) > 16 * 1024
    second = intake(data)
    assert second.status == unpack.OK and ("removed_dde", "1") in second.params
    assert b"fldSimple" not in package(second.docx or b"")["word/document.xml"]


def _elements(data: bytes) -> int:
    from lxml import etree

    total = 0
    for name, part in package(data).items():
        if name.lower().endswith((".xml", ".rels", ".vml")):
            total += sum(1 for _ in etree.iterparse(io.BytesIO(part), events=("start",)))
    return total


def test_the_element_budget_is_exact_when_the_quick_bound_exceeds_it() -> None:
    data = edit(base_docx(), body=_padding(300))
    exact = _elements(data)
    assert sum(p.count(b"<") for p in package(data).values()) > exact  # the quick bound
    taken = intake(data, xml_max_elements=exact)
    assert taken.status == unpack.OK and taken.docx == data
    refused = intake(data, xml_max_elements=exact - 1)
    assert (refused.status, refused.reason) == (unpack.QUARANTINED, "intake.unpack.xml_elements")


def _cold(data: bytes) -> unpack.Extracted:
    """The document read with no memory of parts seen before."""
    unpack._FACTS.clear()
    unpack._PARTS.clear()
    return intake(data)


def test_a_template_part_met_again_reads_as_when_it_was_first_inflated() -> None:
    first, second = base_docx("Báo cáo thứ nhất."), base_docx("Báo cáo thứ hai.")
    styles = package(second)["word/styles.xml"]
    assert len(styles) > 16 * 1024 and styles == package(first)["word/styles.xml"]
    cold = _cold(second)
    intake(first)  # its styles part is now remembered
    warm = intake(second)
    assert (warm.status, warm.reason, warm.params) == (cold.status, cold.reason, cold.params)
    assert warm.docx == cold.docx == second


def test_a_seen_part_under_a_local_name_that_differs_is_still_refused() -> None:
    data = base_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        offset = zf.getinfo("word/styles.xml").header_offset
    start = offset + 30
    assert data[start : start + len("word/styles.xml")] == b"word/styles.xml"
    forged = data[:start] + b"word/styleS.xml" + data[start + len(b"word/styles.xml") :]
    cold = _cold(forged)
    assert (cold.status, cold.reason) == (unpack.QUARANTINED, "intake.unpack.damaged")
    intake(data)  # the genuine styles part is now remembered
    warm = intake(forged)
    assert (warm.status, warm.reason) == (unpack.QUARANTINED, "intake.unpack.damaged")


def test_comments_in_a_report_are_counted_and_named_for_the_appendix() -> None:
    """A reviewer's comments are not report text and the draft does not carry them: the
    document says how many there were, so the appendix and the receipt can say so."""
    d = docx.Document()
    d.add_paragraph(INTRO)
    body = d.add_paragraph(BODY)
    d.add_comment(body.runs, text="Số liệu sẽ cập nhật sau.", author="QLKH")
    d.add_comment(body.runs, text="Kiểm tra lại.", author="QLKH")
    out = io.BytesIO()
    d.save(out)
    item = intake(out.getvalue())
    assert ("removed_comments", "2") in item.params
    assert BODY in text_of(item.docx or b"")
    lines = sanitize.removed_lines({"documents": [{"params": dict(item.params)}]}, "en")
    assert lines == [
        "  • comments in the document, not carried into the draft (the original keeps them): 2"
    ]
