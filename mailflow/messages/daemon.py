"""Sentences of `mailflow run`, the reminders and `mailflow demo`."""

MESSAGES = {
    "daemon.already_running": {
        "vi": "mailflow run đang chạy (tiến trình {pid}, khoá {lock}); không chạy tiến trình thứ hai",
        "en": "mailflow run is already running (process {pid}, lock {lock}); not starting a second",
    },
    "daemon.already_running_hint": {
        "vi": "Dừng tiến trình kia (systemctl stop mailflow, hoặc kill) rồi chạy lại.",
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
    "daemon.job_cut": {
        "vi": "{job}: dừng giữa chừng sau {seconds} giây (giới hạn daemon.job_budget_seconds"
        " = {budget}); phần còn lại làm ở lượt sau",
        "en": "{job}: cut short after {seconds} s (daemon.job_budget_seconds = {budget});"
        " the rest waits for the next round",
    },
    "daemon.job_over_budget": {
        "vi": "{job}: chạy {seconds} giây, quá giới hạn daemon.job_budget_seconds = {budget}",
        "en": "{job}: ran {seconds} s, over daemon.job_budget_seconds = {budget}",
    },
    "daemon.outbox_waiting": {
        "vi": "{n} thư chờ gửi quá {minutes} phút; cũ nhất: {oldest} ({error})",
        "en": "{n} mails have waited over {minutes} minutes to go out; oldest: {oldest} ({error})",
    },
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
    "demo.server": {
        "vi": "Máy chủ thư nhúng: IMAP {imap}, SMTP {smtp}, {n} hộp thư",
        "en": "Embedded mail server: IMAP {imap}, SMTP {smtp}, {n} mailboxes",
    },
    "demo.workspace": {"vi": "Thư mục làm việc: {path}", "en": "Workspace: {path}"},
    "demo.folder_not_empty": {
        "vi": "{path} đã có tệp và không phải thư mục demo; không ghi đè",
        "en": "{path} is not empty and not a demo folder; not overwriting it",
    },
    "demo.folder_not_empty_hint": {
        "vi": "Chọn thư mục khác: mailflow demo --dir THƯ_MỤC",
        "en": "Choose another folder: mailflow demo --dir FOLDER",
    },
    "demo.no_directive": {
        "vi": "Hộp thư {address} chưa nhận được công văn",
        "en": "{address} has not received the directive",
    },
    "demo.directives": {
        "vi": "{when:%d/%m/%Y %H:%M} Gửi công văn và đề cương: {n} thư",
        "en": "{when:%d/%m/%Y %H:%M} Sent the directive and outline: {n} mails",
    },
    "demo.act": {
        "vi": "{when:%d/%m/%Y %H:%M} {code} trả lời: {style}",
        "en": "{when:%d/%m/%Y %H:%M} {code} replies: {style}",
    },
    "demo.style_verbatim": {
        "vi": "báo cáo .docx, đề mục chép nguyên văn đề cương",
        "en": ".docx report, headings copied from the outline",
    },
    "demo.style_paraphrased": {
        "vi": "báo cáo .docx, đề mục viết lại theo cách của phòng",
        "en": ".docx report, headings in its own words",
    },
    "demo.style_no-diacritics": {
        "vi": "báo cáo .docx gõ không dấu",
        "en": ".docx report typed without diacritics",
    },
    "demo.style_table": {
        "vi": "báo cáo .docx có bảng số liệu",
        "en": ".docx report with a table of figures",
    },
    "demo.style_body": {
        "vi": "viết ngay trong thư, không đính kèm",
        "en": "written in the mail body, no attachment",
    },
    "demo.style_out-of-office": {
        "vi": "thư trả lời tự động: nghỉ phép đến 19/7",
        "en": "automatic reply: on leave until 19/7",
    },
    "demo.style_revision": {
        "vi": "bản sửa đổi thay bản đã gửi",
        "en": "a revision replacing the earlier report",
    },
    "demo.style_late": {
        "vi": "báo cáo gửi muộn, sau hạn",
        "en": "a late report, after the deadline",
    },
    "demo.reminders": {"vi": "Thư nhắc đã gửi:", "en": "Reminders sent:"},
    "demo.reminder_line": {
        "vi": "  {day}  {code:<5} ({reason})",
        "en": "  {day}  {code:<5} ({reason})",
    },
    "demo.reason_before": {"vi": "trước hạn", "en": "before the deadline"},
    "demo.reason_deadline": {"vi": "đúng hạn", "en": "on the deadline"},
    "demo.reason_overdue": {"vi": "quá hạn", "en": "overdue"},
    "demo.reason_postponed": {"vi": "hoãn vì vắng mặt", "en": "postponed while away"},
    "demo.office_mails": {
        "vi": "Văn phòng ({address}) đã nhận {n} thư dự thảo",
        "en": "The Office ({address}) received {n} draft mails",
    },
    "demo.directive_count": {
        "vi": "Mỗi phòng nhận đúng một công văn: {ok}",
        "en": "Each department got exactly one directive: {ok}",
    },
    "demo.grid_title": {"vi": "Tình hình báo cáo", "en": "Report status"},
    "demo.col_department": {"vi": "Phòng", "en": "Department"},
    "demo.col_received": {"vi": "Nhận lúc", "en": "Received"},
    "demo.col_late": {"vi": "Muộn", "en": "Late"},
    "demo.col_missing": {"vi": "Còn thiếu mục", "en": "Missing sections"},
    "demo.final_docx": {"vi": "Dự thảo cuối (.docx): {path}", "en": "Final draft (.docx): {path}"},
    "demo.final_pdf": {"vi": "Dự thảo cuối (.pdf): {path}", "en": "Final draft (.pdf): {path}"},
    "demo.no_pdf": {
        "vi": "Không tạo được PDF (cần LibreOffice)",
        "en": "No PDF could be made (LibreOffice needed)",
    },
    "demo.took": {"vi": "Xong sau {seconds:.0f} giây.", "en": "Done in {seconds:.0f} s."},
    "demo.yes": {"vi": "có", "en": "yes"},
    "demo.no": {"vi": "không", "en": "no"},
}
