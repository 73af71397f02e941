"""Sentences about taking mail in: why a mail got its kind, why a file got its status.

The core and the unpacker return these KEYS with parameters (``Identification.reason``
/ ``Extracted.reason`` + ``params``); the shell renders them with ``t(key, **params)``.
"""

MESSAGES = {
    # --- identify: why a mail is what it is ---------------------------------------
    "intake.why.not_mail": {
        "vi": "Không phải thư điện tử RFC 5322 ({what}); bỏ qua, tệp gốc vẫn được lưu.",
        "en": "Not an RFC 5322 mail ({what}); ignored, the original bytes are kept.",
    },
    "intake.why.unparseable": {
        "vi": "Thư có cấu trúc hỏng hoặc lồng quá sâu, không đọc được; đã cách ly để người xem, tệp gốc vẫn được lưu.",
        "en": "The mail's structure is broken or nested too deep to read; held for a person, the original bytes are kept.",
    },
    "intake.why.too_large": {
        "vi": "Thư lớn hơn giới hạn mailbox.max_message_bytes nên chưa được mở; đã cách ly, tệp gốc vẫn được lưu (tăng giới hạn rồi 'mailflow release' nếu cần).",
        "en": "The mail is larger than mailbox.max_message_bytes and was not opened; held, the original bytes are kept (raise the limit, then 'mailflow release' if needed).",
    },
    "intake.why.own_loop": {
        "vi": "Thư do chính mailflow gửi (X-Mailflow-Id: {value}); bỏ qua.",
        "en": "Mail sent by mailflow itself (X-Mailflow-Id: {value}); ignored.",
    },
    "intake.why.own_address": {
        "vi": "Thư gửi từ chính hộp thư của mailflow ({address}); bỏ qua.",
        "en": "Mail sent from mailflow's own mailbox ({address}); ignored.",
    },
    "intake.why.read_receipt": {
        "vi": "Xác nhận đã đọc thư (MDN); không phải báo cáo.",
        "en": "Read receipt (MDN); not a report.",
    },
    "intake.why.feedback_report": {
        "vi": "Báo cáo phản hồi/lạm dụng của máy chủ thư (ARF); không phải báo cáo.",
        "en": "Mail server feedback/abuse report (ARF); not a report.",
    },
    "intake.why.machine_report": {
        "vi": "Thư do máy tạo ({type}); không phải báo cáo.",
        "en": "Machine-generated report ({type}); not a report.",
    },
    "intake.why.bounce_dsn": {
        "vi": "Thư báo không gửi được (DSN) tới {recipient}, mã {status}.",
        "en": "Delivery failure notice (DSN) for {recipient}, status {status}.",
    },
    "intake.why.bounce_text": {
        "vi": "Thư báo lỗi của máy chủ thư: không gửi được tới {recipient} (mã {status}).",
        "en": "Mail server bounce: could not deliver to {recipient} (status {status}).",
    },
    "intake.why.bounce_delayed": {
        "vi": "Máy chủ báo thư tới {recipient} bị chậm (mã {status}); chưa phải thất bại.",
        "en": "The server reports mail to {recipient} delayed (status {status}); not failed yet.",
    },
    "intake.why.auth_fail": {
        "vi": "Thư mang địa chỉ phòng {address} nhưng máy chủ nhận của Sở báo {method}=fail: "
        "có thể giả mạo; đã cách ly.",
        "en": "Mail claims the department address {address} but our receiving server says "
        "{method}=fail: possibly spoofed; quarantined.",
    },
    "intake.why.auth_missing": {
        "vi": "Thư từ {address} không có kết quả xác thực đạt (SPF/DKIM/DMARC) từ máy chủ của "
        "Sở, mà cấu hình yêu cầu (require_auth_pass); đã cách ly.",
        "en": "Mail from {address} carries no passing SPF/DKIM/DMARC result from our server, "
        "which the config requires (require_auth_pass); quarantined.",
    },
    "intake.why.auto_reply": {
        "vi": "Thư trả lời tự động ({signal}); đã ghi nhận, không trả lời lại.",
        "en": "Automatic reply ({signal}); recorded, never answered.",
    },
    "intake.why.mailing_list": {
        "vi": "Thư từ danh sách thư ({header}); bỏ qua.",
        "en": "Mailing-list mail ({header}); ignored.",
    },
    "intake.why.report_via_list": {
        "vi": "Báo cáo gửi qua địa chỉ nhóm/danh sách thư ({header}); nhận vào, không trả lời tự động cho nhóm.",
        "en": "Report sent through a group or list address ({header}); taken in, never answered to the list.",
    },
    "intake.why.report_from_system": {
        "vi": "Báo cáo do hệ thống gửi ({signal}); nhận vào, không trả lời tự động cho hệ thống.",
        "en": "Report sent by a system ({signal}); taken in, never answered to the system.",
    },
    "intake.why.list_from_department": {
        "vi": "Thư qua danh sách thư ({header}) từ địa chỉ của phòng, không kèm báo cáo; cần người xem.",
        "en": "List mail ({header}) from a department's address with no report in it; for a person to look at.",
    },
    "intake.why.unknown_sender": {
        "vi": "Người gửi {address} không thuộc phòng nào trong cấu hình; chờ người xem xét.",
        "en": "Sender {address} belongs to no configured department; waiting for review.",
    },
    "intake.why.name_claims_address": {
        "vi": "Tên hiển thị của người gửi ghi địa chỉ {claimed} nhưng thư thật ra gửi từ {address} (có thể giả mạo); chờ người xem xét.",
        "en": "The sender's display name shows the address {claimed} but the mail comes from {address} (possibly a look-alike); waiting for review.",
    },
    "intake.why.stage_failed": {
        "vi": "Lỗi ở bước {stage} khi xử lý thư này ({error}); thư đã được lưu nguyên bản và cách ly để người xem, các thư khác vẫn được nhận bình thường.",
        "en": "Processing this mail failed at the {stage} step ({error}); the original is kept and held for a person, the other mails were taken in as usual.",
    },
    "intake.why.alias_only": {
        "vi": 'Tên người gửi "{name}" giống phòng {code} nhưng địa chỉ {address} không có '
        "trong cấu hình; chờ người xem xét.",
        "en": 'Sender name "{name}" looks like department {code} but the address {address} '
        "is not configured; waiting for review.",
    },
    "intake.why.campaign_reply": {
        "vi": "Trả lời thư mailflow đã gửi ({message_id}).",
        "en": "Reply to a mail mailflow sent ({message_id}).",
    },
    "intake.why.campaign_token": {
        "vi": "Tiêu đề có mã đợt [{token}].",
        "en": "The subject carries the campaign token [{token}].",
    },
    "intake.why.campaign_only_open": {
        "vi": "Chỉ có một đợt báo cáo đang mở.",
        "en": "Only one campaign is open.",
    },
    "intake.why.campaign_none_open": {
        "vi": "Không có đợt báo cáo nào đang mở; chờ người xem xét.",
        "en": "No campaign is open; waiting for review.",
    },
    "intake.why.campaign_unknown": {
        "vi": "Không xác định được đợt báo cáo (đang mở: {campaigns}); chờ người xem xét.",
        "en": "Cannot tell the campaign (open: {campaigns}); waiting for review.",
    },
    "intake.why.campaign_content": {
        "vi": "Nội dung thư và tài liệu cho thấy đợt {campaign} (điểm: {evidence}).",
        "en": "The mail and its documents point to campaign {campaign} (points: {evidence}).",
    },
    "intake.why.campaign_split": {
        "vi": "Tài liệu của thư trả lời nhiều đợt ({campaigns}); mỗi tài liệu được xếp vào đợt của nó (điểm: {evidence}).",
        "en": "The mail's documents answer several campaigns ({campaigns}); each document goes to its own (points: {evidence}).",
    },
    "intake.why.campaign_split_unclear": {
        "vi": "Tài liệu của thư trả lời nhiều đợt ({campaigns}) nhưng không xác định được đợt của: {documents}; chờ người xem xét (điểm: {evidence}).",
        "en": "The mail's documents answer several campaigns ({campaigns}) but the campaign of {documents} cannot be told; waiting for review (points: {evidence}).",
    },
    "intake.why.campaign_ambiguous": {
        "vi": "Tiêu đề khớp nhiều đợt ({campaigns}); chờ người xem xét.",
        "en": "The subject matches several campaigns ({campaigns}); waiting for review.",
    },
    # --- unpack: why a file has its status -----------------------------------------
    "intake.unpack.docx": {"vi": "Tệp Word (.docx).", "en": "Word file (.docx)."},
    "intake.unpack.legacy_fonts": {
        "vi": "Văn bản gõ bằng phông chữ cũ {encoding} (.VnTime, VNI-Times…): đã chuyển "
        "sang chữ Unicode ({runs} đoạn chữ); tệp gốc được lưu nguyên như khi gửi.",
        "en": "Typed in a legacy {encoding} font (.VnTime, VNI-Times…): converted to Unicode "
        "text ({runs} runs); the original file is kept as sent.",
    },
    "intake.unpack.converted": {
        "vi": "Đã chuyển sang .docx bằng LibreOffice.",
        "en": "Converted to .docx with LibreOffice.",
    },
    "intake.unpack.no_converter": {
        "vi": "Cần chuyển đổi sang .docx nhưng máy chưa có LibreOffice; tệp được giữ lại.",
        "en": "Needs conversion to .docx but LibreOffice is not installed; the file is kept.",
    },
    "intake.unpack.conversion_failed": {
        "vi": "LibreOffice không chuyển được tệp ({error}); tệp được giữ lại để xử lý tay.",
        "en": "LibreOffice could not convert the file ({error}); kept for manual handling.",
    },
    "intake.unpack.pdf": {
        "vi": "PDF, đã lấy chữ từ {pages} trang.",
        "en": "PDF, text taken from {pages} pages.",
    },
    "intake.unpack.pdf_no_text": {
        "vi": "PDF {pages} trang không có lớp chữ (có thể là bản quét).",
        "en": "PDF of {pages} pages has no text layer (maybe a scan).",
    },
    "intake.unpack.pdf_ocr": {
        "vi": "PDF {pages} trang là bản quét; chữ được nhận dạng (OCR) từ {ocr_pages} trang, "
        "cần đối chiếu với bản gốc.",
        "en": "PDF of {pages} pages is a scan; text recognised (OCR) from {ocr_pages} pages, "
        "to be checked against the original.",
    },
    "intake.unpack.image_ocr": {
        "vi": "Ảnh chụp/quét trang văn bản; chữ được nhận dạng (OCR), cần đối chiếu với bản gốc.",
        "en": "Photo or scan of a page; text recognised (OCR), to be checked against the original.",
    },
    "intake.unpack.deferred": {
        "vi": "Tệp đang chờ đọc (chữ PDF, OCR, chuyển đổi hoặc bảng tính); tệp được giữ lại.",
        "en": "Waiting to be read (PDF text, OCR, conversion or a workbook); the file is kept.",
    },
    "intake.unpack.deferred_timeout": {
        "vi": "Đọc tệp quá {seconds} giây nên đã dừng; tệp được giữ lại để xử lý tay.",
        "en": "Reading the file took over {seconds} s and was stopped; kept for manual handling.",
    },
    "intake.unpack.deferred_failed": {
        "vi": "Không đọc được tệp ({error}); tệp được giữ lại để xử lý tay.",
        "en": "The file could not be read ({error}); kept for manual handling.",
    },
    "intake.unpack.needs_ocr": {
        "vi": "Bản quét cần nhận dạng chữ (OCR) nhưng chưa làm được: {detail}. Tệp được giữ lại.",
        "en": "A scan that needs OCR, which could not run: {detail}. The file is kept.",
    },
    "intake.unpack.image_small": {
        "vi": "Ảnh nhỏ ({width}×{height} điểm ảnh: logo, biểu tượng); giữ lại, không đọc.",
        "en": "Small picture ({width}×{height} pixels: a logo or icon); kept, not read.",
    },
    "intake.unpack.image_no_text": {
        "vi": "Ảnh đính kèm ({ext}) không có chữ đọc được (không phải trang văn bản); giữ lại.",
        "en": "Attached picture ({ext}) holds no readable text (not a page); kept.",
    },
    "intake.unpack.pdf_timeout": {
        "vi": "Đọc chữ PDF quá {seconds} giây (tệp bất thường); đã cách ly.",
        "en": "Reading the PDF's text took over {seconds} seconds (an odd file); quarantined.",
    },
    "intake.unpack.pdf_no_reader": {
        "vi": "Máy chưa cài poppler-utils (pdftotext) để đọc PDF; tệp được giữ lại.",
        "en": "poppler-utils (pdftotext) is not installed to read PDFs; the file is kept.",
    },
    "intake.unpack.sheet": {
        "vi": "Bảng tính (.xlsx): mỗi trang tính thành một bảng Word.",
        "en": "Spreadsheet (.xlsx): each sheet becomes a Word table.",
    },
    "intake.unpack.sheet_converted": {
        "vi": "Bảng tính đã chuyển bằng LibreOffice; mỗi trang tính thành một bảng Word.",
        "en": "Spreadsheet converted with LibreOffice; each sheet becomes a Word table.",
    },
    "intake.unpack.sheet_empty": {
        "vi": "Bảng tính không có ô nào có dữ liệu.",
        "en": "The spreadsheet has no cell with data.",
    },
    "intake.unpack.sheet_cut": {
        "vi": "(Trang tính lớn: chỉ chép {rows} dòng, {cols} cột đầu; bỏ bớt {cut_rows} dòng, "
        "{cut_cols} cột — xem tệp gốc.)",
        "en": "(Large sheet: only the first {rows} rows and {cols} columns are copied; "
        "{cut_rows} rows and {cut_cols} columns left out — see the original file.)",
    },
    "intake.unpack.body_html": {
        "vi": "Nội dung thư dạng HTML (giữ tiêu đề, danh sách, bảng; bỏ phần trích dẫn).",
        "en": "HTML mail body (headings, lists and tables kept; quoted original removed).",
    },
    "intake.unpack.text_file": {"vi": "Tệp văn bản thuần.", "en": "Plain text file."},
    "intake.unpack.body": {
        "vi": "Nội dung thư (đã bỏ phần trích dẫn và chữ ký).",
        "en": "Mail body (quoted original and signature removed).",
    },
    "intake.unpack.body_empty": {
        "vi": "Không có nội dung.",
        "en": "No content.",
    },
    "intake.unpack.inline_image": {
        "vi": "Ảnh trong thân thư (logo, chữ ký); giữ lại, không đọc.",
        "en": "Image in the mail body (logo, signature); kept, not read.",
    },
    "intake.unpack.image": {
        "vi": "Ảnh đính kèm ({ext}); giữ lại, không đọc chữ.",
        "en": "Attached image ({ext}); kept, text not read.",
    },
    "intake.unpack.unsupported": {
        "vi": "Loại tệp {ext} không phải báo cáo đọc được; giữ lại.",
        "en": "File type {ext} is not a readable report; kept.",
    },
    "intake.unpack.tnef_empty": {
        "vi": "winmail.dat không chứa tệp đính kèm.",
        "en": "winmail.dat holds no attachment.",
    },
    "intake.unpack.bad_name": {
        "vi": "Tên tệp nguy hiểm ({problem}): {name}; đã cách ly.",
        "en": "Hostile file name ({problem}): {name}; quarantined.",
    },
    "intake.unpack.duplicate_member": {
        "vi": "Tệp có hai thành phần cùng tên ({name}): không biết phần nào là thật; đã cách ly.",
        "en": "The file holds two members named {name}: which one counts is unclear; quarantined.",
    },
    "intake.unpack.bad_member": {
        "vi": "Tệp nén chứa tên nguy hiểm ({problem}): {name}; đã cách ly.",
        "en": "Archive member with a hostile name ({problem}): {name}; quarantined.",
    },
    "intake.unpack.too_many_files": {
        "vi": "Thư có quá nhiều tệp (giới hạn {limit}); đã cách ly phần còn lại.",
        "en": "Too many files in one mail (limit {limit}); the rest is quarantined.",
    },
    "intake.unpack.too_large": {
        "vi": "Tệp quá lớn ({size} byte, giới hạn {limit}); đã cách ly.",
        "en": "File too large ({size} bytes, limit {limit}); quarantined.",
    },
    "intake.unpack.total_too_large": {
        "vi": "Tổng dung lượng tệp của thư vượt giới hạn {limit} byte; đã cách ly.",
        "en": "The files of this mail exceed {limit} bytes in total; quarantined.",
    },
    "intake.unpack.executable": {
        "vi": "Tệp chương trình ({ext}) không phải báo cáo; đã cách ly.",
        "en": "Executable file ({ext}), not a report; quarantined.",
    },
    "intake.unpack.macros": {
        "vi": "Tài liệu chứa macro ({where}); đã cách ly. Đề nghị phòng gửi lại dạng .docx.",
        "en": "Document contains macros ({where}); quarantined. Ask for a plain .docx.",
    },
    "intake.unpack.encrypted": {
        "vi": "Tài liệu có mật khẩu/mã hoá ({where}); không đọc được, đã cách ly.",
        "en": "Document is password-protected/encrypted ({where}); cannot be read, quarantined.",
    },
    "intake.unpack.doctype": {
        "vi": "Phần {part} của tài liệu chứa DOCTYPE/ENTITY (có thể là bom XML); đã cách ly.",
        "en": "Part {part} of the document holds a DOCTYPE/ENTITY (possible XML bomb); "
        "quarantined.",
    },
    "intake.unpack.not_zip": {
        "vi": "Tệp mang đuôi Office nhưng không phải gói Office hợp lệ; đã cách ly.",
        "en": "File has an Office extension but is not a valid Office package; quarantined.",
    },
    "intake.unpack.not_word": {
        "vi": "Gói Office không chứa văn bản Word ({part}); đã cách ly.",
        "en": "Office package holds no Word document ({part}); quarantined.",
    },
    "intake.unpack.not_word_binary": {
        "vi": "Tệp mang đuôi .doc nhưng không phải văn bản Word; đã cách ly.",
        "en": "File named .doc is not a Word document; quarantined.",
    },
    "intake.unpack.empty": {"vi": "Tệp rỗng; đã cách ly.", "en": "Empty file; quarantined."},
    "intake.unpack.damaged": {
        "vi": "Tệp hỏng hoặc bị cắt cụt ({error}); đã cách ly.",
        "en": "File damaged or truncated ({error}); quarantined.",
    },
    "intake.unpack.unreadable": {
        "vi": "Không đọc được tệp ({error}); đã cách ly.",
        "en": "Cannot read the file ({error}); quarantined.",
    },
    "intake.unpack.too_deep": {
        "vi": "Tệp nén/thư chuyển tiếp lồng nhau quá sâu (mức {depth}); đã cách ly.",
        "en": "Archives/forwarded mails nested too deep (level {depth}); quarantined.",
    },
    "intake.unpack.zip_entries": {
        "vi": "Tệp nén có {count} mục (giới hạn {limit}); đã cách ly.",
        "en": "Archive has {count} members (limit {limit}); quarantined.",
    },
    "intake.unpack.zip_size": {
        "vi": "Tệp nén giải ra quá lớn ({size} byte, giới hạn {limit}): có thể là bom nén; "
        "đã cách ly.",
        "en": "Archive inflates too large ({size} bytes, limit {limit}): possible zip bomb; "
        "quarantined.",
    },
    "intake.unpack.zip_method": {
        "vi": "Phần {name} trong tệp nén dùng kiểu nén số {method} (chỉ nhận 'stored' và "
        "'deflate', như Word và các công cụ nén thường dùng): không đọc, đã cách ly.",
        "en": "Member {name} of the archive uses compression method {method} (only stored "
        "and deflate are read, as Word and common zip tools write them): not read, "
        "quarantined.",
    },
    "intake.unpack.zip_ratio": {
        "vi": "Tỷ lệ nén bất thường ({ratio}:1, giới hạn {limit}:1): có thể là bom nén; "
        "đã cách ly.",
        "en": "Abnormal compression ratio ({ratio}:1, limit {limit}:1): possible zip bomb; "
        "quarantined.",
    },
}
