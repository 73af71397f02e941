"""Documents typed in legacy 8-bit Vietnamese fonts (TCVN3/ABC ".VnTime", VNI "VNI-Times"):
Word stores their text as Latin-1/cp1252 letters that only look Vietnamese where the font
is installed. At intake such runs are read as the Vietnamese they are: the docx form holds
Unicode text in a Unicode font, matching sees it like any other reply, and the document
records that it was converted. Runs in any other font are left alone, whatever characters
they hold.

The documents are real: python-docx builds them (every run of a reply re-typed in the
legacy font), the intake reads them from a real mail, python-docx opens the result; one
goes through LibreOffice (.doc in, text out)."""

from __future__ import annotations

import functools
import io
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from fixtures.match.evaluate import SYNONYMS, seed_outline
from fixtures.match.replies import QLKH_VERBATIM, Reply, build_docx
from formats_support import Offline, draft_text, message

from mailflow.adapters import legacy_fonts
from mailflow.adapters.docx_read import read_docx
from mailflow.adapters.mail_parse import parse
from mailflow.adapters.pdf import find_soffice
from mailflow.adapters.unpack import extract
from mailflow.core.legacy_fonts import TCVN3, VNI, Legacy, decode, decode_runs, legacy_font
from mailflow.core.match import decide_placements
from mailflow.core.segment import split, title_lines
from mailflow.i18n import t
from mailflow.services.intake import reason_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
needs_recode = pytest.mark.skipif(shutil.which("recode") is None, reason="recode not installed")

# Typed by hand the way a TCVN3 keyboard driver writes them (the brief's sample, checked
# with `iconv -f TCVN5712-1`), and the same words in VNI-Windows.
TCVN3_SAMPLE = "B¸o c¸o kÕt qu¶ thùc hiÖn nhiÖm vô n¨m 2023. §¬n vÞ"
VNI_SAMPLE = "Baùo caùo keát quaû thöïc hieän nhieäm vuï naêm 2023. Ñôn vò"
UNICODE_SAMPLE = "Báo cáo kết quả thực hiện nhiệm vụ năm 2023. Đơn vị"
# The capitals TCVN3 has codes for; any other capital with a tone mark is typed with the
# lowercase code (a ".VnXxxH" font shows it as a capital) or, by some drivers, as the
# base letter followed by one of TCVN3's five combining tone marks.
TCVN3_CAPITALS = "ĂÂÊÔƠƯĐ"


@functools.cache
def _tcvn3_code(ch: str) -> str:
    """``ch`` as a TCVN3 driver types it, as the cp1252 letters Word stores (glibc iconv)."""
    if ch.isascii():
        return ch
    if ch.isupper() and ch not in TCVN3_CAPITALS:
        return _tcvn3_code(ch.lower())
    done = subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=ch.encode(), capture_output=True
    )
    assert done.returncode == 0 and len(done.stdout) == 1, (ch, done)
    return done.stdout.decode("cp1252", errors="strict") if done.stdout[0] >= 0xA0 else ch


def tcvn3(text: str) -> str:
    return "".join(_tcvn3_code(c) for c in unicodedata.normalize("NFC", text))


def vni(text: str) -> str:
    """``text`` in VNI-Windows, as Word stores it (GNU recode writes the VNI bytes)."""
    done = subprocess.run(
        ["recode", "UTF-8..VNI"], input=text.encode(), capture_output=True, check=True
    )
    return done.stdout.decode("cp1252")


def retyped(data: bytes, font: str, encode, *, headings_font: str | None = None) -> bytes:  # type: ignore[no-untyped-def]
    """The document ``data`` re-typed in a legacy font: every run's text re-encoded and its
    font set (ascii/hAnsi/cs) on the run; heading paragraphs in ``headings_font`` (a
    capitals-only ".VnXxxH" font: their text typed with lowercase codes)."""
    document = docx.Document(io.BytesIO(data))
    for paragraph in _all_paragraphs(document):
        heading = paragraph.style.name.startswith("Heading") or any(r.bold for r in paragraph.runs)
        for run in paragraph.runs:
            if headings_font and heading:
                run.text = encode(run.text.lower())
                _font(run, headings_font)
            else:
                run.text = encode(run.text)
                _font(run, font)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _font(run, name: str) -> None:  # type: ignore[no-untyped-def]
    rfonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), name)


def _all_paragraphs(document):  # type: ignore[no-untyped-def]
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def form_of(data: bytes, name: str = "Bao cao.docx", ctype: str = DOCX, **kw):  # type: ignore[no-untyped-def]
    """The intake's item for ``data`` sent as an attachment of a department's mail."""
    msg = parse(message("qlkh", "Gửi báo cáo.", [(name, data, ctype)])).message
    [item] = [i for i in extract(msg, **kw) if i.name == name]
    return item


def texts(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in _all_paragraphs(document) if p.text.strip()]


def run_fonts(data: bytes) -> set[str]:
    """Every font named on a run or in a style of the document."""
    document = docx.Document(io.BytesIO(data))
    names = set()
    for el in document.element.body.iter(qn("w:rFonts")):
        names.update(v for k, v in el.attrib.items() if not k.endswith("Theme"))
    for el in document.styles.element.iter(qn("w:rFonts")):
        names.update(v for k, v in el.attrib.items() if not k.endswith("Theme"))
    return names


@pytest.fixture(scope="module")
def outline():  # type: ignore[no-untyped-def]
    return seed_outline()


def placements(data: bytes, reply: Reply, outline) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    blocks = read_docx(data)
    seg = split(blocks, title_lines([s.title for s in outline.sections]))
    placed = decide_placements(seg.parts, outline, reply.department, SYNONYMS)
    return [(p.status.value, p.section_key, p.part) for p in placed]


# ------------------------------------------------------------------ the probes (intake)


@pytest.mark.parametrize("headings_font", [None, ".VnTimeH"], ids=["vntime", "vntimeh-headings"])
def test_a_tcvn3_reply_is_placed_like_its_unicode_twin(outline, headings_font) -> None:  # type: ignore[no-untyped-def]
    unicode_form = form_of(build_docx(QLKH_VERBATIM)).docx
    legacy = retyped(build_docx(QLKH_VERBATIM), ".VnTime", tcvn3, headings_font=headings_font)
    legacy_form = form_of(legacy).docx
    twin = placements(unicode_form, QLKH_VERBATIM, outline)
    assert [p[0] for p in twin].count("auto") >= 5  # the twin itself is placed
    assert placements(legacy_form, QLKH_VERBATIM, outline) == twin


def test_a_tcvn3_reply_reads_as_unicode_in_a_unicode_font() -> None:
    item = form_of(retyped(build_docx(QLKH_VERBATIM), ".VnTime", tcvn3))
    lines = texts(item.docx)
    assert "2.2. Những hạn chế, khuyết điểm" in lines
    assert any(line.startswith("Trong 6 tháng đầu năm 2023, Phòng đã tham mưu") for line in lines)
    assert not any(name.startswith(".Vn") for name in run_fonts(item.docx))


def test_a_converted_document_says_so_in_its_params() -> None:
    item = form_of(retyped(build_docx(QLKH_VERBATIM), ".VnTime", tcvn3))
    params = dict(item.params)
    assert params.get("legacy_encoding") == "TCVN3"
    assert int(params["legacy_runs"]) >= 20


def test_a_vntimeh_heading_becomes_capitals() -> None:
    document = docx.Document()
    heading = document.add_paragraph()
    _font(heading.add_run(tcvn3("i. kết quả thực hiện nhiệm vụ năm 2023")), ".VnTimeH")
    body = document.add_paragraph()
    _font(body.add_run(tcvn3("Đơn vị đã hoàn thành các nhiệm vụ được giao.")), ".VnTime")
    out = io.BytesIO()
    document.save(out)
    lines = texts(form_of(out.getvalue()).docx)
    assert lines == [
        "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2023",
        "Đơn vị đã hoàn thành các nhiệm vụ được giao.",
    ]


def test_tcvn3_combining_tone_marks_join_their_capital() -> None:
    document = docx.Document()
    # "ỨNG DỤNG" typed with base capitals and TCVN3's combining acute (0xB3) / dot (0xB4).
    run = document.add_paragraph().add_run("¦\u00b3NG D" + "U\u00b4NG " + tcvn3("ứng dụng"))
    _font(run, ".VnArial")
    out = io.BytesIO()
    document.save(out)
    assert texts(form_of(out.getvalue()).docx) == ["ỨNG DỤNG ứng dụng"]


@needs_recode
def test_a_vni_reply_is_placed_like_its_unicode_twin(outline) -> None:  # type: ignore[no-untyped-def]
    unicode_form = form_of(build_docx(QLKH_VERBATIM)).docx
    item = form_of(retyped(build_docx(QLKH_VERBATIM), "VNI-Times", vni))
    assert "2.2. Những hạn chế, khuyết điểm" in texts(item.docx)
    assert dict(item.params).get("legacy_encoding") == "VNI"
    assert placements(item.docx, QLKH_VERBATIM, outline) == placements(
        unicode_form, QLKH_VERBATIM, outline
    )


def test_the_vni_sample_reads_as_its_words() -> None:
    document = docx.Document()
    _font(document.add_paragraph().add_run(VNI_SAMPLE), "VNI-Helve")
    _font(document.add_paragraph().add_run("ÑAÙNH GIAÙ CHUNG. ÖÙng duïng; kyõ thuaät"), "VNI-Times")
    out = io.BytesIO()
    document.save(out)
    assert texts(form_of(out.getvalue()).docx) == [
        UNICODE_SAMPLE,
        "ĐÁNH GIÁ CHUNG. Ứng dụng; kỹ thuật",
    ]


def test_a_mixed_paragraph_converts_only_its_legacy_runs() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    first = paragraph.add_run("Kết quả (µ¸ ® giữ nguyên): ")
    _font(first, "Times New Roman")
    _font(paragraph.add_run(TCVN3_SAMPLE), ".VnTime")
    out = io.BytesIO()
    document.save(out)
    item = form_of(out.getvalue())
    assert texts(item.docx) == ["Kết quả (µ¸ ® giữ nguyên): " + UNICODE_SAMPLE]
    assert dict(item.params).get("legacy_runs") == "1"


def test_a_latin_text_with_cedillas_is_not_converted() -> None:
    lines = [
        "La façade de l’hôtel ¸ été rénovée en 2023 ; coût : 12 000 €.",
        "Größe der Maßnahme: übermäßig — ¶ 3, µg/l, ® Marke.",
    ]
    document = docx.Document()
    for line in lines:
        _font(document.add_paragraph().add_run(line), "Times New Roman")
    out = io.BytesIO()
    document.save(out)
    item = form_of(out.getvalue())
    assert texts(item.docx) == lines
    assert "legacy_encoding" not in dict(item.params)


def test_a_legacy_font_from_the_normal_style_is_found() -> None:
    document = docx.Document()
    document.styles["Normal"].font.name = ".VnTime"
    document.add_paragraph(TCVN3_SAMPLE)
    out = io.BytesIO()
    document.save(out)
    assert texts(form_of(out.getvalue()).docx) == [UNICODE_SAMPLE]


def test_a_legacy_font_from_the_document_defaults_is_found() -> None:
    document = docx.Document()
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rfonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), ".VnCentury Schoolbook")
    document.add_paragraph(TCVN3_SAMPLE)
    out = io.BytesIO()
    document.save(out)
    assert texts(form_of(out.getvalue()).docx) == [UNICODE_SAMPLE]


def _soffice_convert(src: Path, target: str, folder: Path) -> Path:
    soffice = find_soffice()
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [
            str(soffice),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return next(p for p in folder.iterdir() if p.suffix == "." + target.split(":")[0])


@needs_soffice
def test_a_tcvn3_doc_is_converted_after_libreoffice_and_renders_as_unicode(
    tmp_path: Path,
) -> None:
    from mailflow.adapters.convert import LibreOffice

    src = tmp_path / "bao-cao.docx"
    src.write_bytes(retyped(build_docx(QLKH_VERBATIM), ".VnTime", tcvn3))
    doc = _soffice_convert(src, "doc:MS Word 97", tmp_path / "doc")
    with LibreOffice() as conv:
        item = form_of(doc.read_bytes(), "Bao cao.doc", "application/msword", converter=conv)
    assert dict(item.params).get("legacy_encoding") == "TCVN3"
    assert "2.2. Những hạn chế, khuyết điểm" in texts(item.docx)
    form = tmp_path / "form" / "form.docx"
    form.parent.mkdir()
    form.write_bytes(item.docx)
    text = _soffice_convert(form, "txt:Text (encoded):UTF8", tmp_path / "txt").read_text(
        encoding="utf-8-sig"
    )
    assert "Những hạn chế, khuyết điểm" in text and "B¸o" not in text


# ------------------------------------------------------------------ end to end (the draft)


def test_the_draft_holds_a_tcvn3_reply_as_unicode_text_in_a_unicode_font(tmp_path: Path) -> None:
    flow = Offline.make(tmp_path)
    legacy = retyped(build_docx(QLKH_VERBATIM), ".VnTime", tcvn3)
    flow.ingest_bytes(message("qlkh", "Gửi báo cáo.", [("Bao cao.docx", legacy, DOCX)]))
    [row] = [d for d in flow.documents() if d["name"] == "Bao cao.docx"]
    params = json.loads(row["reason_params"])
    assert params["legacy_encoding"] == "TCVN3"
    shown = reason_text(row["reason"], params)  # the sentence `mailflow review` shows
    assert "TCVN3" in shown and params["legacy_runs"] in shown
    draft = flow.draft_docx()
    text = draft_text(draft)
    assert "Những hạn chế, khuyết điểm" in text or "Một số nhiệm vụ chậm tiến độ" in text
    assert "chËm" not in text and "nhiÖm" not in text
    body = draft.element.body
    fonts = {v for el in body.iter(qn("w:rFonts")) for v in el.attrib.values()}
    assert not any(f.startswith(".Vn") for f in fonts), fonts


# ------------------------------------------------------------------ the decoding itself


def _reply_texts() -> list[str]:
    """Every sentence of the labelled replies: real report Vietnamese, ~3,000 words."""
    from fixtures.match.replies import REPLIES

    out = []
    for reply in REPLIES:
        for item in reply.items:
            for text in [getattr(item, "text", "")] + [
                c for row in getattr(item, "rows", ()) for c in row
            ]:
                if text.strip():
                    out.append(unicodedata.normalize("NFC", text))
    return out


def test_font_names_are_told_apart() -> None:
    assert legacy_font(".VnTime") == Legacy(TCVN3)
    assert legacy_font(".VnCentury Schoolbook") == Legacy(TCVN3)
    assert legacy_font(".VnTimeH") == Legacy(TCVN3, capitals=True)
    assert legacy_font(".VnArialH") == Legacy(TCVN3, capitals=True)
    assert legacy_font("VNI-Times") == Legacy(VNI)
    assert legacy_font("VNI-Helve") == Legacy(VNI)
    for other in ("Times New Roman", "VnTime", "Arial", "", None, ".", "VNI"):
        assert legacy_font(other) is None


def test_the_tcvn3_table_comes_from_iconv_without_the_vn1_only_capitals() -> None:
    table = legacy_fonts.tcvn3()
    assert decode(TCVN3_SAMPLE, Legacy(TCVN3), table) == UNICODE_SAMPLE
    # codes of VN1 that no TCVN3 font carries: curly quotes, dashes, Á… stay themselves
    kept = "“Chu y” – … Á Ä ÿ €"
    assert decode(kept, Legacy(TCVN3), table) == kept
    assert all(0xA0 <= ord(c) <= 0xFF for c in table)


def test_every_reply_sentence_survives_tcvn3_typing() -> None:
    """iconv writes each letter's TCVN3 code; capitals with a tone mark come back lower
    case, as a TCVN3 typist's do (a normal TCVN3 font has no code for them)."""
    table = legacy_fonts.tcvn3()
    for text in _reply_texts():
        expected = "".join(
            c.lower() if c.isupper() and c not in TCVN3_CAPITALS and not c.isascii() else c
            for c in text
        )
        assert decode(tcvn3(text), Legacy(TCVN3), table) == expected


@needs_recode
def test_every_reply_sentence_survives_vni_typing_as_recode_writes_it() -> None:
    """The VNI table (written from the published chart) against GNU recode's encoder on
    the labelled replies' sentences (recode writes curly quotes and dashes as ASCII, and
    swaps the capitals Ắ and Ằ: it writes "AÈ" for Ắ where the chart, and its own lower
    case "aé" for ắ, say "AÉ")."""
    plain = str.maketrans({"“": '"', "”": '"', "–": "-", "…": "...", "Ắ": "Ằ", "Ằ": "Ắ"})
    for text in _reply_texts():
        assert decode(vni(text), Legacy(VNI), {}) == text.translate(plain), text


def test_vni_capitals_with_breve_follow_the_chart() -> None:
    assert decode("TAÉT, AÈ; taét, aè", Legacy(VNI), {}) == "TẮT, Ằ; tắt, ằ"


def test_a_vni_letter_split_from_its_modifier_by_a_run_boundary_is_joined() -> None:
    vni_font = Legacy(VNI)
    assert decode_runs([("Ba", vni_font), ("ùo caù", vni_font), ("o", vni_font)], {}) == [
        "Bá",
        "o cá",
        "o",
    ]
    # a run in another font in between keeps the letters apart
    assert decode_runs([("Ba", vni_font), ("ù", None), ("o", vni_font)], {}) == ["Ba", "ù", "o"]


def test_vni_modifiers_after_a_consonant_or_a_space_stay_letters() -> None:
    assert decode("Caûm ôn: ù ñ", Legacy(VNI), {}) == "Cảm ơn: ù đ"


def test_a_capitals_font_upper_cases_only_its_own_run() -> None:
    table = legacy_fonts.tcvn3()
    assert decode_runs(
        [(tcvn3("phần thứ hai"), Legacy(TCVN3, capitals=True)), (" – ghi chú", None)], table
    ) == ["PHẦN THỨ HAI", " – ghi chú"]


def test_a_legacy_theme_font_is_found_and_replaced(tmp_path: Path) -> None:
    import zipfile

    document = docx.Document()  # its runs take the theme's minor font (docDefaults)
    document.add_paragraph(TCVN3_SAMPLE)
    src = io.BytesIO()
    document.save(src)
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/theme/theme1.xml":
                start = data.index(b"<a:minorFont>")
                head, tail = data[:start], data[start:]
                tail = tail.replace(b'typeface="Calibri"', b'typeface=".VnTime"', 1)
                tail = tail.replace(b'typeface="Cambria"', b'typeface=".VnTime"', 1)
                data = head + tail
            zout.writestr(info, data)
    item = form_of(out.getvalue())
    assert texts(item.docx) == [UNICODE_SAMPLE]
    with zipfile.ZipFile(io.BytesIO(item.docx)) as z:
        assert b".VnTime" not in z.read("word/theme/theme1.xml")


def test_a_document_without_legacy_fonts_comes_back_as_the_same_bytes() -> None:
    data = build_docx(QLKH_VERBATIM)
    assert legacy_fonts.to_unicode(data) == (data, ())


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_conversion_is_said_in_both_languages(lang: str) -> None:
    params = {"legacy_encoding": "VNI", "legacy_runs": "12"}
    shown = reason_text("intake.unpack.docx", params)
    note = t("intake.unpack.legacy_fonts", lang, encoding="VNI", runs="12")
    assert "VNI" in note and "12" in note
    assert shown.startswith(t("intake.unpack.docx"))


# ------------------------------------------------------------------ an HTML-only mail body


def _html_body_item(html: str):  # type: ignore[no-untyped-def]
    msg = parse(message("qlkh", None, html=html)).message
    [item] = [i for i in extract(msg) if i.name == "body.html"]
    return item


def test_an_html_body_typed_in_legacy_fonts_reads_as_unicode() -> None:
    """Outlook writes the font of what was typed as inline CSS, <font face> or a class
    rule of its <style> block; each legacy one is read as the Vietnamese it is."""
    html = (
        '<html><head><style>p.MsoNormal {font-family:".VnTime",serif;}</style></head><body>'
        f"<p class=MsoNormal>{TCVN3_SAMPLE}</p>"
        f"<p><span style=\"font-family:'.VnTimeH'\">{tcvn3('kết quả thực hiện')}</span></p>"
        f'<p><font face="VNI-Times">{VNI_SAMPLE}</font></p>'
        "<p style=\"font-family:'Times New Roman'\">La façade ¸ été rénovée.</p>"
        "</body></html>"
    )
    item = _html_body_item(html)
    assert texts(item.docx) == [
        UNICODE_SAMPLE,
        "KẾT QUẢ THỰC HIỆN",
        UNICODE_SAMPLE,
        "La façade ¸ été rénovée.",
    ]
    params = dict(item.params)
    assert params["legacy_encoding"] == "TCVN3, VNI" and params["legacy_runs"] == "3"


def test_an_html_body_without_legacy_fonts_is_left_alone() -> None:
    html = "<html><body><p>Façade ¸ µ ® — Kết quả thực hiện.</p></body></html>"
    item = _html_body_item(html)
    assert texts(item.docx) == ["Façade ¸ µ ® — Kết quả thực hiện."]
    assert "legacy_encoding" not in dict(item.params)


def test_no_legacy_font_name_is_left_in_the_story_or_numbering(tmp_path: Path) -> None:
    """Word also names the font on each paragraph mark (w:pPr/w:rPr) and on empty runs
    (a tab, a break); left there, the draft would still carry ".VnTime" on them."""
    import zipfile

    from docx.oxml import OxmlElement

    document = docx.Document()
    for text in (TCVN3_SAMPLE, ""):
        paragraph = document.add_paragraph()
        mark = OxmlElement("w:rPr")
        rfonts = OxmlElement("w:rFonts")
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), ".VnTime")
        mark.append(rfonts)
        paragraph._p.get_or_add_pPr().append(mark)
        _font(paragraph.add_run(text), ".VnTime")
        tab = paragraph.add_run()
        tab.add_tab()
        _font(tab, ".VnTime")
    out = io.BytesIO()
    document.save(out)
    item = form_of(out.getvalue())
    assert texts(item.docx) == [UNICODE_SAMPLE + "\t"]
    with zipfile.ZipFile(io.BytesIO(item.docx)) as z:
        assert b".Vn" not in z.read("word/document.xml")


def test_a_legacy_font_from_a_character_style_is_found() -> None:
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.styles.add_style("Chu cu", WD_STYLE_TYPE.CHARACTER).font.name = ".VnTimeH"
    paragraph = document.add_paragraph()
    paragraph.add_run(tcvn3("phần thứ hai. ")).style = "Chu cu"
    paragraph.add_run("Kết quả")
    out = io.BytesIO()
    document.save(out)
    assert texts(form_of(out.getvalue()).docx) == ["PHẦN THỨ HAI. Kết quả"]
