"""The directive template and the marked outline copies."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from test_outline_parse import DEPARTMENTS

from mailflow.adapters.directive import directive_context, render_directive
from mailflow.adapters.docx_read import read_docx
from mailflow.adapters.outline_docx import mark_outline
from mailflow.core.outline import parse_outline
from mailflow.errors import MailflowError
from mailflow.i18n import get_lang, set_lang
from mailflow.model import Campaign, Department
from mailflow.samples.seed import build_directive, build_outline

CAMPAIGN = Campaign(
    id="2023-h1",
    title="Sơ kết 6 tháng đầu năm 2023",
    outline="outline.docx",
    directive="directive.docx",
    deadline=date(2023, 7, 21),
    token="2023-H1",
    number="/SKHCN-VP",
    signer="Nguyễn Hữu Thắng",
    signer_title="PHÓ GIÁM ĐỐC",
    place="Quảng Trị",
)


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """The texts below are the Vietnamese catalogue's; other tests may switch language."""
    before = get_lang()
    set_lang("vi")
    yield
    set_lang(before)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("outline")
    (root / "directive.docx").write_bytes(build_directive())
    (root / "outline.docx").write_bytes(build_outline("styled"))
    return root / "directive.docx", root / "outline.docx"


def _texts(data: bytes) -> list[str]:
    return [b.text for b in read_docx(data)]


def _render(files: tuple[Path, Path], department: Department) -> bytes:
    template, outline_path = files
    outline = parse_outline(read_docx(outline_path), DEPARTMENTS)
    ctx = directive_context(CAMPAIGN, department, outline, "baocao@x.vn", date(2023, 7, 10))
    return render_directive(template, ctx)


def test_directive_names_the_department_and_lists_its_sections(files: tuple[Path, Path]) -> None:
    texts = _texts(_render(files, DEPARTMENTS[4]))  # KHTC
    assert "Kính gửi: Phòng Kế hoạch tài chính." in texts
    listed = [x for x in texts if x.startswith("- Phần")]
    assert len(listed) == 4
    assert listed[0].startswith("- Phần thứ nhất › II › 1 › - Kết quả đẩy mạnh tiềm lực")
    assert any("trước ngày 21/07/2023" in x for x in texts)
    header = read_docx(_render(files, DEPARTMENTS[4]))[0]
    assert "Số: /SKHCN-VP" in header.text and "Quảng Trị, ngày 10 tháng 07 năm 2023" in header.text


def test_directive_values_are_escaped_not_markup(files: tuple[Path, Path]) -> None:
    odd = Department("X", 'Phòng <b>KH&CN</b> "A"', ("x@x.vn",))
    texts = _texts(_render(files, odd))
    assert 'Kính gửi: Phòng <b>KH&CN</b> "A".' in texts


def test_broken_template_names_the_template(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("Kính gửi: {{ department ")
    path = tmp_path / "hong.docx"
    doc.save(path)
    with pytest.raises(MailflowError, match=r"hong\.docx"):
        render_directive(path, {"department": "Văn phòng"})


def test_missing_value_stops_rendering(files: tuple[Path, Path]) -> None:
    with pytest.raises(MailflowError, match=r"\{\{ department \}\}") as caught:
        render_directive(files[0], {"number": "1"})
    assert "is undefined" not in caught.value.message


def _shaded(data: bytes) -> list[str]:
    body = docx.Document(io.BytesIO(data)).element.body
    out = []
    for block in read_docx(data):
        ppr = body[block.index].find(qn("w:pPr"))
        if ppr is not None and ppr.find(qn("w:shd")) is not None:
            out.append(block.text)
    return out


def test_marked_outline_shades_exactly_the_departments_sections(files: tuple[Path, Path]) -> None:
    outline = parse_outline(read_docx(files[1]), DEPARTMENTS)
    marked = mark_outline(files[1], outline, DEPARTMENTS[1], DEPARTMENTS)  # QLKH
    shaded = _shaded(marked)
    headings = [x for x in shaded if x.startswith("- Kết quả")]
    assert len(headings) == 2
    assert headings[0].startswith("- Kết quả nhiệm vụ Nâng cao hiệu quả")
    assert headings[1].startswith("- Kết quả Phát triển một số ngành")
    note = "Phòng Quản lý khoa học viết mục này. Cùng viết: Phòng Quản lý công nghệ và Đổi mới"
    assert any(x.startswith(note) for x in shaded)
    assert not any(x.startswith("I. ") for x in shaded)  # VP's section stays plain
    texts = _texts(marked)
    assert texts[0] == "Các mục Phòng Quản lý khoa học viết (được tô nền trong đề cương):"
    assert texts[1].startswith("- Phần thứ nhất › II › 1 › - Kết quả nhiệm vụ Nâng cao")


def test_marked_copy_parses_back_to_the_same_outline(files: tuple[Path, Path]) -> None:
    outline = parse_outline(read_docx(files[1]), DEPARTMENTS)
    for department in DEPARTMENTS:
        marked = mark_outline(files[1].read_bytes(), outline, department, DEPARTMENTS)
        assert parse_outline(read_docx(marked), DEPARTMENTS) == outline


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_directive_and_marked_outline_convert_with_libreoffice(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    outline = parse_outline(read_docx(files[1]), DEPARTMENTS)
    (tmp_path / "directive.docx").write_bytes(_render(files, DEPARTMENTS[2]))
    (tmp_path / "marked.docx").write_bytes(mark_outline(files[1], outline, DEPARTMENTS[2]))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(tmp_path / "directive.docx"), str(tmp_path / "marked.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    for name in ("directive.pdf", "marked.pdf"):
        assert (tmp_path / name).read_bytes().startswith(b"%PDF")
