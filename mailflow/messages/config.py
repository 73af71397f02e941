"""Sentences about config.toml problems."""

MESSAGES = {
    "config.not_found": {
        "vi": "Không tìm thấy tệp cấu hình {path}",
        "en": "Config file {path} not found",
    },
    "config.not_found_hint": {
        "vi": "Tạo tệp mẫu bằng 'mailflow init', hoặc chỉ đường dẫn bằng --config / MAILFLOW_CONFIG.",
        "en": "Create a sample with 'mailflow init', or point to it with --config / MAILFLOW_CONFIG.",
    },
    "config.unreadable": {
        "vi": "Không đọc được {path}: {error}",
        "en": "Cannot read {path}: {error}",
    },
    "config.not_utf8": {
        "vi": "tệp không phải UTF-8; hãy lưu lại với mã hoá UTF-8",
        "en": "the file is not UTF-8; save it again as UTF-8",
    },
    "config.toml_syntax": {
        "vi": "lỗi cú pháp TOML: {error}",
        "en": "TOML syntax error: {error}",
    },
    "config.unknown_key": {"vi": "khoá không được hỗ trợ", "en": "unknown key"},
    "config.did_you_mean": {"vi": " (có phải ý bạn là '{key}'?)", "en": " (did you mean '{key}'?)"},
    "config.missing_key": {"vi": "thiếu khoá bắt buộc", "en": "required key is missing"},
    "config.wrong_type": {
        "vi": "cần kiểu {expected}, nhưng có {got}",
        "en": "expected {expected}, got {got}",
    },
    "config.type_strlist": {"vi": "danh sách chuỗi", "en": "list of strings"},
    "config.type_intlist": {"vi": "danh sách số nguyên", "en": "list of integers"},
    "config.type_text": {"vi": "chuỗi", "en": "text"},
    "config.type_integer": {"vi": "số nguyên", "en": "integer"},
    "config.type_number": {"vi": "số", "en": "number"},
    "config.type_bool": {"vi": "true/false", "en": "true/false"},
    "config.type_list": {"vi": "danh sách", "en": "list"},
    "config.type_table": {"vi": "bảng", "en": "table"},
    "config.type_date": {"vi": "ngày (YYYY-MM-DD)", "en": "date (YYYY-MM-DD)"},
    "config.bad_email": {
        "vi": "'{value}' không phải địa chỉ e-mail hợp lệ (dạng ten@tenmien)",
        "en": "'{value}' is not a valid e-mail address (write it as name@domain)",
    },
    "config.empty_list": {"vi": "danh sách không được rỗng", "en": "the list must not be empty"},
    "config.password_refused": {
        "vi": 'không ghi mật khẩu trong tệp cấu hình; dùng password_env = "TEN_BIEN" '
        '(biến môi trường) hoặc password_command = "lệnh in ra mật khẩu"',
        "en": 'passwords are never written in the config; use password_env = "VAR_NAME" '
        '(an environment variable) or password_command = "a command that prints it"',
    },
    "config.no_password_source": {
        "vi": "cần password_env hoặc password_command để đăng nhập hộp thư",
        "en": "password_env or password_command is needed to log in to the mailbox",
    },
    "config.two_password_sources": {
        "vi": "chỉ dùng một trong hai: password_env hoặc password_command",
        "en": "use only one of password_env and password_command",
    },
    "config.password_env_unset": {
        "vi": "Biến môi trường {var} (mật khẩu hộp thư) chưa được đặt",
        "en": "Environment variable {var} (the mailbox password) is not set",
    },
    "config.password_env_unset_hint": {
        "vi": "Đặt nó trước khi chạy, ví dụ: export {var}='...'",
        "en": "Set it before running, e.g. export {var}='...'",
    },
    "config.password_command_failed": {
        "vi": "Lệnh lấy mật khẩu '{cmd}' lỗi: {error}",
        "en": "Password command '{cmd}' failed: {error}",
    },
    "config.bad_port": {
        "vi": "cổng {port} không hợp lệ (1–65535)",
        "en": "port {port} is out of range (1-65535)",
    },
    "config.bad_choice": {
        "vi": "'{value}' không hợp lệ; chọn một trong: {choices}",
        "en": "'{value}' is not valid; choose one of: {choices}",
    },
    "config.must_be_positive": {"vi": "phải lớn hơn 0", "en": "must be greater than 0"},
    "config.bad_time": {
        "vi": "'{value}' không phải giờ hợp lệ (dạng HH:MM)",
        "en": "'{value}' is not a valid time (write HH:MM)",
    },
    "config.bad_timezone": {
        "vi": "'{value}' không phải tên múi giờ IANA (ví dụ: Asia/Ho_Chi_Minh)",
        "en": "'{value}' is not an IANA time zone name (e.g. Asia/Ho_Chi_Minh)",
    },
    "config.bad_code": {
        "vi": "mã '{code}' chỉ được gồm chữ, số, '-' và '_'",
        "en": "code '{code}' may contain only letters, digits, '-' and '_'",
    },
    "config.duplicate_code": {
        "vi": "mã phòng '{code}' bị trùng với departments[{index}]",
        "en": "department code '{code}' duplicates departments[{index}]",
    },
    "config.duplicate_email": {
        "vi": "địa chỉ {email} đã thuộc phòng {code}",
        "en": "address {email} already belongs to department {code}",
    },
    "config.duplicate_campaign": {
        "vi": "mã đợt báo cáo '{id}' bị trùng",
        "en": "campaign id '{id}' is used twice",
    },
    "config.file_missing": {
        "vi": "không có tệp {path}",
        "en": "file {path} does not exist",
    },
    "config.bad_synonym": {
        "vi": 'mỗi cặp đồng nghĩa phải là ["cụm từ", "cụm từ tương đương"], nhưng có {value}',
        "en": 'each synonym must be ["phrase", "equivalent phrase"], got {value}',
    },
    "config.unknown_department": {
        "vi": "không có phòng nào mã '{code}' trong cấu hình",
        "en": "no department with code '{code}' in the config",
    },
    "config.unknown_campaign": {
        "vi": "không có đợt báo cáo '{id}' trong cấu hình (có: {known})",
        "en": "no campaign '{id}' in the config (known: {known})",
    },
    "config.fix_and_retry": {
        "vi": "Sửa các dòng trên trong tệp cấu hình rồi chạy lại.",
        "en": "Fix the lines above in the config file and run again.",
    },
}
