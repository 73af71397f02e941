"""Sentences of the command line itself, including click's own (usage, errors, help).

Why click's texts live here: one run speaks one language, so "Missing option", "Usage:"
and "Show this message and exit." must come from the same catalogue as mailflow's own
sentences. ``mailflow.cli.clicktext`` routes click's gettext calls to the ``cli.click.*``
entries below, whose ``en`` text is click's message id, unchanged.
"""

MESSAGES = {
    "cli.error": {"vi": "Lỗi", "en": "Error"},
    "cli.hint": {"vi": "Gợi ý", "en": "Hint"},
    "cli.interrupted": {"vi": "Đã dừng theo yêu cầu.", "en": "Stopped on request."},
    "cli.ok": {"vi": "OK", "en": "OK"},
    "cli.campaign_needed": {
        "vi": "Có {n} đợt báo cáo đang mở; chọn một bằng --campaign: {known}.",
        "en": "{n} campaigns are open; pick one with --campaign: {known}.",
    },
    "cli.campaign_none": {
        "vi": "Cấu hình chưa có đợt báo cáo nào ([[campaigns]] trong {path}).",
        "en": "The config has no campaign yet ([[campaigns]] in {path}).",
    },
    "cli.progress.step": {"vi": "[{n}/{total}] {what}", "en": "[{n}/{total}] {what}"},
    "cli.progress.count": {"vi": "{what}: {done}/{total}", "en": "{what}: {done}/{total}"},
    "cli.progress.match": {
        "vi": "Xếp các phần báo cáo mới vào đề cương",
        "en": "Placing new report parts in the outline",
    },
    "cli.progress.draft": {"vi": "Dựng dự thảo", "en": "Building the draft"},
    "cli.progress.draft_pdf": {
        "vi": "Dựng dự thảo và bản PDF",
        "en": "Building the draft and its PDF",
    },
    "cli.progress.ingest": {"vi": "Đã xử lý thư", "en": "Mails processed"},
    "cli.send.plan_line": {
        "vi": "{code} → {address} · {sections} · đính kèm: {attachments} · {status}",
        "en": "{code} → {address} · {sections} · attached: {attachments} · {status}",
    },
    "cli.send.plan_sections": {"vi": "mục {keys}", "en": "sections {keys}"},
    "cli.send.would_refuse": {
        "vi": "--send sẽ từ chối gửi: {what}",
        "en": "--send would refuse: {what}",
    },
    "cli.send.unknown_department": {
        "vi": "Đợt này không gửi cho phòng: {codes}.",
        "en": "This campaign does not go to: {codes}.",
    },
    "cli.send.departments_are": {
        "vi": "Các mã phòng của đợt: {codes}",
        "en": "The campaign's department codes: {codes}",
    },
    "cli.campaign_needed_hint": {
        "vi": "Ví dụ: --campaign {example}",
        "en": "For example: --campaign {example}",
    },
    "cli.group_help": {
        "vi": "mailflow: gửi công văn, nhận báo cáo, tổng hợp dự thảo.",
        "en": "mailflow: mail the directive, collect the reports, assemble the draft.",
    },
    "cli.version": {"vi": "mailflow, phiên bản {version}", "en": "mailflow, version {version}"},
    "cli.opt.version": {"vi": "Hiện phiên bản rồi thoát.", "en": "Show the version and exit."},
    "cli.options_metavar": {"vi": "[TÙY_CHỌN]", "en": "[OPTIONS]"},
    "cli.subcommand_metavar": {"vi": "LỆNH [ĐỐI_SỐ]...", "en": "COMMAND [ARGS]..."},
    # one line per command: the group's list and the first line of the command's --help
    "cli.cmd.init": {
        "vi": "Tạo cấu hình mẫu và các mẫu văn bản.",
        "en": "Write a sample config and the templates.",
    },
    "cli.cmd.check": {
        "vi": "Kiểm tra cấu hình, tệp, mẫu và đăng nhập IMAP/SMTP, không gửi gì.",
        "en": "Validate config, files, templates and IMAP/SMTP logins, sending nothing.",
    },
    "cli.cmd.mailserver": {
        "vi": "Chạy máy chủ thư nhúng để thử.",
        "en": "Serve the embedded mail server on loopback.",
    },
    "cli.cmd.review": {
        "vi": "Xem các thư và phần việc cần người xem xét.",
        "en": "List the mails and parts waiting for a person.",
    },
    "cli.cmd.place": {
        "vi": "Đặt một phần báo cáo vào một mục của đề cương.",
        "en": "Place a report part in an outline section.",
    },
    "cli.cmd.campaign": {
        "vi": "Xếp một thư đang chờ vào đợt báo cáo CAMPAIGN_ID (phòng của người gửi).",
        "en": "File a held mail under campaign CAMPAIGN_ID (the sender's department).",
    },
    "cli.cmd.release": {
        "vi": "Nhận một thư đang chờ là báo cáo của một phòng.",
        "en": "Accept a held mail as a department's report.",
    },
    "cli.cmd.restore": {
        "vi": "Khôi phục một phần báo cáo đã bỏ.",
        "en": "Bring back a report part that was set aside.",
    },
    "cli.cmd.history": {
        "vi": "Lịch sử thư và thao tác của một đợt.",
        "en": "History of a campaign's mails and actions.",
    },
    "cli.cmd.assemble": {
        "vi": "Tổng hợp dự thảo từ các báo cáo đã nhận.",
        "en": "Assemble the draft from the reports received.",
    },
    "cli.cmd.status": {
        "vi": "Bảng tình hình nộp báo cáo theo phòng.",
        "en": "The grid of who has reported what.",
    },
    "cli.cmd.demo": {
        "vi": "Chạy thử trọn một đợt báo cáo trên máy này.",
        "en": "Run a whole campaign on this machine, on simulated days.",
    },
    "cli.cmd.poll": {
        "vi": "Nhận thư báo cáo từ hộp thư IMAP.",
        "en": "Fetch report mails from the IMAP mailbox.",
    },
    "cli.cmd.ingest": {
        "vi": "Nhận các thư đã lưu (.eml, mbox, Maildir) như khi nhận qua IMAP.",
        "en": "Take saved mails (.eml, mbox, Maildir) through the same intake as poll.",
    },
    "cli.cmd.import": {
        "vi": "Nhập một tệp báo cáo nhận ngoài thư cho một phòng.",
        "en": "Import a report file received outside mail for a department.",
    },
    "cli.cmd.outline": {
        "vi": "Xem cây đề cương và phân công.",
        "en": "Show the outline tree and who writes what.",
    },
    "cli.cmd.run": {
        "vi": "Chạy tự động: nhận thư, nhắc hạn, gửi dự thảo.",
        "en": "Run the campaign by itself: poll, remind, send the draft.",
    },
    "cli.cmd.send": {
        "vi": "Gửi công văn và đề cương cho các phòng (mặc định: chạy thử).",
        "en": "Mail the directive and the marked outline (default: dry run).",
    },
    # option help: cli.opt.<command>.<param> first, then cli.opt.<param>
    "cli.opt.config_path": {
        "vi": "Tệp config.toml (mặc định: $MAILFLOW_CONFIG hoặc ./config.toml)",
        "en": "config.toml (default: $MAILFLOW_CONFIG or ./config.toml)",
    },
    "cli.opt.lang": {"vi": "Ngôn ngữ thông báo", "en": "Language of messages"},
    "cli.opt.debug": {"vi": "Hiện traceback khi lỗi", "en": "Show tracebacks on errors"},
    "cli.opt.campaign_id": {
        "vi": "Mã đợt báo cáo (bỏ qua được khi chỉ có một đợt)",
        "en": "Campaign id (may be left out when only one campaign is open)",
    },
    "cli.opt.code": {"vi": "Mã phòng", "en": "Department code"},
    "cli.opt.do_send": {
        "vi": "Gửi thật (mặc định: chỉ chạy thử)",
        "en": "Really send (default: dry run)",
    },
    "cli.opt.preview_dir": {
        "vi": "Thư mục xem trước (mặc định: <thư mục cấu hình>/preview/<đợt>)",
        "en": "Preview folder (default: <config dir>/preview/<campaign>)",
    },
    "cli.opt.allow_unresolved": {
        "vi": "Gửi dù đề cương có dòng phân công không khớp",
        "en": "Send despite unresolved assignment lines",
    },
    "cli.opt.mailserver.backend": {
        "vi": "maildir giữ thư qua các lần chạy; dict giữ trong bộ nhớ",
        "en": "maildir keeps mail across restarts; dict keeps it in memory",
    },
    "cli.opt.demo.backend": {
        "vi": "Nơi máy chủ thư nhúng giữ thư",
        "en": "Where the embedded server keeps mail",
    },
    "cli.opt.directory": {
        "vi": "Thư mục cho bản chạy thử (bản cũ ở đó bị thay)",
        "en": "Folder for the demo workspace (a previous demo there is replaced)",
    },
    "cli.opt.no_receipt": {"vi": "Không gửi thư báo đã nhận", "en": "Do not send the receipt mail"},
    "cli.opt.out": {"vi": "Chép dự thảo ra đường dẫn này", "en": "Copy the draft to this path"},
    "cli.opt.assemble.send": {
        "vi": "Gửi dự thảo cho Văn phòng ngay",
        "en": "Mail the draft to the Office now",
    },
    "cli.opt.no_pdf": {"vi": "Không tạo PDF", "en": "Do not make a PDF"},
    "cli.opt.assemble.keep": {
        "vi": "Cùng --out: giữ cả bản này thành một bản dự thảo có số",
        "en": "With --out: also keep it as a numbered draft version",
    },
    "cli.opt.html_path": {
        "vi": "Ghi thêm bảng tình hình ra một trang HTML",
        "en": "Also write the grid as a standalone HTML page",
    },
    "cli.opt.poll.once": {"vi": "Kiểm tra một lần rồi thoát", "en": "Poll once and exit"},
    "cli.opt.run.once": {
        "vi": "Chạy mọi việc đến hạn một lần rồi thoát (cho cron)",
        "en": "Run every due job once and exit (for cron)",
    },
    "cli.opt.verbose": {"vi": "Ghi nhật ký chi tiết hơn", "en": "Log more detail"},
    "cli.opt.department": {
        "vi": "Chỉ gửi cho phòng này (lặp lại được)",
        "en": "Only this department (repeatable)",
    },
    "cli.opt.as_json": {
        "vi": "In kết quả dạng JSON (khoá cố định, xem README)",
        "en": "Print the result as JSON (stable keys, see the README)",
    },
    "cli.opt.limit": {"vi": "Gửi nhiều nhất N thư", "en": "Send at most N mails"},
    # metavars of positional arguments, shown in usage lines
    "cli.arg.directory": {"vi": "THƯ_MỤC", "en": "DIRECTORY"},
    "cli.arg.part_id": {"vi": "MÃ_PHẦN", "en": "PART_ID"},
    "cli.arg.section": {"vi": "MỤC", "en": "SECTION"},
    "cli.arg.mail_id": {"vi": "MÃ_THƯ", "en": "MAIL_ID"},
    "cli.arg.files": {"vi": "TỆP...", "en": "FILES..."},
    "cli.arg.file": {"vi": "TỆP", "en": "FILE"},
    "cli.metavar.path": {"vi": "ĐƯỜNG_DẪN", "en": "PATH"},
    "cli.metavar.dir": {"vi": "THƯ_MỤC", "en": "DIR"},
    "cli.metavar.text": {"vi": "CHUỖI", "en": "TEXT"},
    "cli.metavar.n": {"vi": "SỐ", "en": "N"},
    # click's own sentences; "en" is click's message id, exactly
    "cli.click.usage": {"vi": "Cách dùng:", "en": "Usage:"},
    "cli.click.options": {"vi": "Tùy chọn", "en": "Options"},
    "cli.click.commands": {"vi": "Lệnh", "en": "Commands"},
    "cli.click.arguments": {"vi": "Đối số", "en": "Positional arguments"},
    "cli.click.error": {"vi": "Lỗi: {message}", "en": "Error: {message}"},
    "cli.click.try_help": {
        "vi": "Chạy '{command} {option}' để xem hướng dẫn.",
        "en": "Try '{command} {option}' for help.",
    },
    "cli.click.missing_argument": {"vi": "Thiếu đối số", "en": "Missing argument"},
    "cli.click.missing_option": {"vi": "Thiếu tùy chọn", "en": "Missing option"},
    "cli.click.missing_parameter": {"vi": "Thiếu tham số", "en": "Missing parameter"},
    "cli.click.missing_kind": {"vi": "Thiếu {param_type}", "en": "Missing {param_type}"},
    "cli.click.missing_command": {"vi": "Thiếu tên lệnh.", "en": "Missing command."},
    "cli.click.no_such_option": {
        "vi": "Không có tùy chọn {name!r}.",
        "en": "No such option {name!r}.",
    },
    "cli.click.no_such_command": {
        "vi": "Không có lệnh {name!r}.",
        "en": "No such command {name!r}.",
    },
    "cli.click.did_you_mean": {
        "vi": "Có phải ý bạn là {possibility}?",
        "en": "Did you mean {possibility}?",
    },
    "cli.click.did_you_mean_many": {
        "vi": "(Có phải ý bạn là một trong: {possibilities}?)",
        "en": "(Did you mean one of: {possibilities}?)",
    },
    "cli.click.extra_argument": {
        "vi": "Thừa đối số ({args})",
        "en": "Got unexpected extra argument ({args})",
    },
    "cli.click.extra_arguments": {
        "vi": "Thừa các đối số ({args})",
        "en": "Got unexpected extra arguments ({args})",
    },
    "cli.click.invalid_value_for": {
        "vi": "Giá trị không hợp lệ cho {param_hint}: {message}",
        "en": "Invalid value for {param_hint}: {message}",
    },
    "cli.click.invalid_value": {
        "vi": "Giá trị không hợp lệ: {message}",
        "en": "Invalid value: {message}",
    },
    "cli.click.not_choice": {
        "vi": "{value!r} không phải {choice}.",
        "en": "{value!r} is not {choice}.",
    },
    "cli.click.not_choices": {
        "vi": "{value!r} không thuộc {choices}.",
        "en": "{value!r} is not one of {choices}.",
    },
    "cli.click.not_number": {
        "vi": "{value!r} không phải {number_type} hợp lệ.",
        "en": "{value!r} is not a valid {number_type}.",
    },
    "cli.click.not_in_range": {
        "vi": "{value} nằm ngoài khoảng {range}.",
        "en": "{value} is not in the range {range}.",
    },
    "cli.click.needs_value": {
        "vi": "Tùy chọn {name!r} cần một giá trị.",
        "en": "Option {name!r} requires an argument.",
    },
    "cli.click.needs_values": {
        "vi": "Tùy chọn {name!r} cần {nargs} giá trị.",
        "en": "Option {name!r} requires {nargs} arguments.",
    },
    "cli.click.takes_no_value": {
        "vi": "Tùy chọn {name!r} không nhận giá trị.",
        "en": "Option {name!r} does not take a value.",
    },
    "cli.click.help": {"vi": "Hiện hướng dẫn này rồi thoát.", "en": "Show this message and exit."},
    "cli.click.version_help": {
        "vi": "Hiện phiên bản rồi thoát.",
        "en": "Show the version and exit.",
    },
    "cli.click.default": {"vi": "mặc định: {default}", "en": "default: {default}"},
    "cli.click.required": {"vi": "bắt buộc", "en": "required"},
    "cli.click.aborted": {"vi": "Đã huỷ!", "en": "Aborted!"},
    "cli.click.path_missing": {
        "vi": "{name} {filename!r} không tồn tại.",
        "en": "{name} {filename!r} does not exist.",
    },
    "cli.click.path_is_file": {
        "vi": "{name} {filename!r} là một tệp.",
        "en": "{name} {filename!r} is a file.",
    },
    "cli.click.path_is_dir": {
        "vi": "{name} {filename!r} là một thư mục.",
        "en": "{name} {filename!r} is a directory.",
    },
    "cli.click.path_unreadable": {
        "vi": "{name} {filename!r} không đọc được.",
        "en": "{name} {filename!r} is not readable.",
    },
    "cli.click.path_unwritable": {
        "vi": "{name} {filename!r} không ghi được.",
        "en": "{name} {filename!r} is not writable.",
    },
    "cli.click.file": {"vi": "tệp", "en": "file"},
    "cli.click.directory": {"vi": "thư mục", "en": "directory"},
    "cli.click.path": {"vi": "đường dẫn", "en": "path"},
    "cli.click.integer": {"vi": "số nguyên", "en": "integer"},
    "cli.click.float": {"vi": "số thực", "en": "float"},
    "cli.click.open_failed": {
        "vi": "Không mở được tệp {filename!r}: {message}",
        "en": "Could not open file {filename!r}: {message}",
    },
    "cli.click.choose_from": {
        "vi": "Chọn một trong:\n\t{choices}",
        "en": "Choose from:\n\t{choices}",
    },
    "cli.click.env_var": {"vi": "biến môi trường: {var}", "en": "env var: {var}"},
    "cli.click.unknown_error": {"vi": "lỗi không rõ", "en": "unknown error"},
}
