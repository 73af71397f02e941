"""Sentences of the command line itself."""

MESSAGES = {
    "cli.error": {"vi": "Lỗi", "en": "Error"},
    "cli.hint": {"vi": "Gợi ý", "en": "Hint"},
    "cli.interrupted": {"vi": "Đã dừng theo yêu cầu.", "en": "Stopped on request."},
    "cli.ok": {"vi": "OK", "en": "OK"},
}
