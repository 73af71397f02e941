"""Sentences of the outline area: reading .docx, parsing outlines, marking, the directive."""

MESSAGES = {
    "outline.docx_unreadable": {
        "vi": "Không đọc được tệp Word {name}: {error}",
        "en": "Cannot read the Word file {name}: {error}",
    },
    "outline.docx_unreadable_hint": {
        "vi": "Mở tệp bằng Word và lưu lại dạng .docx, rồi gửi lại.",
        "en": "Open the file in Word, save it again as .docx and send it again.",
    },
    "outline.docx_not_zip": {
        "vi": "Tệp {name} không phải tệp .docx (không phải gói zip của Word)",
        "en": "{name} is not a .docx file (not a Word zip package)",
    },
    "outline.docx_too_big": {
        "vi": "Tệp {name} giải nén ra quá lớn; không xử lý",
        "en": "{name} expands to too much data; not processed",
    },
    "outline.docx_doctype": {
        "vi": "Tệp {name} chứa khai báo DOCTYPE/ENTITY trong phần {part}; không an toàn để đọc",
        "en": "{name} holds a DOCTYPE/ENTITY declaration in part {part}; unsafe to read",
    },
    "outline.template_error": {
        "vi": "Mẫu công văn {path} bị lỗi: {error}",
        "en": "The directive template {path} is broken: {error}",
    },
    "outline.template_unreadable": {
        "vi": "Không đọc được mẫu công văn {path}: {error}",
        "en": "Cannot read the directive template {path}: {error}",
    },
    "outline.template_error_hint": {
        "vi": "Mở mẫu bằng Word, sửa thẻ {{ ... }} / {% ... %} cho đúng (mỗi thẻ nằm gọn trong một đoạn chữ cùng định dạng).",
        "en": "Open the template in Word and fix the {{ ... }} / {% ... %} tags (keep each tag in one run of same formatting).",
    },
    "outline.mark_note": {
        "vi": "{department} viết mục này.",
        "en": "{department} writes this section.",
    },
    "outline.mark_note_with": {
        "vi": "Cùng viết: {others}.",
        "en": "Written together with: {others}.",
    },
    "outline.mark_summary": {
        "vi": "Các mục {department} viết (được tô nền trong đề cương):",
        "en": "Sections {department} writes (shaded in the outline):",
    },
    "outline.mark_none": {
        "vi": "(Không có mục nào được giao.)",
        "en": "(No section is assigned.)",
    },
    "outline.mark_mismatch": {
        "vi": "Đề cương {name} không khớp với cây mục đã phân tích (thiếu mục {keys})",
        "en": "The outline {name} does not match the parsed tree (missing sections {keys})",
    },
    "outline.mark_mismatch_hint": {
        "vi": "Phân tích lại đề cương bằng 'mailflow outline' sau khi sửa tệp.",
        "en": "Parse the outline again with 'mailflow outline' after editing the file.",
    },
    "outline.cli_all": {"vi": "tất cả", "en": "all"},
    "outline.cli_no_sections": {
        "vi": "Không tìm thấy mục nào trong đề cương {path}: kiểm tra các đề mục có đánh số (I., 1., 2.1.) và in đậm hoặc dùng kiểu Heading.",
        "en": "No section found in the outline {path}: check that headings are numbered (I., 1., 2.1.) and bold or use Heading styles.",
    },
    "outline.cli_unresolved_title": {
        "vi": "[bold red]{count} dòng phân công có tên đơn vị không có trong cấu hình:[/]",
        "en": "[bold red]{count} assignment line(s) name a department the config does not know:[/]",
    },
    "outline.cli_unresolved_line": {
        "vi": '  • mục {key} ({heading}): "{fragment}" trong dòng "{text}"; gần nhất: {closest}',
        "en": '  • section {key} ({heading}): "{fragment}" in line "{text}"; closest: {closest}',
    },
    "outline.cli_no_closest": {"vi": "không có", "en": "none"},
    "outline.cli_unresolved_hint": {
        "vi": "Thêm tên này vào aliases của phòng tương ứng trong config.toml, hoặc sửa dòng phân công trong đề cương.",
        "en": "Add the name to the matching department's aliases in config.toml, or fix the assignment line in the outline.",
    },
    "outline.cli_summary": {
        "vi": "{sections} mục; {unassigned} mục cuối chưa có đơn vị viết.",
        "en": "{sections} sections; {unassigned} leaf section(s) without a writer.",
    },
}
