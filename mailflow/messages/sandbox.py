"""Sentences about the converter sandbox (bubblewrap) and converter runs."""

MESSAGES = {
    "sandbox.timeout": {
        "vi": "{program} chạy quá {seconds} giây; đã dừng hẳn mọi tiến trình của nó.",
        "en": "{program} ran longer than {seconds} s; all of its processes were killed.",
    },
    "sandbox.cannot_start": {
        "vi": "Không khởi động được {program}: {detail}",
        "en": "Cannot start {program}: {detail}",
    },
    "sandbox.hint": {
        "vi": "Tệp gốc vẫn được lưu; kiểm tra tệp hoặc tăng thời gian cho phép.",
        "en": "The original file is kept; check the file or allow more time.",
    },
    "sandbox.check_ok": {
        "vi": "Hộp cách ly công cụ chuyển đổi: bubblewrap (không mạng, chỉ thấy thư mục làm việc)",
        "en": "Converter sandbox: bubblewrap (no network, sees only its working folder)",
    },
    "sandbox.check_none": {
        "vi": "Không có hộp cách ly cho LibreOffice/OCR (thiếu bubblewrap hoặc không tạo được "
        "namespace): công cụ chuyển đổi chạy trực tiếp, chỉ trên bản đã làm sạch. "
        "Cài gói 'bubblewrap' để cách ly.",
        "en": "No sandbox for LibreOffice/OCR (bubblewrap missing or namespaces not allowed): "
        "converters run unsandboxed, on sanitised copies only. Install 'bubblewrap' to "
        "isolate them.",
    },
    "sandbox.fallback_log": {
        "vi": "Không có bubblewrap (bwrap) dùng được: LibreOffice và các công cụ chuyển đổi "
        "chạy KHÔNG cách ly (vẫn có mạng và thấy tệp của máy chủ); chỉ chuyển bản đã làm sạch.",
        "en": "No usable bubblewrap (bwrap): LibreOffice and other converters run UNSANDBOXED "
        "(network and the server's files reachable); only sanitised copies are converted.",
    },
}
