"""Unpacking replies: six client styles, and every hostile file quarantined with a reason."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.intake import build

from mailflow.adapters import mail_parse, unpack
from mailflow.adapters.convert import LibreOffice

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "docx"
POI = CORPUS / "apache-poi-document" / "document"
NAME = "Báo cáo sơ kết 6 tháng đầu năm 2023 - Phòng Quản lý khoa học.docx"
REPORT = build.docx_bytes("I. KẾT QUẢ THỰC HIỆN", "Phòng QLKH đã hoàn thành 12 đề tài.")
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="no LibreOffice")


def extract(raw: bytes, **kw: object) -> list[unpack.Extracted]:
    return unpack.extract(mail_parse.parse(raw).message, **kw)  # type: ignore[arg-type]


def documents(items: list[unpack.Extracted]) -> list[unpack.Extracted]:
    return [i for i in items if i.status != unpack.IGNORED]


def one_attachment(data: bytes, name: str = "bao-cao.docx") -> unpack.Extracted:
    items = documents(extract(build.rfc2231_continuations(name, data)))
    assert len(items) == 1, items
    return items[0]


# --- six client styles -----------------------------------------------------------------


def test_outlook_rfc2231_continuations_yield_the_docx_with_its_name_and_bytes() -> None:
    [item] = documents(extract(build.rfc2231_continuations(NAME, REPORT)))
    assert (item.name, item.status, item.data, item.docx) == (NAME, "ok", REPORT, REPORT)
    assert "12 đề tài" in build.docx_text(item.docx or b"")


def test_webmail_quoted_rfc2047_name_yields_the_docx() -> None:
    [item] = documents(extract(build.rfc2047_in_quotes(NAME, REPORT)))
    assert (item.name, item.status, item.docx) == (NAME, "ok", REPORT)


def test_forward_as_attachment_yields_the_inner_docx() -> None:
    inner = build.rfc2047_in_quotes(NAME, REPORT)
    items = extract(build.forwarded_as_attachment(inner))
    [item] = documents(items)
    assert (item.name, item.docx, item.origin) == (NAME, REPORT, "forwarded")
    assert not any(i.name == "body.txt" for i in items)


def test_zip_yields_each_member_with_its_vietnamese_name() -> None:
    second = build.docx_bytes("Phụ lục")
    archive = build.zip_bytes({"Báo cáo QLKH.docx": REPORT, "thư mục/Phụ lục 1.docx": second})
    items = documents(extract(build.rfc2047_in_quotes("Báo cáo.zip", archive)))
    assert [(i.name, i.docx, i.origin) for i in items] == [
        ("Báo cáo QLKH.docx", REPORT, "zip:Báo cáo.zip"),
        ("Phụ lục 1.docx", second, "zip:Báo cáo.zip"),
    ]


def test_body_only_reply_keeps_the_report_without_quote_signature_and_logo() -> None:
    text = (
        "Kính gửi Văn phòng,\n\nI. KẾT QUẢ THỰC HIỆN\nPhòng đã hoàn thành 12 đề tài.\n\n"
        "Trân trọng,\nNguyễn Văn A\nPhòng QLKH\n\n"
        "Vào 9:00 Th 2, 10 thg 7, 2023 Văn phòng <baocao@sokhcn.example> đã viết:\n"
        "> Đề nghị các phòng báo cáo sơ kết.\n"
    )
    items = extract(build.body_only(text))
    body = [i for i in items if i.name == "body.txt"]
    logo = [i for i in items if i.name == "logo.png"]
    assert body[0].status == "ok"
    assert body[0].text == (
        "Kính gửi Văn phòng,\n\nI. KẾT QUẢ THỰC HIỆN\nPhòng đã hoàn thành 12 đề tài."
    )
    assert logo[0].status == "ignored" and logo[0].reason == "intake.unpack.inline_image"
    assert logo[0].data == build.PNG_1PX


def test_a_mail_with_a_document_does_not_also_yield_its_body() -> None:
    items = extract(build.rfc2231_continuations(NAME, REPORT))
    assert [i.name for i in items] == [NAME]


@pytest.fixture(scope="module")
def converter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibreOffice]:
    with LibreOffice(temp_dir=tmp_path_factory.mktemp("lo"), timeout=180) as lo:
        yield lo


def _from_docx(tmp: Path, target: str = "doc:MS Word 97") -> bytes:
    """A real .doc (or .pdf): python-docx writes a .docx, LibreOffice saves it as asked."""
    src = tmp / "src.docx"
    src.write_bytes(REPORT)
    profile = (tmp / "profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(tmp),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    return (tmp / f"src.{target.split(':')[0]}").read_bytes()


@needs_soffice
@pytest.mark.libreoffice
def test_doc_reply_is_converted_to_docx_by_libreoffice(
    tmp_path: Path, converter: LibreOffice
) -> None:
    doc = _from_docx(tmp_path)
    assert doc[:8] == unpack.OLE_MAGIC
    name = "Báo cáo QLKH.doc"
    [item] = documents(extract(build.rfc2231_continuations(name, doc), converter=converter))
    assert (item.name, item.status, item.reason) == (name, "ok", "intake.unpack.converted")
    assert item.data == doc
    assert "12 đề tài" in build.docx_text(item.docx or b"")


@needs_soffice
@pytest.mark.libreoffice
def test_conversion_leaves_nothing_behind_but_its_profile(
    tmp_path: Path, converter: LibreOffice
) -> None:
    rtf = rb"{\rtf1\ansi Bao cao phong QLKH\par}"
    [result] = converter.to_docx([("rtf", rtf)])
    assert isinstance(result, bytes)
    assert "Bao cao phong QLKH" in build.docx_text(result)
    leftovers = [p.name for p in Path(converter._temp_dir or "").iterdir()]
    assert all(n.startswith("mailflow-lo-profile-") for n in leftovers), leftovers


@needs_soffice
@pytest.mark.libreoffice
def test_pdf_reply_yields_its_text(tmp_path: Path) -> None:
    pdf = _from_docx(tmp_path, "pdf")
    item = one_attachment(pdf, "Báo cáo.pdf")
    assert (item.status, item.reason) == ("ok", "intake.unpack.pdf")
    assert "12 đề tài" in item.text
    # the text is kept once, as the document's docx form, for matching and the draft
    assert item.docx is not None and "12 đề tài" in _docx_text(item.docx)


def _docx_text(data: bytes) -> str:
    import io

    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_without_libreoffice_a_doc_is_kept_and_flagged_needs_conversion() -> None:
    doc = (POI / "simple-list.doc").read_bytes()
    missing = LibreOffice(soffice="/nonexistent/soffice")
    [item] = documents(extract(build.rfc2231_continuations("a.doc", doc), converter=missing))
    assert (item.status, item.reason, item.data) == (
        "needs-conversion",
        "intake.unpack.no_converter",
        doc,
    )


class _Returns:
    """A converter that hands back the given bytes: what a conversion of a hostile file
    may produce, without needing one LibreOffice turns into exactly that."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def available(self) -> bool:
        return True

    def to_docx(self, files: object) -> list[bytes | str]:
        return [self.data for _ in files]  # type: ignore[attr-defined]


def test_a_converted_file_the_checks_cannot_read_is_kept_with_a_reason() -> None:
    """A parser error on the converted bytes (not one of the checks' refusals) once escaped
    ``extract`` and held the whole mail; now only that file says its conversion failed."""
    doc = (POI / "simple-list.doc").read_bytes()
    broken = _docx_with("[Content_Types].xml", b'<Types xmlns="x"><Default')
    raw = build.rfc2231_continuations("a.doc", doc)
    [item] = documents(extract(raw, converter=_Returns(broken)))
    assert (item.status, item.reason, item.data) == (
        "needs-conversion",
        "intake.unpack.conversion_failed",
        doc,
    )
    assert "XMLSyntaxError" in dict(item.params)["error"]


def test_pdf_without_text_layer_is_kept_with_a_note() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    item = one_attachment(out.getvalue(), "bao-cao.pdf")
    assert (item.status, item.reason, item.text) == ("ok", "intake.unpack.pdf_no_text", "")
    assert dict(item.params)["pages"] == "1"


@pytest.mark.parametrize("sample", ["two-files", "one-file"])
def test_winmail_dat_yields_the_files_mimekit_lists(sample: str) -> None:
    tnef = CORPUS.parent / "tnef"
    data = (tnef / "tnefparse" / "examples" / f"{sample}.tnef").read_bytes()
    expected = (tnef / "mimekit-tnef" / "tnef" / f"{sample}.list").read_text().split()
    items = extract(build.rfc2231_continuations("winmail.dat", data))
    files = [i for i in items if i.origin == "winmail.dat"]
    assert sorted(i.name for i in files) == sorted(expected)
    assert all(i.reason and i.data for i in files)


# --- hostile files ---------------------------------------------------------------------


def _quarantined(item: unpack.Extracted, reason: str) -> None:
    assert (item.status, item.reason) == ("quarantined", reason), item.params


def test_zip_bomb_by_ratio_is_quarantined() -> None:
    bomb = build.zip_bytes({"bao-cao.docx": b"\0" * (20 * 1024 * 1024)})
    _quarantined(one_attachment(bomb, "bao-cao.zip"), "intake.unpack.zip_ratio")


def test_zip_bomb_by_total_size_is_quarantined() -> None:
    archive = build.zip_bytes({f"{i}.txt": os.urandom(64 * 1024) for i in range(4)})
    items = documents(
        extract(
            build.rfc2231_continuations("a.zip", archive),
            limits=unpack.Limits(zip_max_inflated=128 * 1024),
        )
    )
    _quarantined(items[0], "intake.unpack.zip_size")
    assert len(items) == 1


def test_zip_nested_too_deep_is_quarantined_whole() -> None:
    data = REPORT
    for level in range(4):
        data = build.zip_bytes({f"level{level}.zip" if level else "r.docx": data})
    items = documents(extract(build.rfc2231_continuations("nested.zip", data)))
    assert len(items) == 1
    _quarantined(items[0], "intake.unpack.too_deep")


def test_zip_with_too_many_entries_is_quarantined() -> None:
    archive = build.zip_bytes({f"{i}.txt": b"x" for i in range(600)})
    _quarantined(one_attachment(archive, "many.zip"), "intake.unpack.zip_entries")


def _docx_with(part: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(REPORT))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = content if info.filename == part else src.read(info)
            dst.writestr(info.filename, data)
        if part not in src.namelist():
            dst.writestr(part, content)
    return out.getvalue()


def test_xml_bomb_in_document_xml_is_quarantined() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    item = one_attachment(_docx_with("word/document.xml", bomb))
    _quarantined(item, "intake.unpack.doctype")
    assert dict(item.params)["part"] == "word/document.xml"


def test_doctype_in_any_ooxml_part_is_quarantined() -> None:
    styles = b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://evil.example/x.dtd"><x/>'
    _quarantined(one_attachment(_docx_with("word/styles.xml", styles)), "intake.unpack.doctype")


def test_external_entity_sample_from_apache_poi_is_quarantined() -> None:
    item = one_attachment((POI / "ExternalEntityInText.docx").read_bytes())
    _quarantined(item, "intake.unpack.doctype")


def test_docm_with_vba_project_is_quarantined() -> None:
    item = one_attachment((POI / "SimpleMacro.docm").read_bytes(), "SimpleMacro.docm")
    _quarantined(item, "intake.unpack.macros")


def test_macros_inside_a_file_named_docx_are_quarantined() -> None:
    disguised = _docx_with("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake vba")
    _quarantined(one_attachment(disguised), "intake.unpack.macros")


def test_encrypted_docx_ole_container_is_quarantined() -> None:
    item = one_attachment((POI / "bug53475-password-is-pass.docx").read_bytes())
    _quarantined(item, "intake.unpack.encrypted")
    assert dict(item.params)["where"] == "EncryptionInfo"


def test_encrypted_legacy_doc_is_quarantined() -> None:
    item = one_attachment((POI / "password_password_cryptoapi.doc").read_bytes(), "a.doc")
    _quarantined(item, "intake.unpack.encrypted")


def test_truncated_docx_is_quarantined() -> None:
    _quarantined(one_attachment(REPORT[: len(REPORT) // 2]), "intake.unpack.damaged")


def test_truncated_docx_from_apache_poi_is_quarantined() -> None:
    item = one_attachment((POI / "truncated62886.docx").read_bytes())
    assert item.status == "quarantined"


def test_executable_named_docx_is_quarantined() -> None:
    exe = b"MZ\x90\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    _quarantined(one_attachment(exe, "bao-cao.docx"), "intake.unpack.executable")


def test_docx_that_is_not_a_zip_is_quarantined() -> None:
    _quarantined(one_attachment(b"hello, not a zip", "bao-cao.docx"), "intake.unpack.not_zip")


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.docx", "C:\\Windows\\x.docx", "CON.docx", "/etc/cron.d/job.docx"]
)
def test_path_like_or_reserved_names_are_quarantined(name: str) -> None:
    item = one_attachment(REPORT, name)
    _quarantined(item, "intake.unpack.bad_name")
    assert "/" not in item.name and "\\" not in item.name


def test_zip_member_with_path_traversal_is_quarantined_and_others_kept() -> None:
    archive = build.zip_bytes({"../../evil.docx": REPORT, "good.docx": REPORT})
    items = documents(extract(build.rfc2231_continuations("a.zip", archive)))
    assert [(i.name, i.status) for i in items] == [
        ("evil.docx", "quarantined"),
        ("good.docx", "ok"),
    ]
    assert items[0].reason == "intake.unpack.bad_member"


def test_hostile_input_writes_nothing_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    archive = build.zip_bytes({"../../evil.docx": REPORT, "../x.zip": build.zip_bytes({"a": b"a"})})
    extract(build.rfc2231_continuations("../../a.zip", archive))
    extract(build.rfc2231_continuations("a.zip", archive))
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "evil.docx").exists()


def test_oversized_file_is_quarantined_with_its_bytes_kept() -> None:
    items = documents(
        extract(
            build.rfc2231_continuations("big.docx", REPORT),
            limits=unpack.Limits(max_file_bytes=1000),
        )
    )
    _quarantined(items[0], "intake.unpack.too_large")
    assert items[0].data == REPORT


def test_every_docx_in_the_corpus_ends_with_a_status_and_reason() -> None:
    statuses = {}
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix.lower() not in (".docx", ".docm", ".dotx", ".doc"):
            continue
        [item] = documents(extract(build.rfc2231_continuations(path.name, path.read_bytes())))
        assert item.reason, path
        statuses[path.name] = item.status
    assert statuses["SimpleMacro.docm"] == "quarantined"
    assert statuses["sample.docx"] == "ok"
    assert list(statuses.values()).count("ok") > 100


@pytest.mark.parametrize("second", ["word/document.xml", "WORD/Document.XML"])
def test_a_docx_with_two_members_of_one_name_is_quarantined_with_a_reason(second: str) -> None:
    """Python reads the last of two same-named members, other readers the first (part
    names are case-insensitive): what was checked and what Word shows could differ (H33)."""
    with zipfile.ZipFile(io.BytesIO(REPORT)) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
        with pytest.warns(UserWarning) if second == "word/document.xml" else _nothing():
            zf.writestr(second, b"<w:document/>")
    item = one_attachment(out.getvalue())
    _quarantined(item, "intake.unpack.duplicate_member")
    assert dict(item.params)["name"] == second


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_docx_whose_member_is_bzip2_or_lzma_is_quarantined_without_inflating_it(
    method: int,
) -> None:
    """One read of a bzip2/LZMA member inflates a whole block whatever the caller asked
    (a few hundred bytes became 139 MB in the review's probe): such members are not read."""
    with zipfile.ZipFile(io.BytesIO(REPORT)) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if name == "word/document.xml":
                zf.writestr(name, data, compress_type=method)
            else:
                zf.writestr(name, data)
    item = one_attachment(out.getvalue())
    _quarantined(item, "intake.unpack.zip_method")
    assert dict(item.params)["name"] == "word/document.xml"
