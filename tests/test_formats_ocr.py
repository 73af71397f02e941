"""Scanned reports: PDF pages with no text layer and photos of pages are read with
Tesseract (Vietnamese), marked as OCR; without Tesseract they are kept as "needs OCR"."""

from __future__ import annotations

import os
import shutil
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from formats_support import (
    Offline,
    docx_lines,
    draft_text,
    garbled_pdf,
    image_pdf,
    message,
    nfc,
    png,
    scanned_page,
)
from rapidfuzz.distance import Levenshtein

from mailflow.adapters import ocr
from mailflow.adapters.mail_parse import parse
from mailflow.adapters.pdf import garbled_share
from mailflow.adapters.unpack import extract

needs_ocr = pytest.mark.skipif(not ocr.status().ok, reason="tesseract-ocr-vie not installed")

PAGE = [
    "2.1. Những kết quả đạt được",
    "Trong 6 tháng đầu năm, Phòng đã kiểm tra 40 cơ sở kinh doanh xăng dầu, phát hiện 3 cơ "
    "sở vi phạm về đo lường và đã xử phạt hành chính theo quy định.",
    "2.2. Những hạn chế, khuyết điểm",
    "Nguồn lực còn hạn chế; công tác phối hợp giữa các đơn vị chưa thường xuyên.",
]


def _accuracy(reference: str, got: str) -> float:
    ref, out = " ".join(nfc(reference).split()), " ".join(nfc(got).split())
    return 1 - Levenshtein.distance(ref, out) / len(ref)


def _only(items, name):  # type: ignore[no-untyped-def]
    [item] = [i for i in items if i.name == name]
    return item


@needs_ocr
def test_a_scanned_pdf_page_turned_slightly_is_read_with_ocr_and_marked() -> None:
    data = image_pdf([scanned_page(PAGE, angle=1.5)])
    msg = parse(message("tdc", "Gửi bản quét.", [("scan.pdf", data, "application/pdf")])).message
    item = _only(extract(msg), "scan.pdf")
    params = dict(item.params)
    assert (item.status, item.reason) == ("ok", "intake.unpack.pdf_ocr")
    assert (params["ocr"], params["ocr_pages"]) == ("1", "1")
    assert _accuracy("\n".join(PAGE), "\n".join(docx_lines(item.docx))) >= 0.95


@needs_ocr
def test_a_photo_of_a_page_attached_as_png_is_read_with_ocr() -> None:
    data = png(scanned_page(PAGE, angle=-1.0, noise=0.01, dpi=200))
    msg = parse(message("tdc", "Ảnh chụp báo cáo.", [("IMG_0412.png", data, "image/png")])).message
    item = _only(extract(msg), "IMG_0412.png")
    assert (item.status, item.reason, dict(item.params)["ocr"]) == (
        "ok",
        "intake.unpack.image_ocr",
        "1",
    )
    assert _accuracy("\n".join(PAGE), item.text) >= 0.9


def test_a_small_picture_is_not_read_as_a_page() -> None:
    from PIL import Image

    logo = png(Image.new("L", (240, 90), 128))
    msg = parse(message("tdc", "Gửi báo cáo.", [("logo.png", logo, "image/png")])).message
    item = _only(extract(msg), "logo.png")
    assert (item.status, item.reason) == ("ignored", "intake.unpack.image_small")


def test_a_large_picture_shown_inline_by_cid_is_not_report_content() -> None:
    page = png(scanned_page(["Logo cơ quan"], dpi=100))
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "tdc@sokhcn.example", "baocao@sokhcn.example", "BC"
    msg.set_content("Gửi báo cáo.")
    msg.add_alternative('<p>Gửi báo cáo.</p><img src="cid:logo1@x">', subtype="html")
    html = msg.get_payload()[1]
    html.add_related(page, maintype="image", subtype="png", cid="<logo1@x>", filename="logo.png")
    item = _only(extract(parse(msg.as_bytes()).message), "logo.png")
    assert (item.status, item.reason) == ("ignored", "intake.unpack.inline_image")


@pytest.fixture
def no_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A PATH with poppler's tools but no tesseract, as on a machine without OCR."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("pdftotext", "pdfinfo", "pdftoppm", "soffice", "bwrap"):
        found = shutil.which(tool)
        if found:
            os.symlink(found, bin_dir / tool)
    monkeypatch.setenv("PATH", str(bin_dir))
    ocr.status.cache_clear()
    yield
    ocr.status.cache_clear()


def test_without_tesseract_a_scanned_pdf_is_kept_as_needs_ocr(no_tesseract: None) -> None:
    data = image_pdf([scanned_page(PAGE[:2], dpi=100)], dpi=100)
    msg = parse(message("tdc", "Gửi bản quét.", [("scan.pdf", data, "application/pdf")])).message
    item = _only(extract(msg), "scan.pdf")
    assert (item.status, item.reason) == ("needs-conversion", "intake.unpack.needs_ocr")
    assert "tesseract" in dict(item.params)["detail"]
    assert item.data == data


def test_without_tesseract_a_photo_of_a_page_is_kept_as_needs_ocr(no_tesseract: None) -> None:
    data = png(scanned_page(PAGE[:2], dpi=100))
    msg = parse(message("tdc", "Ảnh.", [("anh.png", data, "image/png")])).message
    item = _only(extract(msg), "anh.png")
    assert (item.status, item.reason) == ("needs-conversion", "intake.unpack.needs_ocr")


@needs_ocr
def test_a_scanned_report_places_its_sections_and_reaches_the_draft(tmp_path: Path) -> None:
    flow = Offline.make(tmp_path)
    data = image_pdf([scanned_page(PAGE, angle=1.0, noise=0.005)])
    flow.ingest_bytes(message("tdc", "Gửi bản quét.", [("BC ky.pdf", data, "application/pdf")]))
    [doc] = [d for d in flow.documents() if d["name"] == "BC ky.pdf"]
    assert doc["reason"] == "intake.unpack.pdf_ocr"
    live = [r for r in flow.current("TDC") if r["status"] in ("auto", "reviewed")]
    assert [r["section_key"] for r in live] == ["1.2.2.1", "1.2.2.2"]
    text = draft_text(flow.draft_docx())
    assert "40 cơ sở kinh doanh xăng dầu" in text


# --- a text layer of garbage ------------------------------------------------------------------


def test_a_text_layer_without_a_unicode_map_is_told_from_vietnamese_text() -> None:
    import unicodedata

    text = "\n".join(PAGE) + " “đạt” 12,5% – 1.234.567 đồng • §3"
    assert garbled_share(text) == 0.0
    assert garbled_share(unicodedata.normalize("NFD", text)) == 0.0  # marks apart
    for junk in ("┥" * 40, "\ue001\ue0a2" * 20, "\ufffd" * 30, "\x03\x11" * 20):
        assert garbled_share(junk + " kết quả") >= 0.3


@needs_ocr
def test_a_pdf_whose_text_layer_is_garbage_is_read_with_ocr() -> None:
    codes = bytes(range(3, 83))  # glyph codes with no Unicode behind them
    data = garbled_pdf(scanned_page(PAGE), codes)
    msg = parse(message("tdc", "Bản quét.", [("BC.pdf", data, "application/pdf")])).message
    item = _only(extract(msg), "BC.pdf")
    assert (item.status, item.reason) == ("ok", "intake.unpack.pdf_ocr")
    assert dict(item.params)["garbled_pages"] == "1"
    assert _accuracy("\n".join(PAGE), "\n".join(docx_lines(item.docx))) > 0.9
