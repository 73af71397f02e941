"""A part that cannot be assembled never blocks the draft (issue 16).

Each department file is built here with python-docx and then broken the way real and
crafted files are: a picture whose relationship is external (``a:blip r:embed`` and a VML
``v:imagedata``), a package that lacks a picture it references, a file that is no zip at
all, a picture whose header claims 30,000 × 30,000 pixels. The draft is rendered from
those parts; every other part is still in it, and the broken ones are in the appendix.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from fixtures.e2e.build import DOCX, Section, png, report_docx
from fixtures.e2e.flow import CAMPAIGN
from lxml import etree
from test_review_cli import Offline, flow  # noqa: F401  (the offline campaign fixture)

from mailflow import i18n
from mailflow.adapters.draft_docx import dangling_relationships, render_draft
from mailflow.core.draft_plan import build_plan
from mailflow.model import Attribution, Campaign, Department, Outline, PlacedPart
from mailflow.model import Section as Sec

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "draft.docx"
GOOD = "Đoạn báo cáo bình thường của phòng A vẫn có trong dự thảo."
BROKEN = "Đoạn văn đi kèm ảnh hỏng của phòng B."
RNS = "http://schemas.openxmlformats.org/package/2006/relationships"


@pytest.fixture(autouse=True)
def _keep_language() -> Iterator[None]:
    """The CLI runs with --lang en and sets it process-wide; later test files expect vi."""
    before = i18n.get_lang()
    yield
    i18n.set_lang(before)


def _with_picture(text: str, picture: bytes | None = None) -> docx.document.Document:
    d = docx.Document()
    d.add_paragraph(text)
    d.add_picture(io.BytesIO(picture or png()))
    d.add_paragraph("Kết thúc phần.")
    return d


def _save(d: docx.document.Document, path: Path) -> Path:
    d.save(str(path))
    return path


def _rewrite(path: Path, change: dict[str, bytes | None]) -> Path:
    """Rewrite members of a zip: bytes replace a member, None removes it."""
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w") as w:
        for info in z.infolist():
            if info.filename in change:
                new = change[info.filename]
                if new is not None:
                    w.writestr(info, new)
            else:
                w.writestr(info, z.read(info))
    path.write_bytes(out.getvalue())
    return path


def external_blip_docx(path: Path) -> Path:
    """An ``a:blip r:embed`` whose relationship is External (python-docx raises on it)."""
    _save(_with_picture(BROKEN), path)
    with zipfile.ZipFile(path) as z:
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    for rel in rels:
        if rel.get("Type") == RT.IMAGE:
            rel.set("Target", "http://127.0.0.1:9/tracker.png")
            rel.set("TargetMode", "External")
    return _rewrite(
        path,
        {"word/_rels/document.xml.rels": etree.tostring(rels), **dict.fromkeys(media)},
    )


def vml_external_docx(path: Path) -> Path:
    """A VML picture (``v:imagedata``) linked to a file on the server."""
    d = docx.Document()
    d.add_paragraph(BROKEN)
    rid = d.part.relate_to("file:///etc/hostname", RT.IMAGE, is_external=True)
    run = parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<w:pict><v:shape style="width:100pt;height:50pt">'
        f'<v:imagedata r:id="{rid}"/></v:shape></w:pict></w:r>'
    )
    d.paragraphs[0]._p.append(run)
    d.add_paragraph("Kết thúc phần.")
    return _save(d, path)


def missing_media_docx(path: Path) -> Path:
    """A package whose relationship names word/media/image1.png, which the zip lacks."""
    _save(_with_picture(BROKEN), path)
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert media
    return _rewrite(path, dict.fromkeys(media))


def huge_png_header(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG whose header says width × height; the pixel data is a stub (never decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# --- rendering a plan straight from files (no state) ----------------------------------


def _plan(sources: list[tuple[str, Path | None, str]]) -> object:
    deps = [Department(c, f"Phòng {c}", (f"{c.lower()}@example.org",)) for c in ("A", "B")]
    outline = Outline("o", (Sec("1", "1", 1, "Mục một", assignees=("A", "B")),))
    campaign = Campaign("c", "Báo cáo", "o", "d", date(2031, 7, 21), "B", place="Quảng Trị")
    parts = []
    for n, (code, path, text) in enumerate(sources, start=1):
        blocks = len(docx.Document(str(path)).element.body) if _opens(path) else 3
        parts.append(
            PlacedPart(
                section_key="1",
                department=code,
                attribution=Attribution(
                    code, datetime(2031, 7, 1, 8, n), path.name if path else ""
                ),
                source=str(path) if path else "",
                block_start=0,
                block_end=blocks,
                text=text,
                part_id=n,
            )
        )
    return build_plan(outline, parts, {}, deps, campaign, datetime(2031, 7, 2, 9, 0))


def _opens(path: Path | None) -> bool:
    try:
        docx.Document(str(path))
        return path is not None
    except Exception:
        return False


def _good(tmp: Path) -> Path:
    d = docx.Document()
    d.add_paragraph(GOOD)
    return _save(d, tmp / "good.docx")


def _text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join([*(p.text for p in d.paragraphs), *cells])


def _appendix_rows(data: bytes) -> list[list[str]]:
    """The last table of the draft: appendix section 5 (documents and losses)."""
    table = docx.Document(io.BytesIO(data)).tables[-1]
    return [[c.text for c in r.cells] for r in table.rows]


def _external_targets(data: bytes) -> list[str]:
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".rels"):
                for rel in etree.fromstring(z.read(name)):
                    if rel.get("TargetMode") == "External" and rel.get("Type") != RT.HYPERLINK:
                        found.append(rel.get("Target"))
    return found


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (external_blip_docx, "A picture linked from outside the file was left out"),
        (vml_external_docx, "A picture linked from outside the file was left out"),
        (missing_media_docx, "A picture the file refers to but does not hold"),
    ],
    ids=["external-blip", "vml-external", "missing-media"],
)
def test_a_broken_picture_becomes_a_placeholder_and_an_appendix_row(
    tmp_path: Path, make: object, reason: str
) -> None:
    broken = make(tmp_path / "broken.docx")  # type: ignore[operator]
    plan = _plan([("A", _good(tmp_path), GOOD), ("B", broken, BROKEN)])
    result = render_draft(plan, TEMPLATE, lang="en")  # type: ignore[arg-type]
    text = _text(result.data)
    assert GOOD in text and BROKEN in text  # both parts, the broken one copied as sent
    assert "[linked picture — left out]" in text or "[picture missing" in text
    rows = _appendix_rows(result.data)
    assert any(r[1] == "broken.docx" and reason in r[2] for r in rows), rows
    assert _external_targets(result.data) == []  # nothing Word would fetch
    assert dangling_relationships(result.data) == []


def test_a_file_that_cannot_be_opened_goes_in_as_text_and_is_listed(tmp_path: Path) -> None:
    garbage = tmp_path / "hong.docx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    plan = _plan([("A", _good(tmp_path), GOOD), ("B", garbage, BROKEN)])
    result = render_draft(plan, TEMPLATE, lang="en")  # type: ignore[arg-type]
    text = _text(result.data)
    assert GOOD in text and BROKEN in text  # its stored text stands in for the copy
    assert "its original formatting could not be copied" in text
    rows = _appendix_rows(result.data)
    assert any(r[1] == "hong.docx" and "could not be copied" in r[2] for r in rows), rows


def test_a_picture_over_the_pixel_bound_is_never_decoded_and_leaves_a_note(
    tmp_path: Path,
) -> None:
    big = _save(_with_picture(BROKEN, huge_png_header()), tmp_path / "big.docx")
    plan = _plan([("B", big, BROKEN)])
    result = render_draft(plan, TEMPLATE, lang="en", max_pixels=40_000_000)  # type: ignore[arg-type]
    text = _text(result.data)
    assert "[picture too large (900000000 pixels)" in text
    with zipfile.ZipFile(io.BytesIO(result.data)) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
    assert any("900000000" in r[2] for r in _appendix_rows(result.data))


def test_a_picture_within_the_bound_is_copied(tmp_path: Path) -> None:
    ok = _save(_with_picture(BROKEN), tmp_path / "ok.docx")
    result = render_draft(_plan([("B", ok, BROKEN)]), TEMPLATE, lang="en", max_pixels=40_000_000)  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(result.data)) as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")]
    assert "Every document received has its content in the draft." in _text(result.data)


def test_a_long_part_keeps_every_paragraph_in_order(tmp_path: Path) -> None:
    """Writing goes through one anchor (linear); order and count must not change."""
    d = docx.Document()
    for i in range(3000):
        d.add_paragraph(f"dòng {i}")
    src = _save(d, tmp_path / "long.docx")
    result = render_draft(_plan([("A", src, "")]), TEMPLATE, lang="en")  # type: ignore[arg-type]
    lines = [p.text for p in docx.Document(io.BytesIO(result.data)).paragraphs]
    got = [x for x in lines if x.startswith("dòng ")]
    assert got == [f"dòng {i}" for i in range(3000)]


# --- through the CLI: `mailflow ingest` then `mailflow assemble` ------------------------


def test_assemble_with_a_vml_external_picture_report_exits_0_and_lists_it(
    flow: Offline,  # noqa: F811
    tmp_path: Path,
) -> None:
    o = flow.outline()
    good = report_docx([Section(o.section("1.2.1.4").title, [GOOD])])
    bad = vml_external_docx(tmp_path / "BC hinh VML.docx").read_bytes()
    flow.ingest("tdc", "Gửi báo cáo.", [("BC TDC.docx", good, DOCX)])
    flow.ingest("khtc", "Gửi báo cáo.", [("BC hinh VML.docx", bad, DOCX)])
    out = tmp_path / "draft.docx"
    result = flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out))
    assert result.exit_code == 0
    data = out.read_bytes()
    assert GOOD in _text(data) and BROKEN in _text(data)
    rows = _appendix_rows(data)
    assert any(r[1] == "BC hinh VML.docx" for r in rows), rows
    assert _external_targets(data) == []


def test_assemble_without_a_template_exits_1_with_one_line(flow: Offline, tmp_path: Path) -> None:  # noqa: F811
    o = flow.outline()
    good = report_docx([Section(o.section("1.2.1.4").title, [GOOD])])
    flow.ingest("tdc", "Gửi báo cáo.", [("BC TDC.docx", good, DOCX)])
    empty = tmp_path / "no-templates"
    empty.mkdir()
    lines = flow.config_path.read_text(encoding="utf-8").splitlines()
    lines = [f'templates = "{empty}"' if x.startswith("templates =") else x for x in lines]
    flow.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", ok=False)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "draft.docx" in result.output
    assert flow.query("SELECT COUNT(*) AS n FROM drafts")[0]["n"] == 0


def test_an_old_archive_file_with_a_linked_picture_is_said_in_one_line_and_exits_0(
    flow: Offline,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A file archived before intake sanitised documents still reaches a draft."""
    good = _save(_with_picture(BROKEN), tmp_path / "BC cu.docx")
    flow.ingest("khtc", "Gửi báo cáo.", [("BC cu.docx", good.read_bytes(), DOCX)])
    flow.match()
    row = flow.query("SELECT docx_path FROM documents WHERE name = 'BC cu.docx'")[0]
    stored = flow.cfg.archive_dir / row["docx_path"]
    stored.chmod(0o600)
    stored.write_bytes(external_blip_docx(tmp_path / "old.docx").read_bytes())  # as archived then
    result = flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf")
    assert result.exit_code == 0
    said = [x for x in result.output.splitlines() if "could not be copied as sent" in x]
    assert len(said) == 1 and "1 parts" in said[0], result.output


def test_an_svg_picture_goes_in_as_its_png_with_no_relationship_left_undefined(
    tmp_path: Path,
) -> None:
    """Word stores an SVG picture as a PNG blip with an ``asvg:svgBlip r:embed`` extension
    naming the .svg part (which may hold script or outside references). The draft keeps
    the PNG and drops the extension: no r:embed it does not define, no SVG (H33)."""
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("http://127.0.0.1:9/x")'
        b'</script><image href="http://127.0.0.1:9/i.png"/></svg>'
    )
    path = _save(_with_picture(BROKEN, png()), tmp_path / "svg.docx")
    with zipfile.ZipFile(path) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
        body = z.read("word/document.xml").decode()
        types = z.read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>", '<Default Extension="svg" ContentType="image/svg+xml"/></Types>'
    )
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdSvg" Type="{RT.IMAGE}" Target="media/p.svg"/></Relationships>',
    )
    ext = (
        '<a:extLst><a:ext uri="{96DAC541-7B7A-43D3-8B79-37D633B846F1}"><asvg:svgBlip '
        'xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main" '
        'r:embed="rIdSvg"/></a:ext></a:extLst>'
    )
    body = body.replace("</a:blip>", ext + "</a:blip>", 1)
    if ext not in body:  # a self-closing blip
        start = body.index("<a:blip ")
        end = body.index("/>", start)
        body = body[:end] + ">" + ext + "</a:blip>" + body[end + 2 :]
    _rewrite(
        path,
        {
            "word/_rels/document.xml.rels": rels.encode(),
            "word/document.xml": body.encode(),
            "[Content_Types].xml": types.encode(),
        },
    )
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("word/media/p.svg", svg)
    result = render_draft(_plan([("B", path, BROKEN)]), TEMPLATE, lang="en", max_pixels=40_000_000)  # type: ignore[arg-type]
    assert dangling_relationships(result.data) == []
    with zipfile.ZipFile(io.BytesIO(result.data)) as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")]  # the PNG came along
        xml = b"".join(z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels", ".svg")))
    assert b"svgBlip" not in xml and b"<script" not in xml


def test_an_svg_only_picture_leaves_a_visible_placeholder_and_an_appendix_row(
    tmp_path: Path,
) -> None:
    """A picture whose blip names only an SVG (``asvg:svgBlip``, no PNG ``r:embed``: Word
    always writes the PNG, another producer may not). The SVG is never carried (it may
    hold script), so the picture would be blank with no word said; it becomes a visible
    placeholder and a line in the appendix instead (R2 #9, H36)."""
    path = _save(_with_picture(BROKEN, png()), tmp_path / "svg-only.docx")
    with zipfile.ZipFile(path) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
        body = z.read("word/document.xml").decode()
        types = z.read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>", '<Default Extension="svg" ContentType="image/svg+xml"/></Types>'
    )
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdSvg" Type="{RT.IMAGE}" Target="media/p.svg"/></Relationships>',
    )
    start = body.index("<a:blip ")
    end = body.index(">", start)
    blip = (
        '<a:blip><a:extLst><a:ext uri="{96DAC541-7B7A-43D3-8B79-37D633B846F1}"><asvg:svgBlip '
        'xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main" '
        'r:embed="rIdSvg"/></a:ext></a:extLst></a:blip>'
    )
    close = body.index("</a:blip>", start) + len("</a:blip>") if body[end - 1] != "/" else end + 1
    body = body[:start] + blip + body[close:]
    _rewrite(
        path,
        {
            "word/_rels/document.xml.rels": rels.encode(),
            "word/document.xml": body.encode(),
            "[Content_Types].xml": types.encode(),
        },
    )
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("word/media/p.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    plan = _plan([("A", _good(tmp_path), GOOD), ("B", path, BROKEN)])
    result = render_draft(plan, TEMPLATE, lang="en")  # type: ignore[arg-type]
    text = _text(result.data)
    assert BROKEN in text and "[SVG picture — left out" in text
    rows = _appendix_rows(result.data)
    assert any(r[1] == "svg-only.docx" and "SVG picture" in r[2] for r in rows), rows
    assert dangling_relationships(result.data) == []
