"""parse_outline on the seed outline, its variants, and assignment lines."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from mailflow.adapters.docx_read import read_docx
from mailflow.core.outline import parse_outline, section_label, top_sections
from mailflow.model import Block, BlockKind, Department, Outline
from mailflow.samples.seed import SEED_TITLE, build_outline

ROOT = Path(__file__).resolve().parent.parent
SEED_DOCX = ROOT / "campaigns" / "2023-h1" / "outline.docx"

DEPARTMENTS = (
    Department("VP", "Văn phòng", ("vp@x.vn",), ("Văn phòng Sở",)),
    Department("QLKH", "Phòng Quản lý khoa học", ("qlkh@x.vn",), ("Phòng QLKH",)),
    Department(
        "QLCN",
        "Phòng Quản lý công nghệ và Đổi mới sáng tạo",
        ("qlcn@x.vn",),
        ("Phòng QLCN&ĐMST", "Phòng QLCN và ĐMST", "QLCN&ĐMST"),
    ),
    Department(
        "TDC",
        "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng",
        ("tdc@x.vn",),
        ("Phòng Quản lý TĐC", "Phòng TĐC", "Chi cục TĐC"),
    ),
    Department("KHTC", "Phòng Kế hoạch tài chính", ("khtc@x.vn",), ("Phòng Kế hoạch - Tài chính",)),
    Department(
        "TTCG",
        "Trung tâm Nghiên cứu, Chuyển giao công nghệ và Đổi mới sáng tạo",
        ("tt@x.vn",),
        ("Trung tâm NC, CGCN và ĐMST", "Trung tâm"),
    ),
)
ALL = ("VP", "QLKH", "QLCN", "TDC", "KHTC", "TTCG")

# (key, number, level, title prefix, assignees) read off the seed appendix by hand
EXPECTED = [
    ("1", "Phần thứ nhất", 1, "ĐÁNH GIÁ KHÁI QUÁT KẾT QUẢ", ()),
    ("1.1", "I", 2, "Tình hình triển khai thực hiện Nghị quyết", ("VP",)),
    ("1.2", "II", 2, "Kết quả thực hiện Nghị quyết Đại hội", ()),
    ("1.2.1", "1", 3, "Kết quả thực hiện Chương trình phát triển khoa học", ()),
    ("1.2.1.1", "-", 5, "Kết quả triển khai thực hiện các văn bản của Tỉnh ủy", ("QLCN",)),
    ("1.2.1.2", "-", 5, "Kết quả nhiệm vụ Nâng cao hiệu quả", ("QLKH", "QLCN")),
    ("1.2.1.3", "-", 5, "Kết quả Phát triển một số ngành sản xuất", ("QLKH", "TTCG")),
    ("1.2.1.4", "-", 5, "Kết quả nhiệm vụ Tăng cường công tác quản lý", ("QLCN", "TDC")),
    ("1.2.1.5", "-", 5, "Kết quả hỗ trợ phát triển doanh nghiệp KH&CN", ("QLCN", "TDC")),
    ("1.2.1.6", "-", 5, "Kết quả đẩy mạnh tiềm lực KH&CN", ("VP", "KHTC")),
    ("1.2.2", "2", 3, "Đánh giá kết quả thực hiện", ALL),
    ("1.2.2.1", "2.1", 4, "Những kết quả đạt được", ALL),
    ("1.2.2.2", "2.2", 4, "Những hạn chế, khuyết điểm", ALL),
    ("1.2.2.3", "2.3", 4, "Nguyên nhân hạn chế, khuyết điểm", ALL),
    ("1.3", "III", 2, "Dự báo kết quả thực hiện các nhiệm vụ", ALL),
    ("2", "Phần thứ hai", 1, "MỘT SỐ NHIỆM VỤ, GIẢI PHÁP TRONG THỜI GIAN TỚI", ALL),
]


def _shape(outline: Outline) -> list[tuple[str, str, int, str, tuple[str, ...]]]:
    return [
        (s.key, unicodedata.normalize("NFC", s.number), s.level, s.title, s.assignees)
        for s in outline.sections
    ]


def _check_expected(outline: Outline) -> None:
    got = _shape(outline)
    assert [g[:3] for g in got] == [e[:3] for e in EXPECTED]
    for (key, _n, _l, title, assignees), (_k, _n2, _l2, prefix, want) in zip(
        got, EXPECTED, strict=True
    ):
        assert title.startswith(prefix), (key, title)
        assert assignees == want, key


@pytest.fixture(scope="module")
def seed() -> Outline:
    return parse_outline(read_docx(SEED_DOCX), DEPARTMENTS)


def test_committed_seed_outline_parses_to_the_expected_tree(seed: Outline) -> None:
    _check_expected(seed)
    assert seed.unresolved == ()


def test_committed_seed_outline_is_the_generator_output() -> None:
    assert [b.text for b in read_docx(SEED_DOCX)] == [
        b.text for b in read_docx(build_outline("styled"))
    ]


@pytest.mark.parametrize("variant", ["styled", "unstyled", "numbered", "nfd"])
def test_every_variant_gives_the_same_tree(variant: str) -> None:
    _check_expected(parse_outline(read_docx(build_outline(variant)), DEPARTMENTS))


def test_numbered_variant_has_numbers_only_in_numbering_xml() -> None:
    blocks = read_docx(build_outline("numbered"))
    labels = [b.number_label for b in blocks if b.number_label in ("I.", "II.", "2.1.", "III.")]
    assert labels == ["I.", "II.", "2.1.", "III."]
    assert not any(b.text.startswith(("I. ", "II. ", "2.1")) for b in blocks)


def test_title_block_is_the_title_not_a_section(seed: Outline) -> None:
    assert seed.title == SEED_TITLE
    assert not any(s.title.startswith(("PHỤ LỤC", "ĐỀ CƯƠNG")) for s in seed.sections)


def test_guidance_lines_are_kept_without_plus(seed: Outline) -> None:
    first = seed.section("1.2.1.1")
    assert len(first.guidance) == 2
    assert first.guidance[0].startswith("Kết quả triển khai Kế hoạch số 190-KH/TU")


def test_plain_dash_line_is_guidance_of_the_bold_dash_section(seed: Outline) -> None:
    section = seed.section("1.2.1.6")
    assert section.guidance[-1].startswith("- Kết quả xây dựng hệ thống cơ sở dữ liệu")
    assert section.assignment_text == "Văn phòng và Phòng Kế hoạch tài chính báo cáo."


def test_assignment_after_empty_subsections_goes_to_parent_and_children(seed: Outline) -> None:
    parent = seed.section("1.2.2")
    assert parent.all_departments
    assert parent.assignment_text.startswith("Các phòng, đơn vị căn cứ")
    assert seed.section("1.2.2.3").assignment_text == ""  # inherited, not its own line


def test_parenthesised_partial_assignment_adds_the_department(seed: Outline) -> None:
    assert seed.section("1.2.1.2").assignees == ("QLKH", "QLCN")


def test_top_sections_skip_children_of_a_section_already_listed(seed: Outline) -> None:
    keys = [s.key for s in top_sections(seed, "KHTC")]
    assert keys == ["1.2.1.6", "1.2.2", "1.3", "2"]
    assert section_label(seed, seed.section("1.2.2.1")) == (
        "Phần thứ nhất › II › 2 › 2.1. Những kết quả đạt được"
    )


# --- assignment lines, on literal blocks ---------------------------------------------------


def _blocks(*lines: tuple[str, str]) -> list[Block]:
    """("h"|"t", text): h = bold heading paragraph, t = plain/italic line."""
    return [
        Block(i, BlockKind.PARAGRAPH, text, bold=kind == "h", italic=kind == "t")
        for i, (kind, text) in enumerate(lines)
    ]


def _one(assignment: str) -> Outline:
    return parse_outline(_blocks(("h", "I. Mục một"), ("t", assignment)), DEPARTMENTS)


def test_name_with_commas_and_va_is_one_department() -> None:
    out = _one("Trung tâm Nghiên cứu, Chuyển giao công nghệ và Đổi mới sáng tạo báo cáo.")
    assert out.sections[0].assignees == ("TTCG",)
    assert out.unresolved == ()


def test_two_names_joined_by_va() -> None:
    out = _one("*Phòng QLCN&ĐMST và Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng báo cáo.*")
    assert out.sections[0].assignees == ("QLCN", "TDC")


def test_names_match_without_diacritics_and_with_other_punctuation() -> None:
    out = _one("Phong Ke hoach - Tai chinh, Van phong bao cao")
    assert out.sections[0].assignees == ("VP", "KHTC")


def test_all_departments_line() -> None:
    out = _one("Các phòng, đơn vị theo chức năng, nhiệm vụ đề xuất nhiệm vụ giải pháp.")
    assert out.sections[0].all_departments
    assert out.sections[0].assignees == ALL


def test_unknown_name_is_unresolved_with_closest_names() -> None:
    out = _one("Phòng Quản lý khoa hoc công nghệ và Phòng Thanh tra báo cáo.")
    assert out.sections[0].assignees == ()
    fragments = {u.fragment: u.closest for u in out.unresolved}
    assert set(fragments) == {"Phòng Quản lý khoa hoc công nghệ", "Phòng Thanh tra"}
    assert fragments["Phòng Quản lý khoa hoc công nghệ"][0] in (
        "Phòng Quản lý khoa học",
        "Phòng Quản lý công nghệ và Đổi mới sáng tạo",
    )
    assert all(u.section_key == "1" for u in out.unresolved)


def test_known_and_unknown_names_in_one_line() -> None:
    out = _one("Văn phòng và Phòng Pháp chế báo cáo.")
    assert out.sections[0].assignees == ("VP",)
    assert [u.fragment for u in out.unresolved] == ["Phòng Pháp chế"]


def test_unknown_name_in_parentheses_is_unresolved() -> None:
    out = _one("Văn phòng báo cáo (riêng mục tài chính Phòng Tài vụ báo cáo).")
    assert out.sections[0].assignees == ("VP",)
    assert len(out.unresolved) == 1


def test_guidance_mentioning_bao_cao_is_not_an_assignment() -> None:
    out = _one("+ Kết quả xây dựng hệ thống báo cáo")
    assert out.sections[0].assignees == ()
    assert out.sections[0].guidance == ("Kết quả xây dựng hệ thống báo cáo",)


def test_single_empty_subsection_keeps_its_own_assignment() -> None:
    out = parse_outline(
        _blocks(("h", "1. Mục"), ("h", "1.1 Con"), ("t", "Văn phòng báo cáo.")), DEPARTMENTS
    )
    assert [(s.key, s.assignees) for s in out.sections] == [("1", ()), ("1.1", ("VP",))]


def test_child_with_own_line_keeps_it_over_the_parents() -> None:
    out = parse_outline(
        _blocks(
            ("h", "I. Cha"),
            ("t", "Văn phòng báo cáo."),
            ("h", "1. Con một"),
            ("h", "2. Con hai"),
            ("t", "Phòng QLKH báo cáo."),
        ),
        DEPARTMENTS,
    )
    assert [s.assignees for s in out.sections] == [("VP",), ("VP",), ("QLKH",)]


def test_plain_outline_without_bold_or_styles_still_parses() -> None:
    blocks = [
        Block(i, BlockKind.PARAGRAPH, text)
        for i, text in enumerate(["I. Một", "Văn phòng báo cáo.", "II. Hai", "1.Ba", "2.1 Bốn"])
    ]
    out = parse_outline(blocks, DEPARTMENTS)
    assert [(s.key, s.number, s.level) for s in out.sections] == [
        ("1", "I", 2),
        ("2", "II", 2),
        ("2.1", "1", 3),
        ("2.1.1", "2.1", 4),
    ]


def test_directive_before_the_outline_caption_is_dropped() -> None:
    out = parse_outline(
        _blocks(
            ("h", "1. Các phòng, đơn vị báo cáo tóm tắt"),
            ("t", "ĐỀ CƯƠNG BÁO CÁO"),
            ("h", "Tên báo cáo"),
            ("h", "I. Mục thật"),
            ("t", "Văn phòng báo cáo."),
        ),
        DEPARTMENTS,
    )
    assert [(s.number, s.title) for s in out.sections] == [("I", "Mục thật")]
    assert out.title == "Tên báo cáo"
