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
    "send.refused": {
        "vi": "Không gửi: {n} vấn đề phải sửa trước (các dòng ✗ ở trên); chưa thư nào được gửi",
        "en": "Not sending: {n} problems to fix first (the ✗ lines above); nothing was sent",
    },
    "send.would_refuse": {
        "vi": "--send sẽ từ chối gửi: {n} vấn đề phải sửa trước",
        "en": "--send would refuse: {n} problems to fix first",
    },
    "send.fix_then": {
        "vi": "Cần sửa: {what}. Sau đó chạy `mailflow check` rồi chạy lại lệnh này.",
        "en": "To fix: {what}. Then run `mailflow check` and this command again.",
    },
    "send.interrupted": {
        "vi": "Đã dừng theo yêu cầu: {sent} công văn đã gửi, còn {remaining} chưa gửi. Chạy lại để gửi tiếp (an toàn: mỗi phòng chỉ nhận một lần): {command}",
        "en": "Stopped on request: {sent} directives sent, {remaining} not yet. Run again to finish (safe: each department gets one): {command}",
    },
    "send.left_queued": {
        "vi": "{n} công văn chưa gửi được, còn chờ trong hàng đợi. Khi máy chủ nhận thư, chạy lại: {command}",
        "en": "{n} directives were not sent and wait in the queue. When the server takes mail, run again: {command}",
    },
    "send.preview_skipped": {
        "vi": "Không tạo được tệp xem trước: {error}",
        "en": "No preview files: {error}",
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
    "send.unknown_tags": {
        "vi": "Mẫu {path} dùng thẻ mailflow không có: {tags}. Các thẻ dùng được: {valid}",
        "en": "Template {path} uses tags mailflow does not provide: {tags}. Tags you can use: {valid}",
    },
    "send.unknown_tags_hint": {
        "vi": "Sửa tên thẻ trong mẫu (giữ mỗi thẻ trong một đoạn chữ liền trong Word) rồi chạy `mailflow check`",
        "en": "Fix the tag's name in the template (keep each tag in one run of text in Word), then run `mailflow check`",
    },
    "send.problem_unresolved": {
        "vi": 'Đợt {campaign}: mục {key} giao cho "{fragment}" nhưng không có phòng, đơn vị nào tên như vậy; gần nhất: {closest}',
        "en": 'Campaign {campaign}: section {key} is assigned to "{fragment}", which names no known department; closest: {closest}',
    },
    "send.problem_file_hint": {
        "vi": "Sửa đường dẫn outline/directive của đợt trong config.toml hoặc chép tệp Word vào đó",
        "en": "Fix the campaign's outline/directive path in config.toml or put the Word file there",
    },
    "send.problem_deadline_passed": {
        "vi": "Đợt {campaign}: hạn {deadline} đã qua (hôm nay {today}) mà chưa gửi công văn nào",
        "en": "Campaign {campaign}: the deadline {deadline} has passed (today is {today}) and no directive was sent",
    },
    "send.problem_deadline_year": {
        "vi": "Đợt {campaign}: hạn {deadline} không thuộc năm {year} mà tên đợt nêu",
        "en": "Campaign {campaign}: the deadline {deadline} is not in {year}, the year its title names",
    },
    "send.problem_deadline_hint": {
        "vi": "Sửa deadline (và title) của đợt trong config.toml",
        "en": "Fix the campaign's deadline (and title) in config.toml",
    },
    "send.problem_own_address": {
        "vi": "{code}: địa chỉ {address} là hộp thư của chính mailflow; thư trả lời sẽ bị coi là thư của mình",
        "en": "{code}: {address} is mailflow's own mailbox; replies from it would look like our own mail",
    },
    "send.problem_own_address_hint": {
        "vi": "Sửa emails của phòng trong config.toml",
        "en": "Fix the department's emails in config.toml",
    },
    "send.problem_year": {
        "vi": "Mẫu {path} ghi năm {years}, nhưng đợt {campaign} là năm {year}",
        "en": "Template {path} names the year {years}, but campaign {campaign} is about {year}",
    },
    "send.problem_year_hint": {
        "vi": "Thay năm viết sẵn bằng một trong các thẻ: {tags}",
        "en": "Replace the written year with one of the tags: {tags}",
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
