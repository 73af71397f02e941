"""Sentences of matching: why a block is not content, what a placement status means."""

MESSAGES = {
    "match.reason.letterhead": {
        "vi": "Tiêu đề văn bản (cơ quan, Quốc hiệu, số, ngày tháng)",
        "en": "Letterhead (agency, national motto, number, date)",
    },
    "match.reason.title": {"vi": "Tên loại và trích yếu văn bản", "en": "Document title"},
    "match.reason.greeting": {"vi": "Lời chào, Kính gửi", "en": "Greeting"},
    "match.reason.intro": {
        "vi": 'Câu mở đầu ("... báo cáo như sau:")',
        "en": 'Opening sentence ("... reports as follows:")',
    },
    "match.reason.signature": {"vi": "Chữ ký, lời kết", "en": "Signature or closing"},
    "match.reason.recipients": {"vi": "Nơi nhận", "en": "Recipients list"},
    "match.reason.group-heading": {
        "vi": "Đề mục chỉ gom các mục con (không có nội dung riêng)",
        "en": "Heading that only groups the headings below it",
    },
    "match.reason.table-header": {"vi": "Dòng tiêu đề của bảng", "en": "Table header row"},
    "match.reason.empty": {"vi": "Đoạn trống", "en": "Empty paragraph"},
    "match.copy.outline": {
        "vi": "Tệp {name} là bản sao đề cương do Văn phòng gửi đi, không phải báo cáo: bỏ qua.",
        "en": "{name} is a copy of the outline we sent, not a report: ignored.",
    },
    "match.copy.directive": {
        "vi": "Tệp {name} là bản sao công văn do Văn phòng gửi đi, không phải báo cáo: bỏ qua.",
        "en": "{name} is a copy of the directive we sent, not a report: ignored.",
    },
    "match.status.auto": {"vi": "Tự động xếp", "en": "Placed automatically"},
    "match.status.reviewed": {"vi": "Đã được người xếp", "en": "Placed by a person"},
    "match.status.review": {"vi": "Chờ người xem xét", "en": "Waiting for review"},
    "match.status.unplaced": {"vi": "Chưa xếp được (đưa vào phụ lục)", "en": "Unplaced (appendix)"},
    "match.status.superseded": {
        "vi": "Đã được thay bằng báo cáo gửi sau",
        "en": "Replaced by a later report",
    },
    "match.no_heading": {"vi": "(không có đề mục)", "en": "(no heading)"},
}
