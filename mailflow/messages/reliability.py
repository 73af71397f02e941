"""Sentences about faults met and survived (retries, interrupted polls)."""

MESSAGES = {
    "reliability.send_retry": {
        "vi": "{code}: máy chủ thư tạm thời không nhận (lần {attempt}: {error}); sẽ thử lại",
        "en": "{code}: the mail server did not take it for now (attempt {attempt}: {error}); will retry",
    },
}
