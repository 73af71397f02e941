"""Sentences about network, TLS and login problems."""

MESSAGES = {
    "net.dns": {
        "vi": "{where}: không tìm thấy tên máy chủ ({error})",
        "en": "{where}: host name not found ({error})",
    },
    "net.dns_hint": {
        "vi": "Kiểm tra tên máy chủ '{host}' trong config.toml và kết nối mạng.",
        "en": "Check the host name '{host}' in config.toml and the network.",
    },
    "net.refused": {
        "vi": "{where}: máy chủ từ chối kết nối (cổng đóng)",
        "en": "{where}: connection refused (port closed)",
    },
    "net.refused_hint": {
        "vi": "Kiểm tra cổng trong config.toml và máy chủ thư có đang chạy không.",
        "en": "Check the port in config.toml and that the mail server is running.",
    },
    "net.timeout": {"vi": "{where}: hết thời gian chờ", "en": "{where}: timed out"},
    "net.timeout_hint": {
        "vi": "Máy chủ không trả lời; thử lại sau hoặc tăng mailbox.timeout.",
        "en": "The server did not answer; try again later or raise mailbox.timeout.",
    },
    "net.tls": {"vi": "{where}: lỗi TLS ({error})", "en": "{where}: TLS error ({error})"},
    "net.tls_hint": {
        "vi": 'Kiểm tra security = "{security}" có đúng với cổng này không (ssl, starttls, none).',
        "en": 'Check that security = "{security}" matches this port (ssl, starttls, none).',
    },
    "net.auth": {
        "vi": "{where}: đăng nhập bị từ chối (sai tên đăng nhập hoặc mật khẩu)",
        "en": "{where}: login refused (wrong user name or password)",
    },
    "net.auth_hint": {
        "vi": "Kiểm tra mailbox.username và mật khẩu (password_env / password_command).",
        "en": "Check mailbox.username and the password (password_env / password_command).",
    },
    "net.dropped": {
        "vi": "{where}: mất kết nối ({error})",
        "en": "{where}: connection dropped ({error})",
    },
    "net.protocol": {
        "vi": "{where}: máy chủ báo lỗi: {error}",
        "en": "{where}: server error: {error}",
    },
    "net.os": {"vi": "{where}: lỗi mạng: {error}", "en": "{where}: network error: {error}"},
}
