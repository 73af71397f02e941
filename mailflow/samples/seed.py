"""The seed campaign's outline and directive template, built from code.

Why from code: the committed ``campaigns/2023-h1/outline.docx`` and
``templates/directive.docx`` must be reproducible and reviewable, and the tests need the
same outline in the shapes offices really send (Word Heading styles, bold paragraphs with
no styles, Word automatic numbering, NFD text with tabs and no-break spaces). Everything
here writes with python-docx (plus lxml for numbering definitions, which python-docx
does not expose). Run ``python -m mailflow.samples.seed`` to rewrite the two committed files.

The text is the appendix of ``shared/seed/directive-and-outline.md`` as the office wrote
it; lines the Markdown copy broke in the middle ("… cuộc / cách mạng …") are one paragraph
again, as in the original Word file.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import CharacterStyle
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"


@dataclass(frozen=True)
class Item:
    """One paragraph of the outline: ``kind`` says what it is, not how it is drawn."""

    # caption | note | title | part | part_title | h2 | h3 | h4 | dash | plus | plain | assign
    kind: str
    text: str
    number: str = ""  # the visible number of a heading: "I", "1", "2.1"


SEED_TITLE = (
    "Đánh giá giữa nhiệm kỳ tình hình Nghị quyết Đại hội toàn quốc lần thứ XIII của Đảng và "
    "Nghị quyết Đại hội Đảng bộ tỉnh Quảng Trị lần thứ XVII"
)

SEED_OUTLINE: tuple[Item, ...] = (
    Item("caption", "PHỤ LỤC"),
    Item("note", "(Kèm theo Công văn số SKHCN-VP ngày...../3/2023 của Sở KH&CN)"),
    Item("caption", "ĐỀ CƯƠNG BÁO CÁO"),
    Item("title", SEED_TITLE),
    Item("part", "Phần thứ nhất"),
    Item(
        "part_title",
        "ĐÁNH GIÁ KHÁI QUÁT KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI TOÀN QUỐC LẦN THỨ XIII CỦA "
        "ĐẢNG VÀ NGHỊ QUYẾT ĐẠI HỘI ĐẢNG BỘ TỈNH QUẢNG TRỊ LẦN THỨ XVII",
    ),
    Item(
        "h2",
        "Tình hình triển khai thực hiện Nghị quyết Đại hội toàn quốc lần thứ XIII của Đảng và "
        "Nghị quyết Đại hội Đảng bộ tỉnh Quảng Trị lần thứ XVII, Chương trình hành động số "
        "21-CTHĐ/TU ngày 13/8/2021 của Tỉnh ủy",
        "I",
    ),
    Item("assign", "Văn phòng báo cáo."),
    Item(
        "h2",
        "Kết quả thực hiện Nghị quyết Đại hội toàn quốc lần thứ XIII của Đảng và Nghị quyết Đại "
        "hội Đảng bộ tỉnh Quảng Trị lần thứ XVII, Chương trình hành động số 21-CTHĐ/TU ngày "
        "13/8/2021 của Tỉnh ủy",
        "II",
    ),
    Item("h3", "Kết quả thực hiện Chương trình phát triển khoa học và công nghệ", "1"),
    Item(
        "dash",
        "Kết quả triển khai thực hiện các văn bản của Tỉnh ủy, UBND tỉnh về chủ động tham gia "
        "cuộc Cách mạng công nghiệp lần thứ 4",
    ),
    Item(
        "plus",
        "Kết quả triển khai Kế hoạch số 190-KH/TU ngày 12/08/2020 của Tỉnh ủy về thực hiện Nghị "
        "quyết số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị về một số chủ trương, chính sách chủ "
        "động tham gia cuộc cách mạng công nghiệp lần thứ 4; Kế hoạch số 5807/KH-UBND ngày "
        "17/12/2020 của UBND tỉnh Kế hoạch triển khai thực hiện Nghị quyết số 50/NQ-CP ngày "
        "17/4/2020 của Chính phủ và Kế hoạch số 190- KH/TU ngày 12/8/2020 của BTV Tỉnh ủy “về "
        "việc thực hiện Nghị quyết số 52- NQ/TW ngày 27/9/2019 của Bộ Chính trị về một số chủ "
        "trương, chính sách chủ động tham gia cuộc cách mạng công nghiệp lần thứ 4”.",
    ),
    Item(
        "plus",
        "Kết quả triển khai các chính sách địa phương để chủ động tham gia cuộc cách mạng công "
        "nghiệp lần thứ 4 như: hỗ trợ khởi nghiệp đổi mới sáng tạo, tập trung phát triển các "
        "ngành ưu tiên có mức độ sẵn sàng cao như công nghiệp công nghệ thông tin, điện tử - "
        "viễn thông, an toàn thông tin, an ninh mạng, tài chính - ngân hàng, thương mại điện tử, "
        "nông nghiệp số, du lịch số, công nghiệp văn hóa số, y tế, giáo dục - đào tạo... Xây dựng "
        "chính sách hỗ trợ doanh nghiệp về nghiên cứu phát triển và ứng dụng công nghệ 4.0. Phát "
        "triển các nhóm nghiên cứu mạnh về các công nghệ chủ chốt của cuộc CMCN 4.0. Xây dựng và "
        "phát triển đội ngũ trí thức, nhân tài về các công nghệ chủ chốt của CMCN 4.0. Xây dựng "
        "cơ chế, chính sách huy động trí thức, nhà khoa học trên địa bàn tỉnh trong việc đào tạo, "
        "nghiên cứu khoa học, chuyển giao công nghệ mới...",
    ),
    Item("assign", "Phòng QLCN&ĐMST báo cáo."),
    Item(
        "dash",
        "Kết quả nhiệm vụ Nâng cao hiệu quả công tác nghiên cứu khoa học, gắn kết chặt chẽ giữa "
        "nghiên cứu và ứng dụng các tiến bộ kỹ thuật, giữa nhà nghiên cứu với người sử dụng kết "
        "quả nghiên cứu khoa học, tạo đột phá về năng suất, chất lượng sản phẩm.",
    ),
    Item(
        "plus",
        "Kết quả Đổi mới cơ chế xác định các nhiệm vụ KH&CN, đổi mới cơ chế tài chính trong thực "
        "hiện nhiệm vụ KH&CN; Thực hiện cơ chế đặt hàng, phương thức tuyển chọn tổ chức, cá nhân "
        "chủ trì thực hiện nhiệm vụ KH&CN; thực hiện tốt việc cấp kinh phí thực hiện nhiệm vụ "
        "KH&CN sử dụng ngân sách nhà nước thông qua Quỹ phát triển KH&CN của tỉnh;",
    ),
    Item(
        "plus",
        "Kết quả Thực hiện Nghị quyết 163/2021/NQ-HĐND ngày 09/12/2021 Quy định một số chính "
        "sách hỗ trợ ứng dụng, nhân rộng các kết quả KH&CN trên địa bàn tỉnh giai đoạn "
        "2022-2026;",
    ),
    Item(
        "plus",
        "Kết quả Đổi mới cơ chế hoạt động của các tổ chức KH&CN theo cơ chế tự chủ, tự chịu "
        "trách nhiệm; Giao quyền tự chủ cho các tổ chức KH&CN trong việc sử dụng kinh phí từ "
        "ngân sách nhà nước khi thực hiện nhiệm vụ KH &CN; đầu tư nguồn lực tài chính cho tổ "
        "chức KH&CN công lập.",
    ),
    Item(
        "assign",
        "Phòng Quản lý khoa học báo cáo (Riêng mục kết quả thực hiện Nghị quyết "
        "163/2021/NQ-HĐND Phòng QLCN&ĐMST báo cáo).",
    ),
    Item(
        "dash",
        "Kết quả Phát triển một số ngành sản xuất, dịch vụ có hàm lượng khoa học công nghệ cao, "
        "công nghệ mới, quan tâm áp dụng KH&CN vào lĩnh vực bảo quản, chế biến nông sản sau thu "
        "hoạch, thúc đẩy sản xuất nông nghiệp.",
    ),
    Item(
        "plus",
        "Kết quả đẩy mạnh chuyển giao và ứng dụng khoa học công nghệ vào quản lý, sản xuất, kinh "
        "doanh, nhất là công nghệ thông tin, công nghệ sinh học, công nghệ sản xuất vật liệu mới.",
    ),
    Item(
        "plus",
        "Kết quả cơ cấu các chương trình, nhiệm vụ KH&CN theo chuỗi giá trị của sản phẩm, tạo "
        "giá trị gia tăng; Nghiên cứu ứng dụng tiến bộ KH&CN để phát triển các cây trồng, con "
        "nuôi chủ lực theo hướng bền vững thông qua xây dựng thương hiệu, ứng dụng công nghệ cao, "
        "liên kết trong sản xuất.",
    ),
    Item(
        "plus",
        "Kết quả phát triển các công nghệ ưu tiên có khả năng ứng dụng vào thực tiễn, trọng tâm "
        "là: công nghệ thông tin và truyền thông, cơ điện tử; công nghệ mới trong lĩnh vực năng "
        "lượng; trí tuệ nhân tạo và tự động hóa; công nghệ sinh học...",
    ),
    Item(
        "assign",
        "Phòng Quản lý khoa học và Trung tâm Nghiên cứu, Chuyển giao công nghệ và Đổi mới sáng "
        "tạo báo cáo.",
    ),
    Item(
        "dash",
        "Kết quả nhiệm vụ Tăng cường công tác quản lý nhà nước về tiêu chuẩn đo lường chất "
        "lượng, đăng ký và bảo vệ quyền sở hữu trí tuệ, thương hiệu sản phẩm hàng hóa...",
    ),
    Item(
        "plus",
        "Kết quả triển khai Xây dựng Kế hoạch triển khai Chương trình hỗ trợ doanh nghiệp Quảng "
        "Trị nâng cao năng suất chất lượng sản phẩm, hàng hóa giai đoạn 2021-2030.",
    ),
    Item(
        "plus",
        "Kết quả triển khai Quyết định số 1928/QĐ-UBND ngày 20/7/2020 về Kế hoạch triển khai Đề "
        "án “Tăng cường, đổi mới hoạt động đo lường hỗ trợ doanh nghiệp Việt Nam nâng cao năng "
        "lực cạnh tranh và hội nhập quốc tế giai đoạn đến năm 2025, định hướng đến năm 2030” "
        "trên địa bàn tỉnh Quảng Trị; Kế hoạch số 5883/KH-UBND ngày 22/12/2020 thực hiện Đề án "
        "“Triển khai, áp dụng và quản lý hệ thống truy xuất nguồn gốc” trên địa bàn tỉnh Quảng "
        "Trị giai đoạn 2021 - 2025 định hướng năm 2030.",
    ),
    Item(
        "plus",
        "Kết quả triển khai Tăng cường hỗ trợ doanh nghiệp trong lĩnh vực tiêu chuẩn, đo lường, "
        "chất lượng nhằm nâng cao năng suất, chất lượng và giá trị sản phẩm hàng hóa; Hỗ trợ áp "
        "dụng các Hệ thống quản lý chất lượng tiên tiến trong nước và quốc tế cho các sản phẩm "
        "OCOP của tỉnh đủ điều kiện để nâng hạng 4 sao, 5 sao.",
    ),
    Item(
        "plus",
        "Kết quả triển khai các chương trình hỗ trợ về sở hữu trí tuệ, bảo hộ và khai thác hiệu "
        "quả, hợp lý các tài sản trí tuệ trên địa bàn tỉnh; khuyến khích thương mại hóa và "
        "chuyển giao công nghệ, quyền sở hữu trí tuệ, đặc biệt là các sáng chế tại tỉnh.",
    ),
    Item(
        "plus",
        "Kết quả xây dựng và triển khai thực hiện đề án phát triển sở hữu trí tuệ giai đoạn "
        "2021-2025, định hướng đến năm 2030 trên địa bàn tỉnh Quảng Trị",
    ),
    Item(
        "plus",
        "Kết quả hỗ trợ xác lập, quản lý, khai thác và phát triển chỉ dẫn địa lý, nhãn hiệu tập "
        "thể, nhãn hiệu chứng nhận đối với các sản phẩm chủ lực, đặc sản, thế mạnh của tỉnh. "
        "Phát triển các sản phẩm có khả năng hoàn thiện nâng cấp trong Chương trình Mỗi xã một "
        "sản phẩm - OCOP của tỉnh.",
    ),
    Item("assign", "Phòng QLCN&ĐMST và Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng báo cáo."),
    Item(
        "dash",
        "Kết quả hỗ trợ phát triển doanh nghiệp KH&CN, phát triển thị trường KH&CN; hỗ trợ khởi "
        "nghiệp đổi mới sáng tạo",
    ),
    Item(
        "plus",
        "Kết quả phát triển các doanh nghiệp KH&CN. Khuyến khích thành lập các tổ chức trung "
        "gian của thị trường KH&CN dựa trên nền tảng số, internet và không gian mạng.",
    ),
    Item(
        "plus",
        "Kết quả xây dựng và triển khai các chương trình hỗ trợ các doanh nghiệp nghiên cứu và "
        "ứng dụng công nghệ; Triển khai các quy định về lập và sử dụng Quỹ phát triển KH&CN của "
        "doanh nghiệp.",
    ),
    Item(
        "plus",
        "Kết quả triển khai các chính sách phát triển và nâng cao năng lực đổi mới sáng tạo; "
        "Triển khai thực hiện Kế hoạch số 3690/KH-UBND ngày 14/08/2019 về Hỗ trợ khởi nghiệp "
        "đổi mới sáng tạo trên địa bàn tỉnh Quảng Trị đến năm 2025; Xây dựng và phát triển trung "
        "tâm đổi mới sáng tạo cấp tỉnh; Khuyến khích các trường đại học, doanh nghiệp, tổ chức "
        "trong nước và nước ngoài thành lập các trung tâm đổi mới sáng tạo...",
    ),
    Item(
        "plus",
        "Kết quả triển khai ban hành Khung chính sách thử nghiệm đối với một số chính sách chưa "
        "được pháp luật quy định áp dụng đối với hệ sinh thái đổi mới sáng tạo.",
    ),
    Item("assign", "Phòng QLCN&ĐMST và Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng báo cáo."),
    Item(
        "dash",
        "Kết quả đẩy mạnh tiềm lực KH&CN của tỉnh; đa dạng hóa thành phần tham gia và đầu tư "
        "nguồn lực KH&CN, nhất là nguồn lực từ doanh nghiệp, các cơ sở sản xuất.",
    ),
    Item(
        "plus",
        "Kết quả xây dựng hệ thống cơ sở vật chất, trang thiết bị, trung tâm nghiên cứu, thí "
        "nghiệm, kiểm nghiệm, kiểm định, công nghệ thông tin.",
    ),
    Item(
        "plus",
        "Kết quả phát triển nguồn lực khoa học công nghệ; đào tạo, bồi dưỡng, thu hút đội ngũ "
        "cán bộ khoa học kỹ thuật có năng lực, trình độ. Mở rộng hợp tác khoa học công nghệ với "
        "các tỉnh, thành, các nước trong khu vực nhằm tăng cường tiềm lực, tiếp thu các công "
        "nghệ mới.",
    ),
    Item(
        "plus",
        "Kết quả ban hành và triển khai các chính sách hỗ trợ nhằm khuyến khích, huy động mọi "
        "nguồn lực xã hội đầu tư cho các hoạt động nghiên cứu khoa học, phát triển và ứng dụng "
        "công nghệ, đổi mới sáng tạo. Hướng dẫn cho các doanh nghiệp nhà nước thực hiện đầu tư "
        "nghiên cứu phát triển công nghệ, đầu tư mạo hiểm, đầu tư vào khởi nghiệp đổi mới sáng "
        "tạo.",
    ),
    # Not bold in the original: a guidance line of the section above, written with "-".
    Item(
        "plain",
        "- Kết quả xây dựng hệ thống cơ sở dữ liệu khoa học và công nghệ điều tra cơ bản về điều "
        "kiện tự nhiên, tài nguyên thiên nhiên phục vụ phát triển kinh tế - xã hội.",
    ),
    Item("assign", "Văn phòng và Phòng Kế hoạch tài chính báo cáo."),
    Item("h3", "Đánh giá kết quả thực hiện", "2"),
    Item("h4", "Những kết quả đạt được", "2.1"),
    Item("h4", "Những hạn chế, khuyết điểm", "2.2"),
    Item("h4", "Nguyên nhân hạn chế, khuyết điểm", "2.3"),
    Item(
        "assign",
        "Các phòng, đơn vị căn cứ kết quả thực hiện tại Mục II để đánh giá kết quả đạt được, khó "
        "khăn, hạn chế và nguyên nhân khó khăn, hạn chế.",
    ),
    Item("h2", "Dự báo kết quả thực hiện các nhiệm vụ, giải pháp đến năm 2025", "III"),
    Item(
        "assign",
        "Các phòng, đơn vị theo chức năng, nhiệm vụ dự báo kết quả thực các nhiệm vụ, giải pháp "
        "tại Chương trình khoa học và Công nghệ đã được Chương trình hành động số 21-CTHD/TU "
        "ngày 13/8/2021 của Tỉnh ủy đưa ra (tại Mục II); dự kiến, phân tích các nhiệm vụ, giải "
        "pháp đến năm 2025 đạt và không đạt.",
    ),
    Item("part", "Phần thứ hai"),
    Item("part_title", "MỘT SỐ NHIỆM VỤ, GIẢI PHÁP TRONG THỜI GIAN TỚI"),
    Item(
        "assign",
        "Các phòng, đơn vị theo chức năng, nhiệm vụ trên cơ sở dự báo tình hình thời gian tới, "
        "đánh giá kết quả đạt được để đề xuất nhiệm vụ giải pháp.",
    ),
)

VARIANTS = ("styled", "unstyled", "numbered", "nfd")
_HEADING_STYLE = {"part": 1, "part_title": 1, "h2": 2, "h3": 3, "h4": 4}


# --- document set-up shared by outline and directive --------------------------------------


def new_document() -> docx.document.Document:
    """A4, Decree 30 margins (top/bottom 2 cm, left 3 cm, right 1.5 cm), Times New Roman 14."""
    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    _set_font(normal, 14)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for level in range(1, 6):
        style = doc.styles[f"Heading {level}"]
        _set_font(style, 14)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    return doc


def _set_font(style: CharacterStyle, size: int) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def _para(
    doc: docx.document.Document,
    text: str = "",
    style: str | None = None,
    *,
    bold: bool | None = None,
    italic: bool | None = None,
    size: int | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
) -> Paragraph:
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    return p


# --- the outline ------------------------------------------------------------------------


def build_outline(variant: str = "styled", items: tuple[Item, ...] = SEED_OUTLINE) -> bytes:
    """The seed outline as .docx bytes in one of VARIANTS."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; one of {VARIANTS}")
    doc = new_document()
    numbering = _Numbering(doc) if variant == "numbered" else None
    for item in items:
        _outline_item(doc, item, variant, numbering)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _visible(item: Item, variant: str) -> str:
    """Heading text with its number typed in, as the variant writes it."""
    if item.kind == "dash":
        return f"- {item.text}"
    if item.kind == "plus":
        return f"+ {item.text}"
    if not item.number:
        return item.text
    if variant == "nfd":
        # the shapes real files have: a tab after "I.", "2.1" without its dot, "1.Kết"
        if item.kind == "h2":
            return f"{item.number}.\t{item.text}"
        if item.kind == "h3":
            return f"{item.number}.{item.text}"
        return f"{item.number}\u00a0{item.text}"
    return f"{item.number}. {item.text}"


def _outline_item(
    doc: docx.document.Document, item: Item, variant: str, numbering: _Numbering | None
) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    kind = item.kind
    text = _visible(item, variant)
    if variant == "nfd":
        text = unicodedata.normalize("NFD", text)
    if kind in ("caption", "title", "part", "part_title"):
        style = (
            f"Heading {_HEADING_STYLE[kind]}"
            if variant in ("styled", "nfd") and kind in _HEADING_STYLE
            else None
        )
        p = _para(doc, text, style, bold=True, align=center)
        if kind == "caption" and item.text.startswith("PHỤ"):
            p.runs[0].font.size = Pt(14)
        return
    if kind == "note":
        _para(doc, text, italic=True, align=center)
        return
    if kind in ("h2", "h3", "h4"):
        if numbering is not None:
            p = _para(doc, item.text, bold=True, align=justify, indent=True)
            numbering.apply(p, {"h2": 0, "h3": 1, "h4": 2}[kind], numbering.headings)
            return
        style = f"Heading {_HEADING_STYLE[kind]}" if variant in ("styled", "nfd") else None
        _para(doc, text, style, bold=True, align=justify, indent=True)
        return
    if kind == "dash":
        if numbering is not None:
            p = _para(doc, item.text, bold=True, align=justify, indent=True)
            numbering.apply(p, 0, numbering.dashes)
            return
        _para(doc, text, bold=True, align=justify, indent=True)
        return
    if kind == "plus" and numbering is not None:
        p = _para(doc, item.text, align=justify, indent=True)
        numbering.apply(p, 0, numbering.pluses)
        return
    if kind == "assign":
        _para(doc, text, italic=True, align=justify, indent=True)
        return
    _para(doc, text, align=justify, indent=True)


class _Numbering:
    """Real Word numbering definitions (abstractNum + num) added to numbering.xml.

    Headings use one multi-level list (I. / 1. / 2.1.) so "2." continues after "1." and
    "III." after "II." as in Word; "-" and "+" items are bullet lists with those glyphs.
    """

    def __init__(self, doc: docx.document.Document) -> None:
        self.root = doc.part.numbering_part.element
        self.headings = self._add(
            10, [("upperRoman", "%1."), ("decimal", "%2."), ("decimal", "%2.%3.")]
        )
        self.dashes = self._add(11, [("bullet", "-")])
        self.pluses = self._add(12, [("bullet", "+")])

    def _add(self, abstract_id: int, levels: list[tuple[str, str]]) -> int:
        ab = OxmlElement("w:abstractNum")
        ab.set(qn("w:abstractNumId"), str(abstract_id))
        mlt = OxmlElement("w:multiLevelType")
        mlt.set(qn("w:val"), "multilevel" if len(levels) > 1 else "singleLevel")
        ab.append(mlt)
        for ilvl, (fmt, text) in enumerate(levels):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(ilvl))
            for tag, val in (
                ("w:start", "1"),
                ("w:numFmt", fmt),
                ("w:lvlText", text),
                ("w:lvlJc", "left"),
            ):
                el = OxmlElement(tag)
                el.set(qn("w:val"), val)
                lvl.append(el)
            ab.append(lvl)
        # abstractNum elements must precede num elements in numbering.xml
        nums = self.root.findall(qn("w:num"))
        if nums:
            nums[0].addprevious(ab)
        else:
            self.root.append(ab)
        num = OxmlElement("w:num")
        num_id = abstract_id + 100
        num.set(qn("w:numId"), str(num_id))
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), str(abstract_id))
        num.append(ref)
        self.root.append(num)
        return num_id

    @staticmethod
    def apply(p: Paragraph, ilvl: int, num_id: int) -> None:
        ppr = p._p.get_or_add_pPr()
        num_pr = OxmlElement("w:numPr")
        il = OxmlElement("w:ilvl")
        il.set(qn("w:val"), str(ilvl))
        ni = OxmlElement("w:numId")
        ni.set(qn("w:val"), str(num_id))
        num_pr.append(il)
        num_pr.append(ni)
        ppr.insert(0, num_pr) if ppr.find(qn("w:pStyle")) is None else ppr.find(
            qn("w:pStyle")
        ).addnext(num_pr)


#: The công văn's body. The title, year and deadline are tags filled from the campaign
#: (a literal "2023" here kept the letter in 2023 after the campaign moved on).
DIRECTIVE_BODY = (
    "Để chuẩn bị Hội nghị {{ title }}, thảo luận các giải pháp trong thời gian tới, Giám đốc "
    "Sở Khoa học và Công nghệ yêu cầu các phòng, đơn vị:",
    "1. Các phòng, đơn vị báo cáo tóm tắt kết quả nổi bật trong kỳ báo cáo; các nhiệm vụ và "
    "giải pháp trong những tháng còn lại của năm {{ campaign_year }}; những khó khăn, vướng "
    "mắc và nguyên nhân; kiến nghị, đề xuất những nội dung trọng tâm cần sự chỉ đạo, điều "
    "hành của Ban Giám đốc Sở.",
    "2. Văn phòng tổng hợp, hoàn chỉnh dự thảo báo cáo và tổ chức Hội nghị {{ title }} "
    "sau hạn báo cáo {{ deadline }}.",
    "Yêu cầu các phòng, đơn vị thực hiện đúng thời gian và đảm bảo chất lượng./.",
)


# --- the directive template -----------------------------------------------------------------


def build_directive() -> bytes:
    """The seed công văn as a docxtpl template in the Decree 30/2020 layout (Mẫu 1.5).

    Each Jinja tag sits in one run so the template stays editable in Word without the
    tags being split by spelling marks or revisions.
    """
    doc = new_document()
    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Cm(6.5), Cm(10))
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    left, right = table.rows[0].cells
    _cell_lines(
        left,
        [
            ("UBND TỈNH QUẢNG TRỊ", False, False, 13),
            ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", True, False, 13),
            ("_______", False, False, 13),
            ("Số: {{ number }}", False, False, 13),
            ("V/v {{ subject }}", False, False, 12),
        ],
    )
    _cell_lines(
        right,
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False, 13),
            ("Độc lập - Tự do - Hạnh phúc", True, False, 14),
            ("_______________________", False, False, 13),
            ("{{ place }}, ngày {{ day }} tháng {{ month }} năm {{ year }}", False, True, 14),
        ],
    )
    _para(doc)
    p = _para(doc, "Kính gửi: ", align=center)
    p.add_run("{{ department }}")
    p.add_run(".")
    _para(doc)
    for text in DIRECTIVE_BODY[:2]:
        _para(doc, text, align=justify, indent=True)
    p = _para(doc, "Báo cáo gửi về Văn phòng Sở (thư điện tử: ", align=justify, indent=True)
    p.add_run("{{ mailbox }}")
    p.add_run(") trước ngày ")
    p.add_run("{{ deadline }}").bold = True
    p.add_run(".")
    _para(doc, "{%p if sections %}")
    p = _para(doc, "", align=justify, indent=True)
    p.add_run("{{ department }}")
    p.add_run(" viết các mục sau của đề cương (được tô nền trong tệp đề cương gửi kèm):")
    _para(doc, "{%p for s in sections %}")
    _para(doc, "- {{ s }}", align=justify, indent=True)
    _para(doc, "{%p endfor %}")
    _para(doc, "{%p endif %}")
    for text in DIRECTIVE_BODY[2:]:
        _para(doc, text, align=justify, indent=True)
    _para(doc)
    sign = doc.add_table(rows=1, cols=2)
    sign.autofit = False
    for cell, width in zip(sign.rows[0].cells, (Cm(7.5), Cm(9)), strict=True):
        cell.width = width
    recv, signer = sign.rows[0].cells
    _cell_lines(
        recv,
        [
            ("Nơi nhận:", True, True, 12),
            ("- Như trên;", False, False, 11),
            ("- Lưu: VT, VP.", False, False, 11),
        ],
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    _cell_lines(
        signer,
        [
            ("KT. GIÁM ĐỐC", True, False, 14),
            ("{{ signer_title }}", True, False, 14),
            ("", False, False, 14),
            ("", False, False, 14),
            ("", False, False, 14),
            ("{{ signer }}", True, False, 14),
        ],
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _cell_lines(
    cell: docx.table._Cell,
    lines: list[tuple[str, bool, bool, int]],
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
) -> None:
    first = True
    for text, bold, italic, size in lines:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            run.font.size = Pt(size)


def write_seed_files(root: Path) -> tuple[Path, Path]:
    """(Re)write the committed outline and directive template under ``root``."""
    outline = root / "campaigns" / "2023-h1" / "outline.docx"
    directive = root / "templates" / "directive.docx"
    outline.parent.mkdir(parents=True, exist_ok=True)
    directive.parent.mkdir(parents=True, exist_ok=True)
    outline.write_bytes(build_outline("styled"))
    directive.write_bytes(build_directive())
    return outline, directive


if __name__ == "__main__":
    for path in write_seed_files(Path(__file__).resolve().parent.parent):
        print(path)
