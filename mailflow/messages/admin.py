"""Sentences of init, check and the set-up commands."""

MESSAGES = {
    "admin.init_wrote": {"vi": "Đã tạo {path}", "en": "Wrote {path}"},
    "admin.init_next": {
        "vi": "Tiếp theo: sửa {config}, rồi chạy 'mailflow check'.",
        "en": "Next: edit {config}, then run 'mailflow check'.",
    },
    "admin.init_exists": {
        "vi": "{path} đã tồn tại; không ghi đè",
        "en": "{path} already exists; not overwriting it",
    },
    "admin.init_exists_hint": {
        "vi": "Chọn thư mục khác hoặc xoá/đổi tên tệp cũ.",
        "en": "Choose another folder or move the existing file away.",
    },
    "admin.check_config_ok": {
        "vi": "Cấu hình {path}: hợp lệ ({departments} phòng, {campaigns} đợt báo cáo)",
        "en": "Config {path}: valid (departments: {departments}; campaigns: {campaigns})",
    },
    "admin.check_campaign_ok": {
        "vi": "Đợt {campaign}: đề cương có {sections} mục, {assigned} mục đã giao phòng, "
        "{unresolved} dòng giao việc chưa nhận ra",
        "en": "Campaign {campaign}: outline sections: {sections}; assigned: {assigned}; "
        "assignment lines not understood: {unresolved}",
    },
    "admin.check_file_bad": {
        "vi": "Đợt {campaign}: tệp {what} {path}: {problem}",
        "en": "Campaign {campaign}: {what} file {path}: {problem}",
    },
    "admin.file_missing": {"vi": "không tồn tại", "en": "does not exist"},
    "admin.file_not_docx": {
        "vi": "không phải tệp Word .docx hợp lệ",
        "en": "is not a valid Word .docx file",
    },
    "admin.check_servers": {"vi": "Máy chủ thư", "en": "Mail servers"},
    "admin.col_protocol": {"vi": "Giao thức", "en": "Protocol"},
    "admin.col_server": {"vi": "Máy chủ", "en": "Server"},
    "admin.col_result": {"vi": "Kết quả", "en": "Result"},
    "admin.check_problems": {
        "vi": "{n} vấn đề cần sửa trước khi gửi (xem các dòng ✗ ở trên).",
        "en": "Problems to fix before sending: {n} (see the ✗ lines above).",
    },
    "admin.check_all_ok": {"vi": "Tất cả đều ổn.", "en": "All good."},
}
