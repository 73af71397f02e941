"""Sentences of the embedded mail server."""

MESSAGES = {
    "mailserver.start_timeout": {
        "vi": "Máy chủ thư nhúng không khởi động kịp",
        "en": "The embedded mail server did not start in time",
    },
    "mailserver.start_failed": {
        "vi": "Máy chủ thư nhúng không khởi động được: {error}",
        "en": "The embedded mail server failed to start: {error}",
    },
    "mailserver.not_running": {
        "vi": "Máy chủ thư nhúng chưa chạy",
        "en": "The embedded mail server is not running",
    },
    "mailserver.serving": {
        "vi": "Máy chủ thư nhúng đang chạy: SMTP {host}:{smtp}, IMAP {host}:{imap}, {n} tài khoản "
        "(dữ liệu ở {data}). Nhấn Ctrl+C để dừng.",
        "en": "Embedded mail server running: SMTP {host}:{smtp}, IMAP {host}:{imap}, {n} accounts "
        "(data in {data}). Press Ctrl+C to stop.",
    },
    "mailserver.port_busy": {
        "vi": "Cổng {port} đang được dùng; có thể máy chủ thư đã chạy rồi",
        "en": "Port {port} is in use; the mail server may already be running",
    },
}
