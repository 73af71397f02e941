"""Sentences of `mailflow run`, the reminders and `mailflow demo`."""

MESSAGES = {
    "daemon.already_running": {
        "vi": "mailflow run đang chạy (tiến trình {pid}, khoá {lock}); không chạy tiến trình thứ hai",
        "en": "mailflow run is already running (process {pid}, lock {lock}); not starting a second",
    },
    "daemon.already_running_hint": {
        "vi": "Dừng tiến trình kia (systemctl stop mailflow hoặc kill {pid}) rồi chạy lại.",
        "en": "Stop the other one (systemctl stop mailflow, or kill it) and start again.",
    },
    "daemon.bad_fake_clock": {
        "vi": "Biến MAILFLOW_FAKE_NOW/ANCHOR/SPEED không hợp lệ: {error}",
        "en": "MAILFLOW_FAKE_NOW/ANCHOR/SPEED is not valid: {error}",
    },
    "daemon.started": {
        "vi": "mailflow run: bắt đầu (tiến trình {pid}, giờ {now:%Y-%m-%d %H:%M})",
        "en": "mailflow run: started (process {pid}, time {now:%Y-%m-%d %H:%M})",
    },
    "daemon.stopping": {
        "vi": "Nhận {signal}: làm xong việc đang dở rồi dừng",
        "en": "Got {signal}: finishing the current job, then stopping",
    },
    "daemon.stopped": {"vi": "mailflow run: đã dừng", "en": "mailflow run: stopped"},
    "daemon.job_transient": {
        "vi": "{job}: lỗi tạm thời ({error}); thử lại sau {delay} giây",
        "en": "{job}: temporary failure ({error}); retrying in {delay} s",
    },
    "daemon.job_failed": {
        "vi": "{job}: lỗi ({error}); thử lại sau {delay} giây",
        "en": "{job}: failed ({error}); retrying in {delay} s",
    },
    "daemon.job_crashed": {
        "vi": "{job}: lỗi không lường trước; thử lại sau {delay} giây",
        "en": "{job}: unexpected error; retrying in {delay} s",
    },
    "daemon.job_recovered": {
        "vi": "{job}: chạy lại bình thường sau {failures} lần lỗi",
        "en": "{job}: working again after {failures} failure(s)",
    },
    "daemon.job_missing": {
        "vi": "{job}: chưa có trong bản cài đặt này; bỏ qua",
        "en": "{job}: not available in this installation; skipped",
    },
    "daemon.idle_started": {
        "vi": "IMAP IDLE: đang chờ thư mới",
        "en": "IMAP IDLE: waiting for new mail",
    },
    "daemon.idle_unsupported": {
        "vi": "Máy chủ IMAP không hỗ trợ IDLE; dùng hỏi định kỳ",
        "en": "The IMAP server has no IDLE; polling instead",
    },
    "daemon.idle_failed": {
        "vi": "IMAP IDLE lỗi ({error}); hỏi định kỳ, thử IDLE lại sau {delay} giây",
        "en": "IMAP IDLE failed ({error}); polling meanwhile, retrying IDLE in {delay} s",
    },
    "daemon.intake_summary": {
        "vi": "nhận {fetched} thư, đối chiếu {matched} báo cáo",
        "en": "took in {fetched} mail(s), matched {matched} report(s)",
    },
    "daemon.remind_summary": {"vi": "gửi {n} thư nhắc", "en": "sent {n} reminder(s)"},
    "daemon.outbox_summary": {
        "vi": "gửi {sent} thư, {failed} thư lỗi",
        "en": "sent {sent} mail(s), {failed} failed",
    },
    "daemon.office_summary": {
        "vi": "gửi Văn phòng dự thảo {campaign} bản {version} ({reason})",
        "en": "sent the Office draft {campaign} version {version} ({reason})",
    },
    "daemon.reminder_queued": {
        "vi": "Nhắc {department} ({reason}): còn thiếu mục {sections}",
        "en": "Reminding {department} ({reason}): missing sections {sections}",
    },
    "daemon.template_broken": {
        "vi": "Mẫu thư {name} bị lỗi: {error}",
        "en": "The {name} mail template is broken: {error}",
    },
    "daemon.template_broken_hint": {
        "vi": "Sửa mẫu trong {dir} (cú pháp Jinja) hoặc xoá nó để dùng mẫu mặc định.",
        "en": "Fix the template in {dir} (Jinja syntax) or remove it to use the default.",
    },
    "daemon.reminder_subject_before": {
        "vi": "Nhắc hạn báo cáo: [{token}] {campaign} — hạn {deadline}",
        "en": "Reminder: [{token}] {campaign} — due {deadline}",
    },
    "daemon.reminder_subject_postponed": {
        "vi": "Nhắc hạn báo cáo: [{token}] {campaign} — hạn {deadline}",
        "en": "Reminder: [{token}] {campaign} — due {deadline}",
    },
    "daemon.reminder_subject_deadline": {
        "vi": "Hôm nay hết hạn báo cáo: [{token}] {campaign}",
        "en": "Due today: [{token}] {campaign}",
    },
    "daemon.reminder_subject_overdue": {
        "vi": "Quá hạn báo cáo {days_late} ngày: [{token}] {campaign}",
        "en": "Overdue by {days_late} day(s): [{token}] {campaign}",
    },
    "daemon.once_done": {
        "vi": "Đã chạy mọi việc đến hạn một lần.",
        "en": "Ran every due job once.",
    },
}
