"""Sentences of matching jobs, receipts, review commands, the Office mail and status."""

MESSAGES = {
    # --- errors -----------------------------------------------------------------------
    "review.outline_missing": {
        "vi": "Không đọc được đề cương {path}.",
        "en": "Cannot read the outline {path}.",
    },
    "review.outline_missing_hint": {
        "vi": "Kiểm tra khóa campaigns.outline trong config.toml.",
        "en": "Check the campaigns.outline key in config.toml.",
    },
    "review.campaign_no_department": {
        "vi": "Thư {id} chưa rõ phòng gửi, nên chưa thể chỉ xếp đợt báo cáo.",
        "en": "Mail {id} has no known department, so its campaign alone cannot settle it.",
    },
    "review.campaign_no_department_hint": {
        "vi": "Dùng: mailflow release {id} --department MÃ --campaign {campaign}",
        "en": "Use: mailflow release {id} --department CODE --campaign {campaign}",
    },
    "review.no_mail": {"vi": "Không có thư số {id}.", "en": "There is no mail {id}."},
    "review.no_mail_hint": {
        "vi": "Xem số thư bằng `mailflow review`.",
        "en": "See mail numbers with `mailflow review`.",
    },
    "review.not_a_report": {
        "vi": "Thư {id} không phải báo cáo của một phòng (loại: {kind}).",
        "en": "Mail {id} is not a department's report (kind: {kind}).",
    },
    "review.not_a_report_hint": {
        "vi": "Nếu đúng là báo cáo: mailflow release {id} --department MÃ_PHÒNG",
        "en": "If it is a report: mailflow release {id} --department CODE",
    },
    "review.not_held": {
        "vi": "Thư {id} không bị giữ lại (loại: {kind}); chỉ thư bị cách ly hoặc "
        "từ người gửi lạ mới cần release.",
        "en": "Mail {id} is not held (kind: {kind}); only quarantined or unknown-sender "
        "mails need release.",
    },
    "review.not_held_hint": {
        "vi": "Danh sách thư bị giữ: mailflow review",
        "en": "Held mails: mailflow review",
    },
    "review.no_part": {"vi": "Không có phần số {id}.", "en": "There is no part {id}."},
    "review.no_part_hint": {
        "vi": "Xem số phần bằng `mailflow review` hoặc `mailflow history`.",
        "en": "See part numbers with `mailflow review` or `mailflow history`.",
    },
    "review.no_section": {
        "vi": "Đề cương không có mục {section}.",
        "en": "The outline has no section {section}.",
    },
    "review.no_section_hint": {
        "vi": "Dùng mã mục (hoặc số mục nếu không trùng, như 2.1): {keys}; "
        "hoặc none để đưa vào phụ lục.",
        "en": "Use a section key (or its number when unique, like 2.1): {keys}; "
        "or none for the appendix.",
    },
    "review.part_superseded": {
        "vi": "Phần {id} đã được thay bằng bản gửi sau của phòng.",
        "en": "Part {id} was replaced by a later report of its department.",
    },
    "review.part_superseded_hint": {
        "vi": "Xem `mailflow history` để tìm phần mới.",
        "en": "See `mailflow history` for the newer part.",
    },
    "review.campaign_needed": {
        "vi": "Có nhiều đợt báo cáo; chọn một bằng --campaign ({known}).",
        "en": "There are several campaigns; pick one with --campaign ({known}).",
    },
    "review.campaign_needed_hint": {
        "vi": "Ví dụ: --campaign 2023-h1",
        "en": "For example: --campaign 2023-h1",
    },
    "review.out_failed": {
        "vi": "Không ghi được {path}: {error}.",
        "en": "Cannot write {path}: {error}.",
    },
    "review.out_failed_hint": {
        "vi": "Kiểm tra thư mục và quyền ghi.",
        "en": "Check the folder and write permission.",
    },
    "review.reason.copy_outline": {
        "vi": "bản sao đề cương gửi kèm lại — bỏ qua",
        "en": "a copy of the outline sent back — ignored",
    },
    "review.reason.same_report": {
        "vi": "bản khác của cùng báo cáo trong thư (bản ký/bản chụp) — đưa vào dự thảo một lần, từ bản Word",
        "en": "another form of the same report in the mail (signed copy/scan) — drafted once, from the editable form",
    },
    "review.reason.copy_directive": {
        "vi": "bản sao công văn gửi kèm lại — bỏ qua",
        "en": "a copy of the directive sent back — ignored",
    },
    "review.released": {
        "vi": "đã được chấp nhận bởi người dùng",
        "en": "accepted by a person",
    },
    # --- receipt ----------------------------------------------------------------------
    "review.receipt_subject": {
        "vi": "[{token}] Xác nhận đã nhận báo cáo — {title}",
        "en": "[{token}] Report received — {title}",
    },
    "review.receipt_greeting": {"vi": "Kính gửi: {department},", "en": "To: {department},"},
    "review.receipt_intro": {
        "vi": 'Văn phòng đã nhận thư "{subject}" cho báo cáo {title}.',
        "en": 'The Office received your mail "{subject}" for the report {title}.',
    },
    "review.receipt_split": {
        "vi": "Thư này trả lời nhiều đợt báo cáo nên được tách theo tài liệu: {here} được xếp vào đợt này; {there} được xếp vào đợt {others} (có xác nhận riêng).",
        "en": "This mail answers several campaigns, so it was split by document: {here} went to this campaign; {there} went to campaign {others} (confirmed separately).",
    },
    "review.receipt_received": {
        "vi": "Các mục của phòng đã nhận:",
        "en": "Your sections received:",
    },
    "review.receipt_none": {"vi": "  (chưa có mục nào)", "en": "  (none yet)"},
    "review.receipt_missing": {
        "vi": "Các mục của phòng còn thiếu:",
        "en": "Your sections still missing:",
    },
    "review.receipt_nothing_missing": {
        "vi": "  (không còn mục nào thiếu — xin cảm ơn)",
        "en": "  (nothing missing — thank you)",
    },
    "review.receipt_replaced": {
        "vi": "Thư này được coi là bản sửa, thay cho phần đã gửi trước (nếu đây là phần bổ sung, xin báo lại Văn phòng):",
        "en": "This mail was taken as a revision, replacing what was sent before (if it is an addition, please tell the Office):",
    },
    "review.receipt_replaced_line": {
        "vi": "{section} (phần gửi ngày {sent})",
        "en": "{section} (the part sent on {sent})",
    },
    "review.placed_replaces": {
        "vi": "Thư của phần này là bản sửa: phần {ids} gửi trước cho mục này đã được thay (khôi phục: mailflow restore <số phần>).",
        "en": "This part's mail is a revision: part(s) {ids} sent before for this section are replaced (undo: mailflow restore <part>).",
    },
    "review.restored": {
        "vi": "Đã khôi phục phần {id} vào mục «{section}» (người thực hiện: {user}).",
        "en": "Part {id} restored under «{section}» (by {user}).",
    },
    "review.not_superseded": {
        "vi": "Phần {id} không bị thay thế, không cần khôi phục.",
        "en": "Part {id} was not replaced; there is nothing to restore.",
    },
    "review.not_superseded_hint": {
        "vi": "Xem các phần đã bị thay thế bằng: mailflow history",
        "en": "See replaced parts with: mailflow history",
    },
    "review.receipt_review": {
        "vi": "{count} phần chưa xác định được mục; Văn phòng sẽ xếp lại.",
        "en": "{count} part(s) could not be placed with certainty; the Office will place them.",
    },
    "review.receipt_check": {
        "vi": "Nếu mục nào bị xếp sai, xin trả lời thư này. Hạn nộp: {deadline}.",
        "en": "If a section was placed wrongly, please reply to this mail. Deadline: {deadline}.",
    },
    "review.receipt_signoff": {
        "vi": "Thư này được gửi tự động bởi mailflow.",
        "en": "This mail was sent automatically by mailflow.",
    },
    # --- the Office mail --------------------------------------------------------------
    "review.office_subject_manual": {
        "vi": "[{token}] Dự thảo báo cáo {title} — bản {version}",
        "en": "[{token}] Draft report {title} — version {version}",
    },
    "review.office_subject_update": {
        "vi": "[{token}] Dự thảo cập nhật (bản {version}): {title}",
        "en": "[{token}] Updated draft (version {version}): {title}",
    },
    "review.office_subject_nothing_new": {
        "vi": "[{token}] Không có gì mới hôm nay (vẫn là bản {version}): {title}",
        "en": "[{token}] Nothing new today (still version {version}): {title}",
    },
    "review.office_nothing_new": {
        "vi": "Hôm nay không có báo cáo hay thay đổi mới cho «{title}»; dự thảo bản {version} "
        "đã gửi vẫn là bản mới nhất. Thư gửi tự động bởi mailflow.",
        "en": "Nothing new today for “{title}”: draft version {version}, already sent, is "
        "still the latest. Sent by mailflow.",
    },
    "review.office_subject_digest": {
        "vi": "[{token}] Tổng hợp trong ngày (bản {version}): {title}",
        "en": "[{token}] Daily digest (version {version}): {title}",
    },
    "review.office_subject_final": {
        "vi": "[{token}] Dự thảo khi hết hạn (bản {version}): {title}",
        "en": "[{token}] Draft at the deadline (version {version}): {title}",
    },
    "review.office_intro_manual": {
        "vi": "Gửi Văn phòng dự thảo báo cáo {title}, bản {version}, tổng hợp lúc {when}.",
        "en": "The draft report {title}, version {version}, assembled at {when}.",
    },
    "review.office_intro_update": {
        "vi": "Có phần báo cáo mới: dự thảo {title}, bản {version}, tổng hợp lúc {when}.",
        "en": "New parts arrived: draft {title}, version {version}, assembled at {when}.",
    },
    "review.office_intro_digest": {
        "vi": "Tổng hợp trong ngày: dự thảo {title}, bản {version}, lúc {when}.",
        "en": "Daily digest: draft {title}, version {version}, at {when}.",
    },
    "review.office_intro_final": {
        "vi": "Hết hạn nộp (hoặc đã đủ báo cáo): dự thảo {title}, bản {version}, lúc {when}.",
        "en": "Deadline reached (or every report is in): draft {title}, version {version}, "
        "at {when}.",
    },
    "review.office_changes": {"vi": "Mới so với bản trước:", "en": "New since the last draft:"},
    "review.office_missing": {"vi": "Còn thiếu:", "en": "Still missing:"},
    "review.office_count": {"vi": "{count} mục", "en": "{count} sections"},
    "review.office_none_missing": {
        "vi": "đã nhận đủ các mục được giao",
        "en": "every assigned section is in",
    },
    "review.office_review": {
        "vi": "Cần xem lại: {review} phần chưa chắc chắn, {unplaced} phần chưa xếp được "
        "(ở Phụ lục; danh sách và cách quyết định bằng thư trả lời ở cuối thư này).",
        "en": "To review: {review} uncertain part(s), {unplaced} unplaced part(s) "
        "(in the Appendix; listed at the end of this mail, with how to decide by replying).",
    },
    "review.office_signoff": {
        "vi": "Dự thảo gửi kèm (.docx, và .pdf nếu có). Thư gửi tự động bởi mailflow.",
        "en": "The draft is attached (.docx, and .pdf when available). Sent by mailflow.",
    },
    # --- review / place / release / history -------------------------------------------
    "review.parts_title": {
        "vi": "Phần cần xem lại — {campaign} ({count})",
        "en": "Parts to review — {campaign} ({count})",
    },
    "review.mails_title": {
        "vi": "Thư bị giữ lại ({count})",
        "en": "Held mails ({count})",
    },
    "review.docs_title": {
        "vi": "Tệp trong báo cáo chưa đọc được ({count}) — cần xin gửi lại hoặc chuyển đổi",
        "en": "Report files not readable ({count}) — ask for a resend or convert them",
    },
    "review.col_file": {"vi": "Tệp", "en": "File"},
    "review.col_part": {"vi": "Phần", "en": "Part"},
    "review.col_department": {"vi": "Phòng", "en": "Dept."},
    "review.col_mail": {"vi": "Thư", "en": "Mail"},
    "review.col_status": {"vi": "Trạng thái", "en": "Status"},
    "review.col_text": {"vi": "Nội dung", "en": "Text"},
    "review.col_best": {"vi": "Mục gần nhất (điểm)", "en": "Best sections (score)"},
    "review.col_from": {"vi": "Người gửi", "en": "From"},
    "review.col_subject": {"vi": "Tiêu đề", "en": "Subject"},
    "review.col_kind": {"vi": "Loại", "en": "Kind"},
    "review.col_reason": {"vi": "Lý do", "en": "Reason"},
    "review.col_when": {"vi": "Lúc", "en": "When"},
    "review.col_section": {"vi": "Mục", "en": "Section"},
    "review.col_by": {"vi": "Người quyết định", "en": "Decided by"},
    "review.status_auto": {"vi": "tự động", "en": "auto"},
    "review.status_reviewed": {"vi": "đã duyệt", "en": "reviewed"},
    "review.status_review": {"vi": "cần xem", "en": "review"},
    "review.status_unplaced": {"vi": "chưa xếp", "en": "unplaced"},
    "review.status_superseded": {"vi": "đã thay", "en": "superseded"},
    "review.none_section": {"vi": "(phụ lục)", "en": "(appendix)"},
    "review.place_hint": {
        "vi": "Xếp một phần: mailflow place SỐ_PHẦN SỐ_MỤC (số mục như trong đề cương, ví dụ: "
        "mailflow place 12 2.1)",
        "en": "Place a part: mailflow place PART SECTION (the outline's number, e.g. "
        "mailflow place 12 2.1)",
    },
    "review.release_hint": {
        "vi": "Chấp nhận một thư: mailflow release SỐ_THƯ --department MÃ_PHÒNG",
        "en": "Accept a mail: mailflow release MAIL --department CODE",
    },
    "review.nothing": {
        "vi": "Không có gì cần xem lại.",
        "en": "Nothing to review.",
    },
    "review.placed": {
        "vi": "Phần {id}: {before} → {section} (bởi {user}).",
        "en": "Part {id}: {before} → {section} (by {user}).",
    },
    "review.released_line": {
        "vi": "Thư {id} đã được chấp nhận là báo cáo của {department} (bởi {user}).",
        "en": "Mail {id} accepted as the report of {department} (by {user}).",
    },
    "review.match_waiting": {
        "vi": "{n} tệp của thư này còn đang được đọc (PDF, bản quét, bảng tính); "
        "thư sẽ được xếp mục khi đọc xong.",
        "en": "{n} file(s) of this mail are still being read (PDF, scans, workbooks); "
        "the mail is placed once they are read.",
    },
    "review.match_line": {
        "vi": "{parts} phần: {placed} đã xếp, {review} cần xem, {unplaced} chưa xếp; "
        "{superseded} phần cũ được thay.",
        "en": "{parts} part(s): {placed} placed, {review} to review, {unplaced} unplaced; "
        "{superseded} earlier part(s) replaced.",
    },
    "review.history_title": {
        "vi": "Lịch sử xếp mục — {campaign} ({count} quyết định)",
        "en": "Placement history — {campaign} ({count} decisions)",
    },
    "review.event_review_released": {
        "vi": "{at}: thư {mail} được chấp nhận cho {department} bởi {by}",
        "en": "{at}: mail {mail} accepted for {department} by {by}",
    },
    "review.event_review_restored": {
        "vi": "{at}: phần {part} ({department}, thư {mail}) được khôi phục bởi {by}",
        "en": "{at}: part {part} ({department}, mail {mail}) restored by {by}",
    },
    "review.event_match_placed": {
        "vi": "{at}: thư {mail} của {department}: {parts} phần, thay {superseded} phần cũ",
        "en": "{at}: mail {mail} from {department}: {parts} part(s), {superseded} replaced",
    },
    "review.event_match_receipt_skipped": {
        "vi": "{at}: thư {mail} của {department}: không gửi xác nhận (thư tự động)",
        "en": "{at}: mail {mail} from {department}: no receipt (automatic mail)",
    },
    # --- assemble / status --------------------------------------------------------------
    "review.assembled": {
        "vi": "Dự thảo bản {version} ({parts} phần): {path}",
        "en": "Draft version {version} ({parts} parts): {path}",
    },
    "review.assembled_pdf": {"vi": "PDF: {path}", "en": "PDF: {path}"},
    "review.assembled_out": {"vi": "Bản sao: {path}", "en": "Copy: {path}"},
    "review.sent_office": {
        "vi": "Đã gửi dự thảo tới Văn phòng: {to}",
        "en": "Draft sent to the Office: {to}",
    },
    "review.assemble_busy": {
        "vi": "Đang có một lệnh assemble khác chạy cho đợt {campaign}; lệnh này dừng lại",
        "en": "another assemble is running for campaign {campaign}; this one stops",
    },
    "review.assemble_busy_hint": {
        "vi": "Chờ lệnh kia (hoặc daemon) làm xong rồi chạy lại.",
        "en": "Wait for the other one (or the daemon) to finish, then run again.",
    },
    "review.assembled_preview": {
        "vi": "Đã ghi dự thảo xem trước ({parts} phần) ra {path}; không đánh số bản, không lưu "
        "(thêm --keep để giữ thành một bản)",
        "en": "Preview draft ({parts} parts) written to {path}; no version number taken, not "
        "kept (add --keep to keep it as a version)",
    },
    "review.assembled_unchanged": {
        "vi": "Không có gì thay đổi từ dự thảo bản {version}; không tạo bản mới: {path}",
        "en": "Nothing changed since draft version {version}; no new version made: {path}",
    },
    "review.send_unchanged": {
        "vi": "Không gửi lại: dự thảo bản {version} chưa có gì mới (xem mailflow history)",
        "en": "Not mailed again: nothing new since draft version {version} (see mailflow history)",
    },
    "review.flush_other_failed": {
        "vi": "Thư khác trong hàng đợi chưa gửi được — «{subject}» tới {to}: {error}",
        "en": "Another queued mail was not delivered — “{subject}” to {to}: {error}",
    },
    "review.send_failed": {
        "vi": "Chưa gửi được dự thảo tới {to}: {error}",
        "en": "Could not send the draft to {to}: {error}",
    },
    "review.status_title": {
        "vi": "Tình hình báo cáo — {campaign}: {title}",
        "en": "Report status — {campaign}: {title}",
    },
    "review.status_when": {
        "vi": "Cập nhật lúc {when}; hạn nộp {deadline}.",
        "en": "As of {when}; deadline {deadline}.",
    },
    "review.status_html": {"vi": "Đã ghi trang HTML: {path}", "en": "HTML page written: {path}"},
    "review.matrix_title": {"vi": "Phòng × mục", "en": "Department × section"},
    "review.matrix_legend": {
        "vi": "✓n: đã nhận n phần; ✗: chưa nhận (cả nhánh: ghi một lần ở mục trên cùng); "
        "+n: phần ngoài mục được giao.",
        "en": "✓n: n parts received; ✗: missing (a whole branch: once, at its top section); "
        "+n: parts outside the assigned sections.",
    },
    "review.grid_department": {"vi": "Phòng", "en": "Department"},
    "review.grid_sent": {"vi": "Đã gửi", "en": "Sent"},
    "review.grid_bounced": {"vi": "Thư lỗi", "en": "Bounced"},
    "review.grid_away": {"vi": "Vắng mặt", "en": "Out of office"},
    "review.grid_received": {"vi": "Nhận lúc", "en": "Received at"},
    "review.grid_late": {"vi": "Muộn", "en": "Late"},
    "review.grid_missing": {"vi": "Còn thiếu", "en": "Missing"},
    "review.grid_section": {"vi": "Mục", "en": "Section"},
    "review.grid_missing_count": {
        "vi": "{n} mục",
        "en": "{n} section(s)",
    },
    "review.yes": {"vi": "có", "en": "yes"},
    "review.away_until": {"vi": "đến {until}", "en": "until {until}"},
}
