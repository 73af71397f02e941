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
}
