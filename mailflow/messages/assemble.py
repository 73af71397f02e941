"""Sentences of the consolidated draft and of assembling it."""

MESSAGES = {
    # header block and body
    "assemble.report_kind": {"vi": "BÁO CÁO", "en": "REPORT"},
    "assemble.number": {"vi": "Số: {number}", "en": "No.: {number}"},
    "assemble.place_date": {
        "vi": "{place}, ngày {day:0>2} tháng {month:0>2} năm {year}",
        "en": "{place}, {day:0>2}/{month:0>2}/{year}",
    },
    "assemble.draft_note": {
        "vi": "DỰ THẢO lần {version} — tổng hợp tự động lúc {when}",
        "en": "DRAFT version {version} — assembled automatically at {when}",
    },
    "assemble.attribution": {
        "vi": "({department}, nhận lúc {received}, tệp {file})",
        "en": "({department}, received {received}, file {file})",
    },
    "assemble.attribution_body": {
        "vi": "({department}, nhận lúc {received}, trong nội dung thư)",
        "en": "({department}, received {received}, in the mail body)",
    },
    "assemble.attribution_undated": {
        "vi": "({department}, tệp {file})",
        "en": "({department}, file {file})",
    },
    "assemble.late_flag": {"vi": " — NỘP MUỘN", "en": " — LATE"},
    "assemble.missing": {
        "vi": "Chưa nhận báo cáo của {department}.",
        "en": "No report received yet from {department}.",
    },
    "assemble.missing_section": {
        "vi": "Chưa nhận báo cáo của {department} cho mục này (đã nhận thư; xem Phụ lục).",
        "en": "No report from {department} for this section yet (mail received; see Appendix).",
    },
    "assemble.missing_bounced": {
        "vi": "Chưa nhận báo cáo của {department} (thư gửi không đến được).",
        "en": "No report received yet from {department} (our mail bounced).",
    },
    "assemble.missing_away": {
        "vi": "Chưa nhận báo cáo của {department} (người nhận đang vắng mặt).",
        "en": "No report received yet from {department} (recipient out of office).",
    },
    "assemble.missing_away_until": {
        "vi": "Chưa nhận báo cáo của {department} (người nhận vắng mặt đến {until}).",
        "en": "No report received yet from {department} (out of office until {until}).",
    },
    "assemble.part_no_text": {
        "vi": "(Phần này không có nội dung văn bản.)",
        "en": "(This part holds no text.)",
    },
    # appendix
    "assemble.appendix_title": {
        "vi": "PHỤ LỤC: TÌNH HÌNH TỔNG HỢP BÁO CÁO",
        "en": "APPENDIX: STATUS OF THE CONTRIBUTIONS",
    },
    "assemble.appendix_status": {
        "vi": "1. Tình hình gửi, nhận báo cáo của các phòng, đơn vị",
        "en": "1. Sending and receiving, by department",
    },
    "assemble.appendix_matrix": {
        "vi": "2. Bảng phòng, đơn vị × mục đề cương",
        "en": "2. Department × outline section grid",
    },
    "assemble.appendix_leftover": {
        "vi": "3. Nội dung đã nhận nhưng chưa xếp vào mục nào hoặc đang chờ xem xét",
        "en": "3. Received but not placed, or waiting for review",
    },
    "assemble.appendix_leftover_none": {
        "vi": "Không có nội dung nào chưa được xếp vào mục.",
        "en": "Nothing is waiting outside the outline.",
    },
    "assemble.matrix_legend": {
        "vi": "Ký hiệu: ✓ đã nhận (số phần); ✗ được giao nhưng chưa nhận; + tự gửi thêm.",
        "en": "Legend: ✓ received (parts); ✗ assigned, nothing yet; + sent unasked.",
    },
    "assemble.col_department": {"vi": "Phòng, đơn vị", "en": "Department"},
    "assemble.col_sent": {"vi": "Đã gửi", "en": "Sent"},
    "assemble.col_bounced": {"vi": "Thư lỗi", "en": "Bounced"},
    "assemble.col_away": {"vi": "Vắng mặt", "en": "Out of office"},
    "assemble.col_received": {"vi": "Nhận lúc", "en": "Received at"},
    "assemble.col_late": {"vi": "Muộn", "en": "Late"},
    "assemble.col_missing": {"vi": "Số mục còn thiếu", "en": "Sections missing"},
    "assemble.col_section": {"vi": "Mục", "en": "Section"},
    "assemble.yes": {"vi": "Có", "en": "Yes"},
    "assemble.no": {"vi": "-", "en": "-"},
    "assemble.away_until": {"vi": "đến {until}", "en": "until {until}"},
    "assemble.reason_review": {
        "vi": "Đang chờ xem xét: chưa chắc thuộc mục nào.",
        "en": "Waiting for review: its section is uncertain.",
    },
    "assemble.reason_unplaced": {
        "vi": "Không khớp với mục nào của đề cương.",
        "en": "Fits no section of the outline.",
    },
    "assemble.reason_unknown_section": {
        "vi": "Được xếp vào mục {section} không còn trong đề cương.",
        "en": "Placed under section {section}, which the outline no longer has.",
    },
    # what changed
    "assemble.diff_first": {
        "vi": "Bản dự thảo đầu tiên: {parts} phần đã xếp, {missing} chỗ còn thiếu.",
        "en": "First draft: {parts} parts placed, {missing} gaps.",
    },
    "assemble.diff_added": {
        "vi": "Mới: {department} — {section}",
        "en": "New: {department} — {section}",
    },
    "assemble.diff_moved": {
        "vi": "Chuyển mục: {department} — từ {source} sang {target}",
        "en": "Moved: {department} — from {source} to {target}",
    },
    "assemble.diff_removed": {
        "vi": "Bỏ ra: {department} — {section}",
        "en": "Removed: {department} — {section}",
    },
    "assemble.diff_appendix": {
        "vi": "Chờ xem xét (Phụ lục): nội dung mới của {department}",
        "en": "For review (Appendix): new content from {department}",
    },
    "assemble.diff_late": {
        "vi": "Nộp muộn: {department}",
        "en": "Late: {department}",
    },
    "assemble.diff_none": {
        "vi": "Không có thay đổi so với bản trước.",
        "en": "No change since the previous draft.",
    },
    # pdf
    "assemble.pdf_unavailable": {
        "vi": "Không tạo bản PDF: máy này chưa cài LibreOffice (soffice).",
        "en": "No PDF made: LibreOffice (soffice) is not installed on this machine.",
    },
    "assemble.pdf_failed": {
        "vi": "LibreOffice không chuyển được {file} sang PDF: {detail}",
        "en": "LibreOffice could not convert {file} to PDF: {detail}",
    },
    "assemble.pdf_failed_hint": {
        "vi": "Mở tệp bằng Word hoặc LibreOffice để kiểm tra; bản .docx vẫn dùng được.",
        "en": "Open the file in Word or LibreOffice to check it; the .docx is still usable.",
    },
    "assemble.pdf_timeout": {
        "vi": "LibreOffice chuyển {file} sang PDF quá {seconds} giây.",
        "en": "LibreOffice took more than {seconds} s to convert {file} to PDF.",
    },
    # errors reading parts / template
    "assemble.template_missing": {
        "vi": "Không tìm thấy mẫu dự thảo {path}.",
        "en": "Draft template {path} not found.",
    },
    "assemble.template_missing_hint": {
        "vi": "Tạo lại mẫu bằng: python -m mailflow.draft_template {path}",
        "en": "Recreate it with: python -m mailflow.draft_template {path}",
    },
    "assemble.template_bad": {
        "vi": "Mẫu dự thảo {path} không đọc được hoặc thiếu dòng {marker}.",
        "en": "Draft template {path} is unreadable or lacks the {marker} line.",
    },
    "assemble.source_bad": {
        "vi": "Không đọc được tệp báo cáo {path}: {detail}",
        "en": "Cannot read report file {path}: {detail}",
    },
    "assemble.source_bad_hint": {
        "vi": "Kiểm tra tệp trong kho lưu trữ; phần này được ghi dạng văn bản thô.",
        "en": "Check the file in the archive; the part is written as plain text.",
    },
}
