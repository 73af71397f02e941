"""Second and third campaigns for the several-campaigns tests (issue 18): outlines built
with python-docx, config entries appended to the seed config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx

PLAN_2024 = [
    (1, "I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH KHOA HỌC VÀ CÔNG NGHỆ NĂM 2023", None),
    (
        2,
        "1. Kết quả thực hiện các nhiệm vụ khoa học và công nghệ cấp tỉnh, cấp cơ sở",
        "Phòng Quản lý khoa học báo cáo.",
    ),
    (
        2,
        "2. Tình hình giải ngân kinh phí sự nghiệp khoa học và công nghệ",
        "Phòng Kế hoạch tài chính báo cáo.",
    ),
    (1, "II. KẾ HOẠCH KHOA HỌC VÀ CÔNG NGHỆ NĂM 2024", None),
    (
        2,
        "1. Danh mục nhiệm vụ khoa học và công nghệ đề xuất đặt hàng",
        "Phòng Quản lý khoa học báo cáo.",
    ),
    (
        2,
        "2. Dự toán ngân sách sự nghiệp khoa học và công nghệ",
        "Phòng Kế hoạch tài chính báo cáo.",
    ),
    (
        2,
        "3. Kế hoạch hoạt động tiêu chuẩn, đo lường, chất lượng",
        "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng báo cáo.",
    ),
    (
        2,
        "4. Kế hoạch ứng dụng, chuyển giao và đổi mới công nghệ tại doanh nghiệp",
        "Phòng Quản lý công nghệ và Đổi mới sáng tạo báo cáo.",
    ),
    (
        2,
        "5. Đề xuất, kiến nghị về cơ chế, chính sách",
        "Các phòng, đơn vị báo cáo.",
    ),
]

MONTHLY = [
    (1, "I. SỐ LIỆU HOẠT ĐỘNG TRONG THÁNG", None),
    (2, "1. Số hồ sơ thủ tục hành chính tiếp nhận và giải quyết", "Văn phòng báo cáo."),
    (
        2,
        "2. Số phương tiện đo được kiểm định",
        "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng báo cáo.",
    ),
    (1, "II. CÔNG VIỆC TRỌNG TÂM THÁNG TỚI", None),
    (2, "1. Lịch công tác tháng tới", "Các phòng, đơn vị báo cáo."),
]


def outline_docx(path: Path, title: str, rows: list[tuple[int, str, str | None]]) -> Path:
    """An outline in the seed's shape: title lines, Heading styles, assignment lines."""
    d = docx.Document()
    d.add_paragraph("ĐỀ CƯƠNG BÁO CÁO")
    d.add_paragraph(title)
    for level, text, assigned in rows:
        d.add_paragraph(text, style=f"Heading {level}")
        if assigned:
            d.add_paragraph(assigned)
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path


def campaign_toml(
    cid: str, title: str, outline: Path, directive: str, deadline: str, token: str
) -> str:
    return (
        f'\n[[campaigns]]\nid = "{cid}"\ntitle = "{title}"\noutline = "{outline}"\n'
        f'directive = "{directive}"\ndeadline = {deadline}\ntoken = "{token}"\n'
        'number = "/SKHCN-VP"\nplace = "Quảng Trị"\n'
    )


PLAN = "2024-kh"
PLAN_TITLE = "Xây dựng kế hoạch khoa học và công nghệ năm 2024"


def open_plan_campaign(flow: Any, folder: Path, send: bool = True) -> None:
    """Open the 2024 plan campaign beside the seed one in ``flow``'s config (issue 18):
    its own outline and deadline; its directives go out too unless ``send`` is False."""
    outline = outline_docx(folder / "kh2024" / "outline.docx", PLAN_TITLE, PLAN_2024)
    directive = Path(__file__).resolve().parent.parent / "templates" / "directive.docx"
    with flow.config_path.open("a", encoding="utf-8") as out:
        out.write(campaign_toml(PLAN, PLAN_TITLE, outline, str(directive), "2031-09-30", "2024-KH"))
    if send:
        flow.run("send", "--campaign", PLAN, "--send")
