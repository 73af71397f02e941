"""Sentences about the state file and the archive."""

MESSAGES = {
    "store.cannot_open": {
        "vi": "Không mở được tệp trạng thái {path}: {error}",
        "en": "Cannot open the state file {path}: {error}",
    },
    "store.cannot_open_hint": {
        "vi": "Kiểm tra thư mục có quyền ghi và còn chỗ trống.",
        "en": "Check that the folder is writable and has free space.",
    },
    "store.locked": {
        "vi": "Tệp trạng thái {path} đang bị khoá bởi tiến trình khác ({error}); sẽ thử lại",
        "en": "The state file {path} is locked by another process ({error}); will retry",
    },
    "archive.write_failed": {
        "vi": "Không ghi được vào kho lưu trữ {path}: {error}",
        "en": "Cannot write to the archive {path}: {error}",
    },
    "archive.write_failed_hint": {
        "vi": "Giải phóng dung lượng đĩa hoặc kiểm tra quyền ghi; không thư nào bị đánh dấu xong khi chưa lưu.",
        "en": "Free disk space or check permissions; no mail is marked done before it is stored.",
    },
    "archive.exposed": {
        "vi": "{path} có quyền {mode}: người khác trên máy này đọc được; chạy chmod go-rwx {path}",
        "en": "{path} has mode {mode}: other users on this machine can read it;"
        " run chmod go-rwx {path}",
    },
}
