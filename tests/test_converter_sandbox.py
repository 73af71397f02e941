"""LibreOffice and other converters run sandboxed: no network, no file outside their
working folder, nothing left running after a timeout (issues 16 and 17).

The hostile documents are built here: an .rtf whose INCLUDEPICTURE fields name a picture
by http URL, by absolute path and by file:// URL, and an .odt whose images link the same
way; a .docx whose pictures are linked (``a:blip r:link``) to an http URL and to a file.
A loopback HTTP listener started by the test must receive no connection, and a picture
planted by the test outside the working folder must not reach any output, byte for byte.
Measured without the sandbox (LibreOffice 7.4): the .odt's http picture is requested and
the .rtf's path picture is copied into the .docx, so these tests can fail.
"""

from __future__ import annotations

import http.server
import io
import os
import re
import struct
import subprocess
import threading
import time
import urllib.request
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import pypdf
import pytest
from click.testing import CliRunner
from fixtures.e2e.flow import CAMPAIGN, Flow
from fixtures.intake import build

import mailenv
from mailflow.adapters import convert, mail_parse, sandbox, unpack
from mailflow.adapters.convert import LibreOffice
from mailflow.adapters.pdf import find_soffice, to_pdf
from mailflow.cli import cli
from mailflow.errors import MailflowError

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
needs_bwrap = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap cannot run here")


# --- what the test plants and listens with ---------------------------------------------


@dataclass
class Listener:
    url: str
    connections: list[str]  # one entry per TCP connection accepted (path once parsed)


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback HTTP server that records every connection, even one that sends nothing."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def setup(self) -> None:
            seen.append("connection")
            super().setup()

        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        # the listener itself works: a request from here is seen
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{url}/probe", timeout=10)
        assert "/probe" in seen
        seen.clear()
        yield Listener(url, seen)
    finally:
        server.shutdown()
        server.server_close()


def _png(marker: bytes, rgb: tuple[int, int, int]) -> bytes:
    raw = b"".join(b"\0" + bytes(rgb) * 8 for _ in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"tEXt", b"Comment\0" + marker)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@dataclass
class Secret:
    path: Path
    data: bytes
    marker: bytes

    def absent_from_zip(self, data: bytes) -> list[str]:
        """Members of the package that hold the planted file or its marker."""
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [
                n
                for n in zf.namelist()
                if zf.read(n) == self.data or self.marker in zf.read(n) or self.data in zf.read(n)
            ]


@pytest.fixture
def secret(tmp_path: Path) -> Secret:
    """A picture on the server, outside any working folder, with a unique marker inside."""
    marker = f"PLANTED-{uuid.uuid4().hex}".encode()
    folder = tmp_path / "outside"
    folder.mkdir()
    path = folder / "planted-secret.png"
    data = _png(marker, (17, 201, 93))
    path.write_bytes(data)
    return Secret(path, data, marker)


# --- hostile documents, built here -----------------------------------------------------


def _rtf_text(text: str) -> str:
    return "".join(
        c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in text
    )


def rtf_with_links(url: str, secret: Path, lead: Sequence[str] = ()) -> bytes:
    """INCLUDEPICTURE by http URL, by absolute path and by file:// URL (\\d: linked)."""

    def field(target: str) -> str:
        return '{\\field{\\*\\fldinst INCLUDEPICTURE "' + target + '" \\\\d}{\\fldrslt }}\\par '

    return (
        "{\\rtf1\\ansi "
        + "".join(_rtf_text(p) + "\\par " for p in lead)
        + "Bao cao truoc anh\\par "
        + field(f"{url}/rtf-http.png")
        + field(str(secret))
        + field(secret.as_uri())
        + "Bao cao sau anh\\par}"
    ).encode("ascii")


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
)


def odt_with_links(url: str, secret: Path, lead: Sequence[str] = ()) -> bytes:
    """An .odt (zip + XML written here) whose pictures are linked, not embedded."""

    def frame(n: int, href: str) -> str:
        return (
            f'<text:p><draw:frame draw:name="p{n}" text:anchor-type="as-char" '
            'svg:width="2cm" svg:height="2cm">'
            f'<draw:image xlink:href="{href}" xlink:type="simple" xlink:show="embed" '
            'xlink:actuate="onLoad"/></draw:frame></text:p>'
        )

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_ODT_NS} office:version="1.2"><office:body><office:text>'
        + "".join(f"<text:p>{escape(p)}</text:p>" for p in lead)
        + "<text:p>Bao cao truoc anh</text:p>"
        + frame(1, f"{url}/odt-http.png")
        + frame(2, secret.as_uri())
        + "<text:p>Bao cao sau anh</text:p></office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def docx_with_linked_pictures(url: str, secret: Path) -> bytes:
    """A .docx with two pictures linked (``r:link``, TargetMode External): http and file."""
    document = docx.Document()
    document.add_paragraph("Dự thảo báo cáo trước ảnh")
    for n in range(2):  # two different pictures (python-docx stores a repeated one once)
        document.add_picture(io.BytesIO(_png(b"placeholder", (n, 0, 0))))
    document.add_paragraph("Dự thảo báo cáo sau ảnh")
    buf = io.BytesIO()
    document.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    rels = src.read("word/_rels/document.xml.rels").decode()
    body = src.read("word/document.xml").decode()
    targets = iter([f"{url}/docx-http.png", secret.as_uri()])
    image_rels = re.findall(
        r'<Relationship Id="(rId\d+)" Type="[^"]+/image" Target="([^"]+)"/>', rels
    )
    assert len(image_rels) == 2, rels
    for rid, target in image_rels:
        rels = rels.replace(
            f'Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/image" Target="{target}"',
            f'Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/image" Target="{next(targets)}" TargetMode="External"',
        )
        body = body.replace(f'r:embed="{rid}"', f'r:link="{rid}"')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename.startswith("word/media/"):
                continue
            data = src.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                data = rels.encode()
            elif info.filename == "word/document.xml":
                data = body.encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


def _pdf_images(data: bytes) -> int:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return sum(len(page.images) for page in reader.pages)


def _pdf_streams(data: bytes) -> bytes:
    """Every stream of the PDF, decoded, concatenated (to look for planted bytes)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    out = []
    for num in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(num)
        except Exception:  # a free number: no object
            continue
        if isinstance(obj, pypdf.generic.StreamObject):
            try:
                out.append(obj.get_data())
            except Exception:  # a filter pypdf cannot undo: look at the raw bytes
                out.append(obj._data)
    return b"".join(out)


def _extract(name: str, data: bytes, converter: LibreOffice) -> unpack.Extracted:
    raw = build.rfc2231_continuations(name, data)
    items = unpack.extract(mail_parse.parse(raw).message, converter=converter)  # type: ignore[arg-type]
    [item] = [i for i in items if i.status != unpack.IGNORED]
    return item


# --- intake: .odt and .rtf with linked pictures ---------------------------------------


@needs_soffice
@needs_bwrap
@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["odt", "rtf"])
def test_converting_a_report_with_linked_pictures_makes_no_network_request(
    kind: str, listener: Listener, secret: Secret, tmp_path: Path
) -> None:
    data = (odt_with_links if kind == "odt" else rtf_with_links)(listener.url, secret.path)
    with LibreOffice(temp_dir=tmp_path, timeout=180) as lo:
        item = _extract(f"Báo cáo.{kind}", data, lo)
    assert (item.status, item.reason) == ("ok", "intake.unpack.converted")
    assert "Bao cao sau anh" in build.docx_text(item.docx or b"")
    assert listener.connections == []


@needs_soffice
@needs_bwrap
@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["odt", "rtf"])
def test_a_file_linked_by_a_report_never_reaches_the_converted_docx(
    kind: str, listener: Listener, secret: Secret, tmp_path: Path
) -> None:
    data = (odt_with_links if kind == "odt" else rtf_with_links)(listener.url, secret.path)
    with LibreOffice(temp_dir=tmp_path, timeout=180) as lo:
        item = _extract(f"Báo cáo.{kind}", data, lo)
    assert item.docx is not None, item.reason
    assert "Bao cao truoc anh" in build.docx_text(item.docx)
    assert secret.absent_from_zip(item.docx) == []


@needs_soffice
@needs_bwrap
@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["odt", "rtf"])
def test_the_sandbox_alone_keeps_libreoffice_from_following_links(
    kind: str,
    listener: Listener,
    secret: Secret,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the copy NOT cut and the profile NOT restricted, only bubblewrap stands."""
    monkeypatch.setattr(convert, "presanitise", lambda ext, data: data)
    monkeypatch.setattr(convert, "_PROFILE_SETTINGS", ())
    data = (odt_with_links if kind == "odt" else rtf_with_links)(listener.url, secret.path)
    with LibreOffice(temp_dir=tmp_path, timeout=180) as lo:
        item = _extract(f"Báo cáo.{kind}", data, lo)
    assert item.docx is not None, item.reason
    assert "Bao cao sau anh" in build.docx_text(item.docx)
    assert listener.connections == []
    assert secret.absent_from_zip(item.docx) == []


@needs_soffice
@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["odt", "rtf"])
def test_without_a_sandbox_libreoffice_gets_a_copy_with_its_links_cut(
    kind: str,
    listener: Listener,
    secret: Secret,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAILFLOW_BWRAP", "/nonexistent/bwrap")
    sandbox._reset_probe()
    try:
        data = (odt_with_links if kind == "odt" else rtf_with_links)(listener.url, secret.path)
        with LibreOffice(temp_dir=tmp_path, timeout=180) as lo:
            item = _extract(f"Báo cáo.{kind}", data, lo)
    finally:
        monkeypatch.delenv("MAILFLOW_BWRAP")
        sandbox._reset_probe()
    assert item.docx is not None, item.reason
    assert "Bao cao sau anh" in build.docx_text(item.docx)
    assert listener.connections == []
    assert secret.absent_from_zip(item.docx) == []


def test_an_rtf_loses_every_linking_field_before_libreoffice_reads_it() -> None:
    rtf = (
        rb"{\rtf1\ansi Truoc\par "
        rb'{\field{\*\fldinst HYPERLINK "https://sokhcn.example/bao-cao"}{\fldrslt trang}}'
        rb'{\field{\*\fldinst {\rtlch\'49NCLUDEPICTURE "/etc/hostname" \\d}}{\fldrslt anh}}'
        rb'{\field{\*\fldinst INCLUDETEXT "file:///etc/hostname"}{\fldrslt van ban}}'
        rb'{\field{\*\fldinst DDEAUTO cmd "/c calc"}{\fldrslt dde}}'
        rb"{\shp{\*\shpinst{\sp{\sn p\u105?bName}{\sv /etc/hostname}}{\sp{\sn pibFlags}{\sv 10}}}}"
        rb"{\object\objautlink{\*\objclass Word.Document.8}{\*\objdata 0102}{\result ole}}"
        rb"Sau\par}"
    )
    cut = convert.presanitise("rtf", rtf)
    assert b"/etc/hostname" not in cut
    for word in (b"NCLUDEPICTURE", b"INCLUDETEXT", b"DDEAUTO", b"calc", b"objautlink"):
        assert word not in cut
    assert b'HYPERLINK "https://sokhcn.example/bao-cao"' in cut  # a plain link stays
    for text in (b"Truoc", b"trang", b"anh", b"van ban", b"dde", b"pibFlags", b"Sau"):
        assert text in cut  # each field keeps its last result; the rest is untouched


def _odt(content: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
    return out.getvalue()


def test_an_odt_loses_every_outside_reference_before_libreoffice_reads_it() -> None:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS} '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        "<office:body><office:text>"
        '<text:p><text:a xlink:href="https://sokhcn.example/bc">trang</text:a></text:p>'
        '<draw:frame><draw:image xlink:href="&#104;ttp://127.0.0.1:9/a.png"/></draw:frame>'
        '<draw:frame><draw:image xlink:href="Pictures/../../../etc/hostname"/></draw:frame>'
        '<draw:frame><draw:image xlink:href="/etc/hostname"/></draw:frame>'
        '<draw:frame><draw:image xlink:href="Pictures/logo.png"/></draw:frame>'
        '<text:section text:name="s"><text:section-source xlink:href="smb://host/x.odt"/>'
        "</text:section>"
        '<office:dde-source office:dde-application="cmd" office:dde-topic="x"/>'
        "<text:p>Sau</text:p></office:text></office:body></office:document-content>"
    )
    cut = zipfile.ZipFile(io.BytesIO(convert.presanitise("odt", _odt(content))))
    xml = cut.read("content.xml")
    for gone in (b"ttp://127.0.0.1", b"etc/hostname", b"smb://", b"dde-source"):
        assert gone not in xml
    assert b'xlink:href="https://sokhcn.example/bc"' in xml  # a hyperlink stays
    assert b'xlink:href="Pictures/logo.png"' in xml  # a picture inside the package stays
    assert b"Sau" in xml
    assert cut.read("mimetype") == b"application/vnd.oasis.opendocument.text"


def test_an_odt_whose_xml_cannot_be_read_is_not_converted(tmp_path: Path) -> None:
    broken = _odt("<office:document-content><unclosed></office:document-content>")
    lo = LibreOffice(soffice="/bin/false", temp_dir=tmp_path)  # never reached
    [result] = lo.to_docx([("odt", broken)])
    assert isinstance(result, str) and result.startswith("not converted: content.xml")


def test_without_a_sandbox_a_binary_word_file_is_kept_not_converted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILFLOW_BWRAP", "/nonexistent/bwrap")
    sandbox._reset_probe()
    try:
        lo = LibreOffice(soffice="/bin/false", temp_dir=tmp_path)  # must never be started
        [result] = lo.to_docx([("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))])
    finally:
        monkeypatch.delenv("MAILFLOW_BWRAP")
        sandbox._reset_probe()
    assert isinstance(result, str)
    assert result.startswith("not converted: a binary Word file") and "bubblewrap" in result


# --- the draft's PDF -------------------------------------------------------------------


@needs_soffice
@needs_bwrap
@pytest.mark.libreoffice
def test_draft_pdf_conversion_makes_no_request_and_embeds_no_server_file(
    listener: Listener, secret: Secret, tmp_path: Path
) -> None:
    draft = tmp_path / "draft.docx"
    draft.write_bytes(docx_with_linked_pictures(listener.url, secret.path))
    made = to_pdf(draft, tmp_path / "draft.pdf")
    assert made.path is not None
    pdf = made.path.read_bytes()
    assert "Dự thảo báo cáo sau ảnh" in "".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    assert listener.connections == []
    assert _pdf_images(pdf) == 0
    streams = _pdf_streams(pdf)
    pixels = bytes((17, 201, 93)) * 8  # one row of the planted picture
    assert secret.marker not in streams and pixels not in streams


REPORT_TEXT = (
    "Trong 6 tháng đầu năm 2023, phòng đã tổ chức xét duyệt 12 đề tài cấp tỉnh, nghiệm thu "
    "8 đề tài, phối hợp chặt chẽ với các sở, ngành và địa phương."
)


@needs_soffice
@needs_bwrap
@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["odt", "rtf"])
def test_intake_assembly_and_the_drafts_pdf_make_no_request_and_carry_no_server_file(
    kind: str, listener: Listener, secret: Secret, tmp_path: Path
) -> None:
    """A department's .odt/.rtf with linked pictures, imported, placed, assembled with
    its PDF: the listener hears nothing and neither the draft nor its PDF holds the file."""
    env = mailenv.start_embedded()
    try:
        flow = Flow.create(env, tmp_path)
        title = flow.outline().section("1.2.1.2").title
        build_doc = odt_with_links if kind == "odt" else rtf_with_links
        report = tmp_path / f"Bao cao QLKH.{kind}"
        report.write_bytes(build_doc(listener.url, secret.path, lead=[title, REPORT_TEXT]))
        flow.run("import", "--campaign", CAMPAIGN, "--department", "QLKH", str(report))
        flow.match()
        for part in flow.current("QLKH"):
            flow.run("place", str(part["id"]), "1.2.1.2")
        out = tmp_path / "out" / "draft.docx"
        flow.run("assemble", "--campaign", CAMPAIGN, "--out", str(out), "--keep")
    finally:
        mailenv.stop_embedded(env)
    draft = out.read_bytes()
    assert REPORT_TEXT in build.docx_text(draft)  # the report is in the draft
    pdf = out.with_suffix(".pdf").read_bytes()
    assert listener.connections == []
    assert secret.absent_from_zip(draft) == []
    streams = _pdf_streams(pdf)
    assert secret.marker not in streams and bytes((17, 201, 93)) * 8 not in streams
    assert _pdf_images(pdf) == 0


# --- hung converters leave nothing behind ----------------------------------------------


_CMDLINES: dict[int, bytes] = {}


def _processes_with(token: str) -> list[int]:
    """Live (non-zombie) processes whose command line holds ``token``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes()
            state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
            _CMDLINES[int(entry.name)] = cmdline
    return found


def _hung_converter(folder: Path, token: str) -> Path:
    """A stand-in converter that never finishes: it starts a child in its own session
    (``setsid``, out of our process group), one in the background, and waits on a third."""
    script = folder / "bin" / "stand-in-soffice"
    script.parent.mkdir(parents=True)
    script.write_text(
        "#!/bin/sh\n"
        f"setsid sleep {token}1 &\n"
        f"sleep {token}2 &\n"
        'echo started > "$HOME/started"\n'
        f"exec sleep {token}3\n"
    )
    script.chmod(0o755)
    return script


@pytest.fixture(params=["bubblewrap", "no-sandbox"])
def sandbox_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both roads: under bubblewrap, and the fallback where no sandbox can run."""
    if request.param == "bubblewrap" and not sandbox.available():
        pytest.skip("bubblewrap cannot run here")
    if request.param == "no-sandbox":
        monkeypatch.setenv("MAILFLOW_BWRAP", "/nonexistent/bwrap")
    sandbox._reset_probe()
    yield request.param
    monkeypatch.delenv("MAILFLOW_BWRAP", raising=False)
    sandbox._reset_probe()


def _watch_while(action: Callable[[], object], token: str) -> tuple[object, list[int], list[int]]:
    """Run ``action`` in a thread; return its outcome (value or exception), the processes
    seen with ``token`` while it ran, and those still alive after it returned."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(action())
        except Exception as exc:  # the test looks at it
            outcome.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    seen: set[int] = set()
    while thread.is_alive():
        seen.update(_processes_with(token))
        time.sleep(0.05)
    thread.join()
    return outcome[0], sorted(seen), _processes_with(token)


def _token() -> str:
    return f"86{uuid.uuid4().int % 10**6:06d}."  # sleep NNNNNNNN.1 — unique per test


def test_a_hung_converter_is_killed_with_every_process_it_started(
    sandbox_mode: str, tmp_path: Path
) -> None:
    token = _token()
    script = _hung_converter(tmp_path, token)
    work = tmp_path / "work"
    work.mkdir()
    outcome, seen, left = _watch_while(
        lambda: sandbox.run([str(script)], workdir=work, timeout=3, ro_paths=[script.parent]),
        token,
    )
    assert isinstance(outcome, sandbox.SandboxError), outcome
    assert outcome.reason == "sandbox.timeout"
    assert (work / "started").is_file()  # it did start its children before the timeout
    assert len(seen) >= 3, seen
    assert left == []


@needs_soffice
def test_a_hung_libreoffice_at_intake_leaves_no_process(sandbox_mode: str, tmp_path: Path) -> None:
    token = _token()
    script = _hung_converter(tmp_path, token)
    lo = LibreOffice(soffice=str(script), temp_dir=tmp_path / "lo", timeout=3)
    (tmp_path / "lo").mkdir()
    outcome, seen, left = _watch_while(lambda: lo.to_docx([("rtf", b"{\\rtf1 x}")]), token)
    assert outcome == ["timeout"]
    assert len(seen) >= 3, seen
    assert left == []
    assert list((tmp_path / "lo").iterdir()) == []  # its working folder is gone too


@needs_soffice
@pytest.mark.libreoffice
def test_a_hung_pdf_conversion_leaves_no_soffice_bin_behind(
    sandbox_mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-in starts a REAL headless LibreOffice (which waits forever for work)
    in its own session, then hangs: after the timeout no soffice.bin of ours is left."""
    token = _token()
    script = tmp_path / "bin" / "stand-in-soffice"
    script.parent.mkdir(parents=True)
    real = find_soffice()
    script.write_text(
        "#!/bin/sh\n"
        f'setsid {real} -env:UserInstallation=file://"$HOME"/hung-{token}profile '
        "--headless --norestore --nologo --nolockcheck &\n"
        f"exec sleep {token}3\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("MAILFLOW_SOFFICE", str(script))
    draft = tmp_path / "draft.docx"
    draft.write_bytes(build.docx_bytes("Dự thảo"))

    outcome, seen, left = _watch_while(
        lambda: to_pdf(draft, tmp_path / "draft.pdf", timeout=10), f"hung-{token}"
    )
    assert isinstance(outcome, MailflowError), outcome
    assert "10" in outcome.message  # the pdf_timeout sentence names the limit
    assert _is_office(seen), "the stand-in never started LibreOffice"
    assert left == []
    assert _processes_with(token) == []


def _is_office(pids: list[int]) -> bool:
    """Whether a soffice.bin was among ``pids`` (their command lines are recorded)."""
    return any(b"soffice.bin" in _CMDLINES.get(pid, b"") for pid in pids)


# --- the sandbox's own promises --------------------------------------------------------


@needs_bwrap
def test_a_sandboxed_tool_sees_only_its_working_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("server file")

    def sh(script: str) -> subprocess.CompletedProcess[bytes]:
        return sandbox.run(["/bin/sh", "-c", script], workdir=work, timeout=30)

    read = sh(f"cat {outside}")
    assert read.returncode != 0 and b"server file" not in read.stdout
    hidden = "/root /home /work /srv /var /opt /mnt"
    assert sh(f"for d in {hidden}; do [ -e $d ] && echo $d; done; true").stdout == b""
    if work.parts[1] == "tmp":  # the host's /tmp is replaced by an empty one
        assert sh("ls -A /tmp").stdout.split() == [work.parts[2].encode()]
    assert sh('echo inside > "$HOME/made"').returncode == 0
    assert (work / "made").read_text() == "inside\n"
    env = sh("env").stdout
    assert b"MAILFLOW" not in env and b"PYTEST" not in env  # nothing of our environment
    caps = sh("grep CapEff /proc/self/status").stdout.split()
    assert caps == [b"CapEff:", b"0000000000000000"]  # no capability, even run by root


@needs_bwrap
def test_a_sandboxed_tool_has_no_network(listener: Listener, tmp_path: Path) -> None:
    port = listener.url.rsplit(":", 1)[1]
    done = sandbox.run(
        ["/bin/bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected"],
        workdir=tmp_path,
        timeout=30,
    )
    assert b"connected" not in done.stdout
    assert listener.connections == []


def test_a_converter_that_outgrows_its_memory_cap_fails_alone(tmp_path: Path) -> None:
    grow = ["/usr/bin/python3", "-c", "b = bytearray(600 * 1024 * 1024); print('grew')"]
    capped = sandbox.run(grow, workdir=tmp_path, timeout=60, max_memory_bytes=256 << 20)
    assert capped.returncode != 0 and b"grew" not in capped.stdout
    assert sandbox.run(grow, workdir=tmp_path, timeout=60).stdout == b"grew\n"


@needs_soffice
@pytest.mark.libreoffice
def test_libreoffice_past_its_memory_cap_gives_an_error_not_a_document(tmp_path: Path) -> None:
    lo = LibreOffice(temp_dir=tmp_path, timeout=120, max_memory_bytes=16 << 20)
    [result] = lo.to_docx([("rtf", b"{\\rtf1\\ansi Bao cao\\par}")])
    assert isinstance(result, str) and result.startswith("LibreOffice produced no output")


def test_without_a_sandbox_check_and_the_log_say_so_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("MAILFLOW_BWRAP", "/nonexistent/bwrap")
    sandbox._reset_probe()
    try:
        ok, line = sandbox.status_line("en")
        assert (ok, sandbox.mechanism()) == (False, "none")
        assert "No sandbox" in line
        with caplog.at_level("WARNING", logger="mailflow.sandbox"):
            for _ in range(3):
                assert sandbox.run(["/bin/true"], workdir=tmp_path, timeout=30).returncode == 0
        assert len([r for r in caplog.records if r.name == "mailflow.sandbox"]) == 1
    finally:
        monkeypatch.delenv("MAILFLOW_BWRAP")
        sandbox._reset_probe()


def _check(config: Path) -> tuple[int, str]:
    # the seed campaign is due 21/07/2023: check it on a day before, when it is sane
    os.environ["MAILFLOW_FAKE_NOW"] = "2023-07-01T08:00:00"
    try:
        result = CliRunner().invoke(cli, ["--lang", "en", "--config", str(config), "check"])
    finally:
        del os.environ["MAILFLOW_FAKE_NOW"]
    return result.exit_code, result.output


@needs_bwrap
@pytest.mark.integration
def test_check_says_converters_run_in_the_sandbox(workspace: Path) -> None:
    code, out = _check(workspace)
    assert code == 0, out
    assert "Converter sandbox: bubblewrap" in out, out


@pytest.mark.integration
def test_check_warns_when_converters_cannot_be_sandboxed(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILFLOW_BWRAP", "/nonexistent/bwrap")
    sandbox._reset_probe()
    try:
        code, out = _check(workspace)
    finally:
        monkeypatch.delenv("MAILFLOW_BWRAP")
        sandbox._reset_probe()
    assert code == 0, out  # a warning: converting sanitised copies still works
    [line] = [ln for ln in out.splitlines() if "No sandbox for LibreOffice" in ln]
    assert line.startswith("⚠")
    assert "Converter sandbox: bubblewrap" not in out


def test_the_systemd_unit_lets_bubblewrap_build_its_sandbox() -> None:
    """bwrap opens an AF_NETLINK socket to bring up the new network namespace's loopback
    (seen with strace); a unit that forbids that family makes every conversion unsandboxed."""
    unit = (Path(__file__).resolve().parents[1] / "contrib" / "mailflow.service").read_text()
    settings = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and line[:1].isalpha()
    )
    families = settings.get("RestrictAddressFamilies")
    assert families is None or "AF_NETLINK" in families.split()
    assert "RestrictNamespaces" not in settings
