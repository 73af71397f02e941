"""Sentences of the consolidated draft and of assembling it."""

MESSAGES = {
    # header block and body
    "assemble.report_kind": {"vi": "BÁO CÁO", "en": "REPORT"},
    "assemble.number": {"vi": "Số: {number}", "en": "No.: {number}"},
    "assemble.place_date": {
        "vi": "{place}, ngày {day:0>2} tháng {month:0>2} năm {year}",
        "en": "{place}, {day:0>2}/{month:0>2}/{year}",
    },
    "assemble.draft_note_preview": {
        "vi": "DỰ THẢO xem trước (không đánh số, không gửi) — tổng hợp tự động lúc {when}",
        "en": "DRAFT preview (no version number, not sent) — assembled automatically at {when}",
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
    "assemble.attribution_replaces": {
        "vi": "({department}, nhận lúc {received}, tệp {file}; thay cho phần gửi ngày {replaced})",
        "en": "({department}, received {received}, file {file}; replaces the part sent on {replaced})",
    },
    "assemble.attribution_signed": {
        "vi": "({department}, nhận lúc {received}, tệp {file}; bản ký: {signed})",
        "en": "({department}, received {received}, file {file}; signed copy: {signed})",
    },
    "assemble.attribution_replaces_signed": {
        "vi": "({department}, nhận lúc {received}, tệp {file}; bản ký: {signed}; thay cho phần gửi ngày {replaced})",
        "en": "({department}, received {received}, file {file}; signed copy: {signed}; replaces the part sent on {replaced})",
    },
    "assemble.attribution_body_replaces": {
        "vi": "({department}, nhận lúc {received}, trong nội dung thư; thay cho phần gửi ngày {replaced})",
        "en": "({department}, received {received}, in the mail body; replaces the part sent on {replaced})",
    },
    "assemble.attribution_undated": {
        "vi": "({department}, tệp {file})",
        "en": "({department}, file {file})",
    },
    "assemble.late_flag": {"vi": " — NỘP MUỘN", "en": " — LATE"},
    "assemble.ocr_flag": {
        "vi": " — nhận dạng từ bản quét — cần đối chiếu bản gốc",
        "en": " — recognised from a scan — check against the original",
    },
    "assemble.missing": {
        "vi": "Chưa nhận báo cáo của {department}.",
        "en": "No report received yet from {department}.",
    },
    "assemble.missing_section": {
        "vi": "Chưa nhận báo cáo của {department} cho mục này (đã nhận thư; xem Phụ lục).",
        "en": "No report from {department} for this section yet (mail received; see Appendix).",
    },
    "assemble.missing_section_received": {
        "vi": "Chưa nhận báo cáo của {department} cho mục này (đã nhận thư nhưng thư không có nội dung cho mục này).",
        "en": "No report from {department} for this section yet (mail received, with nothing for this section).",
    },
    "assemble.missing_see_appendix": {
        "vi": "Chưa nhận báo cáo của {department} cho mục này (tài liệu đã nhận được liệt kê ở Phụ lục).",
        "en": "No report from {department} for this section yet (what was received is listed in the Appendix).",
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
    "assemble.appendix_review": {
        "vi": "3. Phần chờ xem lại",
        "en": "3. Parts waiting for review",
    },
    "assemble.appendix_review_hint": {
        "vi": "Các phần dưới đây đã nhận nhưng chưa chắc thuộc mục nào, nên chưa đưa vào thân báo cáo. Xếp một phần vào mục bằng lệnh: mailflow place <số phần> <mục>.",
        "en": "These parts were received but their section is uncertain, so they are not in the body yet. Place one with: mailflow place <part number> <section>.",
    },
    "assemble.appendix_review_none": {
        "vi": "Không có phần nào đang chờ xem lại.",
        "en": "No part is waiting for review.",
    },
    "assemble.appendix_leftover": {
        "vi": "4. Nội dung đã nhận nhưng không khớp mục nào của đề cương",
        "en": "4. Received but fitting no section of the outline",
    },
    "assemble.appendix_leftover_none": {
        "vi": "Không có nội dung nào chưa được xếp vào mục.",
        "en": "Nothing is waiting outside the outline.",
    },
    "assemble.appendix_unread": {
        "vi": "5. Tài liệu, nội dung đã nhận nhưng không đưa được vào dự thảo",
        "en": "5. Documents and content received but not in the draft",
    },
    "assemble.appendix_unread_none": {
        "vi": "Mọi tài liệu đã nhận đều có nội dung trong dự thảo.",
        "en": "Every document received has its content in the draft.",
    },
    "assemble.col_sender": {"vi": "Phòng, đơn vị / người gửi", "en": "Department / sender"},
    "assemble.col_file": {"vi": "Tệp", "en": "File"},
    "assemble.col_reason": {"vi": "Lý do", "en": "Reason"},
    "assemble.col_original": {"vi": "Bản gốc", "en": "Original"},
    "assemble.original_attached": {
        "vi": "đính kèm thư gửi Văn phòng; lưu tại {path}",
        "en": "attached to the mail to the Office; kept at {path}",
    },
    "assemble.original_archived": {
        "vi": "lưu tại {path} (quá giới hạn đính kèm)",
        "en": "kept at {path} (over the attachment limit)",
    },
    "assemble.original_withheld": {
        "vi": "KHÔNG đính kèm — tệp gốc chứa {what}, có thể tự chạy hoặc tự kết nối khi mở; "
        "lưu tại {path}",
        "en": "NOT attached — the original holds {what} that can run or connect when opened; "
        "kept at {path}",
    },
    "assemble.withheld.programs": {"vi": "chương trình chạy được", "en": "a program"},
    "assemble.withheld.macros": {"vi": "macro", "en": "macros"},
    "assemble.withheld.scripts": {
        "vi": "mã lệnh (JavaScript, lệnh chạy tệp)",
        "en": "scripts (JavaScript, launch actions)",
    },
    "assemble.withheld.links": {
        "vi": "liên kết ra ngoài tự tải khi mở (trường, ảnh liên kết, mẫu, máy chủ khác)",
        "en": "outside links fetched on opening (fields, linked pictures, templates, shares)",
    },
    "assemble.withheld.objects": {
        "vi": "đối tượng nhúng (OLE, ActiveX, tệp đính trong tệp)",
        "en": "embedded objects (OLE, ActiveX, files inside the file)",
    },
    "assemble.withheld.unchecked": {
        "vi": "cấu trúc không kiểm tra được (DTD, tên trùng, tệp hỏng hoặc quá lớn)",
        "en": "a structure that could not be checked (DTD, repeated names, damaged or too big)",
    },
    "assemble.withheld_count": {
        "vi": "Bản gốc không đính kèm vì có thể tự chạy hoặc tự kết nối khi mở: {count} "
        "(lý do và đường dẫn lưu trữ trong Phụ lục).",
        "en": "Originals not attached because they can run or connect when opened: {count} "
        "(the reason and archive path are in the Appendix).",
    },
    "assemble.original_kept": {
        "vi": "nội dung chữ đã ở trong dự thảo; bản gốc lưu tại {path}",
        "en": "its text is in the draft; the original is kept at {path}",
    },
    "assemble.sanitised": {
        "vi": "Để an toàn, đã bỏ khỏi tệp (văn bản giữ nguyên): {what}",
        "en": "Removed from the file for safety (the text is kept): {what}",
    },
    "assemble.original_in_draft": {
        "vi": "phần số {number}, tại mục của phần",
        "en": "part {number}, in its section",
    },
    "assemble.document_unreadable": {
        "vi": "Không đọc được nội dung tệp (tệp hỏng, thiếu phần hoặc định dạng Word chưa hỗ trợ).",
        "en": "The file's content cannot be read (damaged, incomplete, or a Word format not supported).",
    },
    "assemble.unread_no_text": {
        "vi": "Tệp không cho phần nội dung nào để đưa vào dự thảo (trống, chỉ có hình hoặc bản quét, hoặc chỉ có tiêu đề, lời chào, chữ ký).",
        "en": "The file gave no content for the draft (empty, pictures or a scan only, or only a title, greeting or signature).",
    },
    "assemble.matrix_legend": {
        "vi": "Ký hiệu: ✓ đã nhận (số phần); ✗ được giao nhưng chưa nhận (cả nhánh chưa nhận: "
        "ghi một lần ở mục trên cùng); + tự gửi thêm.",
        "en": "Legend: ✓ received (parts); ✗ assigned, nothing yet (a whole branch: marked once, "
        "at its top section); + sent unasked.",
    },
    "assemble.col_department": {"vi": "Phòng, đơn vị", "en": "Department"},
    "assemble.col_sent": {"vi": "Đã gửi", "en": "Sent"},
    "assemble.col_bounced": {"vi": "Thư lỗi", "en": "Bounced"},
    "assemble.col_away": {"vi": "Vắng mặt", "en": "Out of office"},
    "assemble.col_received": {"vi": "Nhận lúc", "en": "Received at"},
    "assemble.col_late": {"vi": "Muộn", "en": "Late"},
    "assemble.col_missing": {"vi": "Mục còn thiếu", "en": "Sections missing"},
    "assemble.col_section": {"vi": "Mục", "en": "Section"},
    "assemble.yes": {"vi": "Có", "en": "Yes"},
    "assemble.no": {"vi": "-", "en": "-"},
    "assemble.away_until": {"vi": "đến {until}", "en": "until {until}"},
    "assemble.reason_review_part": {
        "vi": "Phần số {number} — chờ xem lại, chưa chắc thuộc mục nào (gần nhất: {best}).",
        "en": "Part {number} — waiting for review, section uncertain (closest: {best}).",
    },
    "assemble.reason_maybe_revision": {
        "vi": (
            "Phần số {number} — chờ xem lại: có thể là bản mới của phần số {earlier} gửi ngày"
            " {sent} (nội dung gần giống nhưng có chữ khác). Phần số {earlier} vẫn giữ trong"
            " dự thảo cho đến khi có người quyết định."
        ),
        "en": (
            "Part {number} — waiting for review: it may be a newer version of part {earlier}"
            " sent on {sent} (nearly the same text, some words differ). Part {earlier} stays"
            " in the draft until a person decides."
        ),
    },
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
    "assemble.diff_unread": {
        "vi": "Tài liệu không đọc được nội dung (Phụ lục): {department}",
        "en": "Document without readable content (Appendix): {department}",
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
    "assemble.no_draft": {
        "vi": "Không tạo được dự thảo nào: {detail}",
        "en": "No draft could be made: {detail}",
    },
    "assemble.no_draft_hint": {
        "vi": "Chạy lại với --debug để xem chi tiết; báo cho người quản trị kèm dòng này.",
        "en": "Run again with --debug for details; tell the administrator with this line.",
    },
    "assemble.isolated": {
        "vi": "Dự thảo đã tạo; {count} phần không ghép được nguyên dạng hoặc bị bớt nội dung — xem mục 5 của Phụ lục.",
        "en": "Draft made; {count} parts could not be copied as sent or lost some content — see section 5 of the Appendix.",
    },
    "assemble.unread_count": {
        "vi": "Tài liệu không đọc được nội dung: {count} (đính kèm {attached}; còn lại xem đường dẫn lưu trữ trong Phụ lục).",
        "en": "Documents without readable content: {count} ({attached} attached; the others are named with their archive path in the Appendix).",
    },
    "assemble.template_missing": {
        "vi": "Không tìm thấy mẫu dự thảo {path}.",
        "en": "Draft template {path} not found.",
    },
    "assemble.template_missing_hint": {
        "vi": "Tạo lại mẫu bằng: python -m mailflow.samples.draft_template {path}",
        "en": "Recreate it with: python -m mailflow.samples.draft_template {path}",
    },
    "assemble.template_bad": {
        "vi": "Mẫu dự thảo {path} không đọc được hoặc thiếu dòng {marker}.",
        "en": "Draft template {path} is unreadable or lacks the {marker} line.",
    },
    "assemble.source_bad": {
        "vi": "Không đọc được tệp báo cáo {path}: {detail}",
        "en": "Cannot read report file {path}: {detail}",
    },
    "assemble.part_failed": {
        "vi": "Không ghép được định dạng gốc của phần này ({detail}); đã đưa vào dạng văn bản thô.",
        "en": "The part's original formatting could not be copied ({detail}); it is in as plain text.",
    },
    "assemble.part_as_text": {
        "vi": "(Phần dưới đây ở dạng văn bản thô vì không ghép được định dạng gốc — xem Phụ lục.)",
        "en": "(The part below is plain text: its original formatting could not be copied — see Appendix.)",
    },
    "assemble.rendered_as_text": {
        "vi": "Không dựng được dự thảo đầy đủ định dạng ({detail}); mọi phần được ghi dạng văn bản thô.",
        "en": "The formatted draft could not be built ({detail}); every part is written as plain text.",
    },
    "assemble.picture_external": {
        "vi": "Ảnh liên kết ra ngoài tệp đã bị bỏ (không tải từ mạng hay từ máy chủ).",
        "en": "A picture linked from outside the file was left out (never fetched).",
    },
    "assemble.picture_external_placeholder": {
        "vi": "[ảnh liên kết ngoài — đã bỏ]",
        "en": "[linked picture — left out]",
    },
    "assemble.picture_missing": {
        "vi": "Ảnh mà tệp nhắc tới nhưng không có trong tệp.",
        "en": "A picture the file refers to but does not hold.",
    },
    "assemble.picture_missing_placeholder": {
        "vi": "[ảnh bị thiếu trong tệp gốc]",
        "en": "[picture missing from the original file]",
    },
    "assemble.picture_svg_only": {
        "vi": "Ảnh SVG không kèm bản PNG đã bị bỏ (SVG có thể chứa mã chạy); xem trong tệp gốc.",
        "en": "An SVG picture with no PNG copy was left out (SVG can hold script); see the original file.",
    },
    "assemble.picture_svg_only_placeholder": {
        "vi": "[ảnh SVG — đã bỏ, xem tệp gốc]",
        "en": "[SVG picture — left out, see the original file]",
    },
    "assemble.picture_too_large": {
        "vi": "Ảnh quá lớn ({pixels} điểm ảnh) không đưa vào dự thảo; xem trong tệp gốc.",
        "en": "A picture too large for the draft ({pixels} pixels); see the original file.",
    },
    "assemble.picture_too_large_placeholder": {
        "vi": "[ảnh quá lớn ({pixels} điểm ảnh) — xem tệp gốc]",
        "en": "[picture too large ({pixels} pixels) — see the original file]",
    },
    "assemble.link_external": {
        "vi": "Liên kết tới đối tượng bên ngoài tệp (OLE, tài liệu con) đã bị bỏ.",
        "en": "A link to an object outside the file (OLE, sub-document) was left out.",
    },
    "assemble.source_bad_hint": {
        "vi": "Kiểm tra tệp trong kho lưu trữ; phần này được ghi dạng văn bản thô.",
        "en": "Check the file in the archive; the part is written as plain text.",
    },
}
