"""Closest unit names for an unknown outline fragment: the right unit comes first on
abbreviations and reordered words (the names offered by `outline`, `check` and `send`)."""

from __future__ import annotations

import pytest

from mailflow.core.outline import _Names
from mailflow.model import Department

DEPARTMENTS = [
    Department(code="VP", name="Văn phòng", emails=("vp@example.org",)),
    Department(code="QLKH", name="Phòng Quản lý khoa học", emails=("qlkh@example.org",)),
    Department(
        code="QLCN",
        name="Phòng Quản lý công nghệ và Đổi mới sáng tạo",
        emails=("qlcn@example.org",),
    ),
    Department(code="KHTC", name="Phòng Kế hoạch tài chính", emails=("khtc@example.org",)),
    Department(
        code="TTCG",
        name="Trung tâm Nghiên cứu, Chuyển giao công nghệ và Đổi mới sáng tạo",
        emails=("ttcg@example.org",),
    ),
]


@pytest.mark.parametrize(
    ("fragment", "first"),
    [
        ("Phòng Quản lý Công nghệ - ĐMST", "Phòng Quản lý công nghệ và Đổi mới sáng tạo"),
        ("Phòng QLCN-ĐMST", "Phòng Quản lý công nghệ và Đổi mới sáng tạo"),
        ("Phòng Tài chính kế hoạch", "Phòng Kế hoạch tài chính"),
        ("Phòng QL khoa học", "Phòng Quản lý khoa học"),
        ("TT Chuyển giao CN", "Trung tâm Nghiên cứu, Chuyển giao công nghệ và Đổi mới sáng tạo"),
        ("Phòng Quản lí khoa hoc", "Phòng Quản lý khoa học"),
    ],
)
def test_the_meant_unit_is_offered_first(fragment: str, first: str) -> None:
    assert _Names(DEPARTMENTS).closest(fragment)[0] == first
