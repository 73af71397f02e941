"""Sentences of `mailflow send` and the outbox."""

MESSAGES = {
    # --- the mail itself ------------------------------------------------------------------
    "send.mail.subject": {
        "vi": "[{token}] Đề nghị báo cáo: {title} (hạn {deadline})",
        "en": "[{token}] Report requested: {title} (due {deadline})",
    },
    # --- outbox -----------------------------------------------------------------------------
    "send.partly_refused": {
        "vi": "máy chủ từ chối một phần người nhận: {who}",
        "en": "the server refused some recipients: {who}",
    },
    "send.resolve_no_imap": {
        "vi": "{n} thư bị ngắt giữa chừng ở lần gửi trước nhưng không có kết nối IMAP để kiểm tra thư mục Đã gửi",
        "en": "{n} mails were interrupted during the last run but there is no IMAP connection to check the Sent folder",
    },
    "send.resolve_hint": {
        "vi": "Kiểm tra [mailbox] imap trong config.toml rồi chạy lại; mailflow không gửi lại khi chưa biết chắc thư đã đi hay chưa",
        "en": "Check [mailbox] imap in config.toml and run again; mailflow does not resend before it knows whether the mail went out",
    },
    "send.resolved_resend": {
        "vi": "lần gửi trước bị ngắt trước khi máy chủ xác nhận; không thấy trong thư mục Đã gửi nên gửi lại",
        "en": "the last run stopped before the server confirmed; not in the Sent folder, so sent again",
    },
    # --- the command ------------------------------------------------------------------------
    "send.col.department": {"vi": "Phòng, đơn vị", "en": "Department"},
    "send.col.address": {"vi": "Địa chỉ", "en": "Address"},
    "send.col.sections": {"vi": "Mục phải báo cáo", "en": "Sections"},
    "send.col.attachments": {"vi": "Tệp đính kèm", "en": "Attachments"},
    "send.col.reminders": {"vi": "Ngày nhắc", "en": "Reminders"},
    "send.col.status": {"vi": "Trạng thái", "en": "Status"},
    "send.col.reason": {"vi": "Lý do", "en": "Reason"},
    "send.no_sections": {
        "vi": "(không có mục riêng; vẫn gửi công văn)",
        "en": "(no section of its own; still gets the directive)",
    },
    "send.status.new": {"vi": "chưa gửi", "en": "not sent"},
    "send.status.queued": {"vi": "đang chờ gửi", "en": "queued"},
    "send.status.sending": {"vi": "bị ngắt khi gửi", "en": "interrupted"},
    "send.status.sent": {"vi": "đã gửi", "en": "sent"},
    "send.status.failed": {"vi": "lỗi", "en": "failed"},
    "send.plan_title": {
        "vi": "Kế hoạch gửi công văn {campaign} ({n} phòng, đơn vị; hạn {deadline})",
        "en": "Directive plan for {campaign} ({n} departments; due {deadline})",
    },
    "send.dry_run": {
        "vi": "Chạy thử: chưa gửi thư nào. Các tệp xem trước ở {path}. Thêm --send để gửi.",
        "en": "Dry run: nothing was sent. Preview files are in {path}. Add --send to send.",
    },
    "send.unresolved_warning": {
        "vi": "Cảnh báo: {n} dòng phân công trong đề cương không khớp phòng, đơn vị nào (xem `mailflow outline --campaign {campaign}`)",
        "en": "Warning: {n} assignment lines of the outline name no known department (see `mailflow outline --campaign {campaign}`)",
    },
    "send.unresolved_refused": {
        "vi": "Không gửi: {n} dòng phân công trong đề cương không khớp phòng, đơn vị nào, nên có phòng sẽ không biết mục của mình",
        "en": "Not sending: {n} assignment lines of the outline name no known department, so some department would miss its sections",
    },
    "send.unresolved_hint": {
        "vi": "Chạy `mailflow outline --campaign {campaign}`, thêm tên gọi vào aliases của phòng trong config.toml hoặc sửa đề cương",
        "en": "Run `mailflow outline --campaign {campaign}`, add the name to the department's aliases in config.toml or fix the outline",
    },
    "send.resolved_found": {
        "vi": "{code}: lần trước bị ngắt nhưng thư đã có trong thư mục Đã gửi, ghi nhận là đã gửi",
        "en": "{code}: interrupted last time but the mail is in the Sent folder; recorded as sent",
    },
    "send.resolved_again": {
        "vi": "{code}: lần trước bị ngắt trước khi máy chủ nhận thư; sẽ gửi lại",
        "en": "{code}: interrupted last time before the server took the mail; sending it again",
    },
    "send.progress_render": {"vi": "Soạn công văn", "en": "Rendering"},
    "send.progress_send": {"vi": "Gửi thư", "en": "Sending"},
    "send.nothing_new": {
        "vi": "Không có gì mới để gửi: cả {n} công văn của {campaign} đã gửi trước đó.",
        "en": "Nothing new to send: all {n} directives of {campaign} were sent before.",
    },
    "send.done": {
        "vi": "Đã gửi {sent} công văn ({before} đã gửi từ trước, {failed} lỗi).",
        "en": "Sent {sent} directives ({before} sent before, {failed} failed).",
    },
    "send.failed_title": {
        "vi": "Các thư không gửi được",
        "en": "Mails that could not be sent",
    },
    "send.failed_hint": {
        "vi": "Sửa địa chỉ trong config.toml (hoặc chờ máy chủ) rồi chạy lại `mailflow send --campaign {campaign} --send`: chỉ các thư lỗi được gửi lại.",
        "en": "Fix the address in config.toml (or wait for the server) and run `mailflow send --campaign {campaign} --send` again: only the failed mails are retried.",
    },
    "send.gave_up": {
        "vi": "bỏ cuộc sau {hours} giờ thử lại: {error}",
        "en": "gave up after {hours} hours of retrying: {error}",
    },
    "send.deferred": {
        "vi": "{who}: chưa gửi được ({error}); sẽ thử lại lúc {at}",
        "en": "{who}: not sent yet ({error}); will try again at {at}",
    },
    "send.waiting": {
        "vi": "{n} thư chờ gửi quá {minutes} phút (máy chủ SMTP chưa nhận):",
        "en": "{n} mails have waited over {minutes} minutes (the SMTP server has not taken them):",
    },
    "send.waiting_line": {
        "vi": "{kind} tới {to}, chờ từ {since}: {error}",
        "en": "{kind} to {to}, waiting since {since}: {error}",
    },
    "send.stopped": {
        "vi": "Dừng gửi vì kết nối SMTP liên tục lỗi: {reason}. {n} thư còn chờ, sẽ gửi ở lần chạy sau.",
        "en": "Stopped sending because the SMTP connection keeps failing: {reason}. {n} mails wait for the next run.",
    },
    "send.copy_failed": {
        "vi": "Đã gửi nhưng không lưu được bản sao vào thư mục Đã gửi: {error}",
        "en": "Sent, but the copy could not be saved in the Sent folder: {error}",
    },
    "send.failed_exit": {
        "vi": "{n} công văn không gửi được",
        "en": "{n} directives could not be sent",
    },
    "send.retry_failed": {
        "vi": "Gửi lại {n} thư lỗi lần trước: {codes}",
        "en": "Retrying {n} mails that failed last time: {codes}",
    },
    "send.templates_missing": {
        "vi": "Không tìm thấy mẫu thư {name} trong {path}",
        "en": "Mail template {name} not found in {path}",
    },
    "send.templates_missing_hint": {
        "vi": "Chép thư mục templates/mail của mailflow vào thư mục templates trong config.toml",
        "en": "Copy mailflow's templates/mail folder into the templates folder named in config.toml",
    },
    "send.template_error": {
        "vi": "Mẫu thư {name} lỗi: {error}",
        "en": "Mail template {name} is broken: {error}",
    },
    "send.attachment.directive": {"vi": "Công văn", "en": "Directive"},
    "send.attachment.outline": {"vi": "Đề cương (đã đánh dấu)", "en": "Outline (marked)"},
    "send.preview_written": {
        "vi": "Đã ghi {n} tệp xem trước vào {path}",
        "en": "Wrote {n} preview files to {path}",
    },
    "send.bench_needs_root": {
        "vi": "bench/send cần quyền root và Postfix + Dovecot (apt-get install postfix dovecot-imapd dovecot-lmtpd) để chạy một máy chủ thư thật cục bộ",
        "en": "bench/send needs root and Postfix + Dovecot (apt-get install postfix dovecot-imapd dovecot-lmtpd) to run a real local mail server",
    },
}
