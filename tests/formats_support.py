"""Shared by the tests/test_formats_*.py files: an offline campaign (mail in by
`mailflow ingest` from .eml files built in the test, draft by `mailflow assemble`), and
the documents those tests send (LibreOffice PDFs, scans rendered with Pillow)."""

from __future__ import annotations

import io
import random
import unicodedata
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

import docx
from fixtures.e2e.flow import CAMPAIGN, Flow

from mailenv import MailEnv

SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"
DOMAIN = "sokhcn.example"
FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
)


class Offline(Flow):
    """A Flow whose mails arrive by `mailflow ingest` instead of SMTP + poll."""

    @classmethod
    def make(cls, folder: Path) -> Offline:
        env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
        path = folder / "config.toml"
        path.write_text(env.config_text(deadline="2031-07-21"), encoding="utf-8")
        return cls(env, path)

    def ingest_bytes(self, data: bytes) -> int:
        folder = self.config_path.parent / "saved"
        folder.mkdir(exist_ok=True)
        path = folder / f"{len(list(folder.iterdir())):03d}.eml"
        path.write_bytes(data)
        self.run("ingest", str(path))
        self.match()
        return int(self.query("SELECT MAX(id) AS id FROM mails")[0]["id"])

    def draft_docx(self) -> docx.document.Document:
        out = self.config_path.parent / "draft.docx"
        self.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out))
        return docx.Document(str(out))

    def documents(self) -> list[dict[str, object]]:
        return self.query("SELECT * FROM documents ORDER BY id")


def message(
    local: str,
    text: str | None,
    files: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    *,
    html: str | None = None,
    subject: str = SUBJECT,
) -> bytes:
    """A department's mail: a text body, or an HTML-only body, and attachments."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"{local}@{DOMAIN}"
    msg["To"] = f"baocao@{DOMAIN}"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=DOMAIN)
    if html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text or "")
    for name, data, ctype in files:
        main, _, sub = ctype.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_bytes()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def draft_text(document: docx.document.Document) -> str:
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(c.text for c in row.cells)
    return "\n".join(lines)


def docx_lines(data: bytes) -> list[str]:
    d = docx.Document(io.BytesIO(data))
    return [p.text for p in d.paragraphs if p.text.strip()]


def plain_docx(lines: list[str], font: str | None = None) -> bytes:
    d = docx.Document()
    if font:
        d.styles["Normal"].font.name = font
    for line in lines:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def scanned_page(
    lines: list[str], *, angle: float = 0.0, noise: float = 0.0, seed: int = 0, dpi: int = 300
):  # type: ignore[no-untyped-def]
    """An A4 page with ``lines`` printed on it, as a scanner would give it: a Pillow image
    (grey), turned by ``angle`` degrees, with ``noise`` (share of pixels flipped)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(next(f for f in FONTS if f.is_file())), size=int(dpi / 6.5))
    y = int(dpi * 0.8)
    margin = int(dpi * 0.8)
    for line in lines:
        words, current = line.split(), ""
        for word in words:
            trial = f"{current} {word}".strip()
            if draw.textlength(trial, font=font) > width - 2 * margin and current:
                draw.text((margin, y), current, fill=0, font=font)
                y += int(font.size * 1.5)
                current = word
            else:
                current = trial
        if current:
            draw.text((margin, y), current, fill=0, font=font)
            y += int(font.size * 1.5)
        y += int(font.size * 0.5)
        if y > height - margin:
            break
    if angle:
        page = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if noise:
        rnd = random.Random(seed)
        px = page.load()
        for _ in range(int(width * height * noise)):
            x, yy = rnd.randrange(width), rnd.randrange(height)
            px[x, yy] = 0 if px[x, yy] > 127 else 255
    return page


def image_pdf(pages: list, dpi: int = 300) -> bytes:  # type: ignore[type-arg]
    """An image-only PDF (no text layer), as a scanner writes it."""
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def png(image) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def garbled_pdf(page, codes: bytes, dpi: int = 150) -> bytes:  # type: ignore[no-untyped-def]
    """A scanned page with a text layer of garbage over it, as some scanners and PDF
    printers write it: an invisible (3 Tr) line of ``codes`` in a CID font that has no
    ToUnicode map, so a text extractor returns signs instead of letters."""
    img = page.convert("L").resize((int(8.27 * dpi), int(11.69 * dpi)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    jpg = buf.getvalue()
    w, h = 595, 842
    text = b"".join(
        b"BT /F1 11 Tf 3 Tr 60 %d Td <%s> Tj ET\n" % (780 - 14 * i, codes.hex().encode())
        for i in range(20)
    )
    content = b"q %d 0 0 %d 0 0 cm /Im1 Do Q\n" % (w, h) + text
    font = b"/BaseFont /ABCDEF+Garbled"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 5 0 R "
        b"/Resources << /XObject << /Im1 4 0 R >> /Font << /F1 6 0 R >> >> >>" % (w, h),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
        % (img.width, img.height, len(jpg))
        + jpg
        + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 " + font + b" /Encoding /Identity-H "
        b"/DescendantFonts [7 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 " + font + b" /CIDSystemInfo << /Registry "
        b"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 500 >>",
        b"<< /Type /FontDescriptor /FontName /ABCDEF+Garbled /Flags 4 /FontBBox "
        b"[0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 "
        b"/StemV 80 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        xref,
    )
    return bytes(out)


__all__ = ["CAMPAIGN", "Offline"]
