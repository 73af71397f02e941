"""An original a department sent is mailed on to the Office only when opening it cannot
act: ``adapters.inert.active_content`` judges the stored bytes, the plan never attaches a
withheld one, and the draft's appendix says why and where it is kept (H33).

The hostile files are the red-team probes of tests/hostile_probe_kit.py; the ordinary
ones are what departments really send. The whole path (ingest → assemble → the queued
Office mail) is in tests/test_hostile_probes.py.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import hostile_probe_kit as kit
import pytest
from fixtures.e2e.build import png
from test_draft_isolation import TEMPLATE, _appendix_rows, _plan

from mailflow import i18n
from mailflow.adapters import inert
from mailflow.adapters.draft_docx import render_draft
from mailflow.core.draft_plan import UnreadDocument, attach_within, note

#: what each probe's file holds, as the check names it
EXPECTED = {
    "document-xxe-file": "unchecked",
    "document-xxe-http": "unchecked",
    "billion-laughs": "unchecked",
    "rels-xxe": "unchecked",
    "customxml-xxe": "unchecked",
    "content-types-xxe": "unchecked",
    "zip-duplicate-document": "unchecked",
    "zip-case-variant": "unchecked",
    "zip-traversal-member": "unchecked",
    "zip-encrypted-member": "unchecked",
    "vba-renamed": "macros",
    "vba-case-variant": "macros",
    "odt-macro-on-load": "macros",
    "activex-control": "objects",
    "altchunk-html-links": "objects",
    "altchunk-rtf": "objects",
    "embedded-package-template": "objects",
    "rtf-ole-autolink": "objects",
    "pdf-actions": "scripts",
    "pdf-actions-no-text": "scripts",
    "svg-picture-script": "scripts",
    "attached-html-file": "scripts",
    "attached-svg-image": "scripts",
    "attached-exe": "programs",
    "attached-js": "programs",
    "attached-url-shortcut": "programs",
    "attached-7z": "unchecked",
}
#: clicked, not fetched: a plain web link, a field-less hyperlink to a share, a picture
#: whose relationship walks out of the package (readers stay inside the zip)
ACTIVE_FREE = {"hyperlink-http", "field-hyperlink-unc", "traversal-rel-target"}
#: a .zip is opened by intake and each file judged alone; the zip as a whole holds a program
WHOLE = {"zip-with-program": "programs"}


@pytest.fixture
def ctx(tmp_path: Path) -> kit.Ctx:
    (tmp_path / "p.png").write_bytes(png())
    (tmp_path / "p.txt").write_text("secret", encoding="utf-8")
    return kit.Ctx("http://127.0.0.1:9", tmp_path / "p.png", tmp_path / "p.txt", "M", "Mục")


@pytest.mark.parametrize("probe", kit.PROBES, ids=[p.name for p in kit.PROBES])
def test_every_hostile_probe_is_named_for_what_would_act_when_it_is_opened(
    probe: kit.Probe, ctx: kit.Ctx
) -> None:
    name, data, _ = probe.build(ctx)
    kind = inert.active_content(name, data)
    if probe.name in ACTIVE_FREE:
        assert kind == ""
    elif probe.name in WHOLE:
        assert kind == WHOLE[probe.name]
    else:
        assert kind == EXPECTED.get(probe.name, "links"), probe.name


def _docx(*paragraphs: str, picture: bool = False) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if picture:
        d.add_picture(io.BytesIO(png()))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Chỉ tiêu", "Kết quả"])
    ws.append(["Đề tài", 8])
    ws["C2"] = "=B2*2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _pdf_scan() -> bytes:
    """A one-page PDF holding only a picture, as a scanner writes it."""
    _, data, _ = kit.pdf_with_actions(kit.Ctx("http://x", Path("/"), Path("/"), "", ""), text=False)
    plain = data.replace(b"/OpenAction 5 0 R ", b"").replace(b"/AA << /WC 6 0 R >> ", b"")
    plain = plain.replace(b"/Names << /JavaScript << /Names [(a) 5 0 R] >> >> ", b"")
    plain = plain.replace(b"/S /JavaScript /JS", b"/S /Named /N").replace(b"/S /Launch", b"/S /Nop")
    return plain


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bao-cao.docx", _docx("Báo cáo", "Nội dung", picture=True)),
        ("so-lieu.xlsx", _xlsx()),
        ("anh-chup.png", png()),
        ("anh-chup.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64),
        ("ghi-chu.txt", "Báo cáo quý II".encode()),
        ("ban-scan.pdf", _pdf_scan()),
        ("cu.rtf", b"{\\rtf1\\ansi Bao cao {\\field{\\*\\fldinst PAGE}{\\fldrslt 1}}\\par}"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_an_ordinary_file_a_department_sends_is_not_withheld(name: str, data: bytes) -> None:
    assert inert.active_content(name, data) == ""


def test_a_package_whose_member_inflates_past_its_declared_size_is_unchecked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>" + b" " * 100_000)
    data = bytearray(out.getvalue())
    # the central directory says 13 bytes: a reader trusting it would be told a lie
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (13).to_bytes(4, "little")
    assert inert.active_content("bao-cao.docx", bytes(data)) == "unchecked"


def test_a_file_that_is_not_what_its_name_says_is_judged_by_its_bytes() -> None:
    exe = b"MZ\x90\x00" + b"\x00" * 60
    assert inert.active_content("bao-cao.pdf", exe) == "programs"
    assert inert.active_content("bao-cao.txt", _docx("x") + b"") == ""


def _unread(name: str, size: int, withheld: str = "") -> UnreadDocument:
    return UnreadDocument(
        department="A",
        sender="a@x.vn",
        file_name=name,
        reason=note("intake.unpack.executable", ext=".exe"),
        received=datetime(2031, 6, 30, 8, 0),
        archive_path=f"file/{name}",
        size=size,
        withheld=withheld,
    )


def test_an_original_that_would_act_when_opened_is_never_attached_whatever_its_size() -> None:
    docs = [_unread("bao-cao.exe", 10, withheld="programs"), _unread("anh.png", 10)]
    got = {d.file_name: d.attached for d in attach_within(docs, 10_000)}
    assert got == {"bao-cao.exe": False, "anh.png": True}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_appendix_says_a_withheld_original_was_not_attached_and_why(lang: str) -> None:
    plan = _plan([])
    unread = attach_within([_unread("bao-cao.exe", 10, withheld="programs")], 10_000)
    from dataclasses import replace

    plan = replace(plan, unread=unread)  # type: ignore[type-var]
    before = i18n.get_lang()
    try:
        result = render_draft(plan, TEMPLATE, lang=lang)  # type: ignore[arg-type]
    finally:
        i18n.set_lang(before)
    [row] = [r for r in _appendix_rows(result.data) if r[1] == "bao-cao.exe"]
    said = i18n.t("assemble.original_withheld", lang, what="", path="").split("—")[0].strip()
    assert row[3].startswith(said)
    assert i18n.t("assemble.withheld.programs", lang) in row[3]
    assert "file/bao-cao.exe" in row[3]
