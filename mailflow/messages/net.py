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
    "net.refused_loopback": {
        "vi": "Không có chương trình nào nghe ở cổng {port} trên máy này: máy chủ thư chưa chạy (thử `mailflow mailserver`) hoặc cổng sai.",
        "en": "Nothing listens on port {port} on this machine: the mail server is not running (try `mailflow mailserver`) or the port is wrong.",
    },
    "net.refused_remote": {
        "vi": "Máy chủ không mở cổng {port}: cổng hoặc security trong config.toml có thể sai.",
        "en": "The server has no service on port {port}: the port or security in config.toml is likely wrong.",
    },
    "net.timeout_lead": {
        "vi": "Không có trả lời: có thể cổng và security không khớp nhau (cổng ssl chờ bắt tay TLS), tường lửa chặn, hoặc máy chủ quá tải.",
        "en": "No answer: the port and security may not match (an ssl port waits for a TLS handshake), a firewall may drop it, or the server is overloaded.",
    },
    "net.usual_ports": {
        "vi": '{protocol} thường dùng: {usual}; config.toml đang đặt cổng {port}, security = "{security}".',
        "en": '{protocol} usually uses: {usual}; config.toml has port {port}, security = "{security}".',
    },
    "net.port_security_mismatch": {
        "vi": 'Cổng {port} thường đi với security = "{security}".',
        "en": 'Port {port} usually goes with security = "{security}".',
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
    "net.tls_expired": {
        "vi": "{where}: chứng chỉ TLS của máy chủ đã hết hạn hoặc chưa có hiệu lực ({error});"
        " chưa gửi mật khẩu",
        "en": "{where}: the server's TLS certificate has expired or is not yet valid ({error});"
        " no password was sent",
    },
    "net.tls_expired_hint": {
        "vi": "Báo quản trị máy chủ thư gia hạn chứng chỉ; kiểm tra cả đồng hồ của máy này.",
        "en": "Ask the mail server's admin to renew the certificate; check this machine's clock too.",
    },
    "net.tls_wrong_name": {
        "vi": "{where}: chứng chỉ TLS không cấp cho '{host}' (sai tên máy chủ: {error});"
        " chưa gửi mật khẩu",
        "en": "{where}: the TLS certificate is not for '{host}' (host name mismatch: {error});"
        " no password was sent",
    },
    "net.tls_wrong_name_hint": {
        "vi": "Đặt host trong config.toml đúng tên ghi trên chứng chỉ (không dùng '{host}'"
        " nếu chứng chỉ cấp cho tên khác).",
        "en": "Set host in config.toml to the name on the certificate (not '{host}' if the"
        " certificate names another).",
    },
    "net.tls_untrusted": {
        "vi": "{where}: chứng chỉ TLS do nơi không tin cậy cấp hoặc tự ký ({error});"
        " chưa gửi mật khẩu",
        "en": "{where}: the TLS certificate is from an unknown issuer or self-signed ({error});"
        " no password was sent",
    },
    "net.tls_untrusted_hint": {
        "vi": "Nếu máy chủ dùng CA nội bộ, đặt mailbox.ca_file (hoặc imap.ca_file / smtp.ca_file)"
        " là tệp PEM của CA đó.",
        "en": "If the server uses a private CA, set mailbox.ca_file (or imap.ca_file /"
        " smtp.ca_file) to that CA's PEM file.",
    },
    "net.tls_cert": {
        "vi": "{where}: không kiểm tra được chứng chỉ TLS ({error}); chưa gửi mật khẩu",
        "en": "{where}: the TLS certificate could not be verified ({error}); no password was sent",
    },
    "net.tls_ca_unreadable": {
        "vi": "không đọc được tệp CA {path}: {error}",
        "en": "cannot read the CA file {path}: {error}",
    },
    "net.tls_ca_unreadable_hint": {
        "vi": "ca_file phải là tệp PEM chứa chứng chỉ CA.",
        "en": "ca_file must be a PEM file holding CA certificates.",
    },
    "net.no_starttls": {
        "vi": '{where}: máy chủ không hỗ trợ STARTTLS mà cấu hình là security = "starttls";'
        " không gửi mật khẩu qua kết nối không mã hoá",
        "en": '{where}: the server does not offer STARTTLS but security = "starttls";'
        " the password is never sent unencrypted",
    },
    "net.no_starttls_hint": {
        "vi": 'Kiểm tra cổng (993 = "ssl", 587/143 = "starttls") hoặc báo quản trị máy chủ thư'
        " bật TLS.",
        "en": 'Check the port (993 = "ssl", 587/143 = "starttls") or ask the mail server\'s'
        " admin to enable TLS.",
    },
    "net.tls_unverified": {
        "vi": "CẢNH BÁO: {protocol} {where}: tls_verify = false, KHÔNG kiểm tra chứng chỉ máy chủ;"
        " ai chặn được đường truyền có thể lấy mật khẩu",
        "en": "WARNING: {protocol} {where}: tls_verify = false, the server's certificate is NOT"
        " checked; anyone on the path can take the password",
    },
}
