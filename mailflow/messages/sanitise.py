"""What the intake sanitiser puts in place of active content, and how it reports it.

Placeholders are short and visible so the Office sees in the draft where something was;
the ``sanitise.kind.*`` labels name each count recorded on a document
(``removed_<kind>`` params) in the receipt and the draft's appendix.
"""

MESSAGES = {
    "sanitise.placeholder_picture": {
        "vi": "[ảnh liên kết ngoài — đã bỏ]",
        "en": "[externally linked picture — removed]",
    },
    "sanitise.placeholder_big_picture": {
        "vi": "[ảnh quá lớn — đã bỏ, bản gốc vẫn lưu]",
        "en": "[picture too large — removed, the original is kept]",
    },
    "sanitise.placeholder_object": {
        "vi": "[đối tượng nhúng — đã bỏ]",
        "en": "[embedded object — removed]",
    },
    "sanitise.placeholder_subdoc": {
        "vi": "[tài liệu con liên kết ngoài — đã bỏ]",
        "en": "[linked sub-document — removed]",
    },
    "sanitise.placeholder_altchunk": {
        "vi": "[nội dung chèn (altChunk) không đọc được — đã bỏ]",
        "en": "[inserted content (altChunk) that cannot be read — removed]",
    },
    "sanitise.kind.fields": {
        "vi": "trường (field) thay bằng kết quả",
        "en": "fields replaced by their result",
    },
    "sanitise.kind.linked_fields": {
        "vi": "trường lấy nội dung từ ngoài (INCLUDETEXT, INCLUDEPICTURE…)",
        "en": "fields taking content from outside (INCLUDETEXT, INCLUDEPICTURE…)",
    },
    "sanitise.kind.dde": {
        "vi": "trường DDE (có thể chạy chương trình)",
        "en": "DDE fields (can start programs)",
    },
    "sanitise.kind.external_pictures": {
        "vi": "ảnh liên kết ngoài",
        "en": "externally linked pictures",
    },
    "sanitise.kind.external_links": {
        "vi": "liên kết tới tệp hoặc máy khác",
        "en": "links to files or other machines",
    },
    "sanitise.kind.ole_objects": {
        "vi": "đối tượng nhúng (OLE), giữ ảnh xem trước",
        "en": "embedded (OLE) objects, preview picture kept",
    },
    "sanitise.kind.altchunks": {
        "vi": "phần chèn altChunk, chuyển thành đoạn văn thường",
        "en": "altChunk parts, turned into ordinary paragraphs",
    },
    "sanitise.kind.comments": {
        "vi": "ghi chú (comment) trong tài liệu, không đưa vào dự thảo (bản gốc vẫn giữ)",
        "en": "comments in the document, not carried into the draft (the original keeps them)",
    },
    "sanitise.kind.templates": {
        "vi": "mẫu (template) đính kèm từ xa",
        "en": "remote attached templates",
    },
    "sanitise.kind.subdocuments": {
        "vi": "tài liệu con liên kết",
        "en": "linked sub-documents",
    },
    "sanitise.kind.frames": {
        "vi": "khung (frame) liên kết",
        "en": "linked frames",
    },
    "sanitise.kind.mail_merge": {
        "vi": "nguồn dữ liệu trộn thư",
        "en": "mail-merge data sources",
    },
    "sanitise.kind.other_links": {
        "vi": "liên kết ngoài khác",
        "en": "other external links",
    },
    "sanitise.kind.pictures_downscaled": {
        "vi": "ảnh quá lớn, đã thu nhỏ cho bản tổng hợp",
        "en": "oversized pictures, downscaled for the draft",
    },
    "sanitise.kind.big_pictures": {
        "vi": "ảnh quá lớn, thay bằng chú thích",
        "en": "oversized pictures, replaced by a note",
    },
    "sanitise.summary": {
        "vi": "{name}: {what}",
        "en": "{name}: {what}",
    },
    "intake.unpack.xml_too_large": {
        "vi": "Phần {part} của tài liệu quá lớn ({size} byte, giới hạn {limit}); đã cách ly.",
        "en": "Part {part} of the document is too large ({size} bytes, limit {limit}); "
        "quarantined.",
    },
    "intake.unpack.xml_elements": {
        "vi": "Tài liệu có quá nhiều phần tử XML (hơn {limit}, ở {part}); đã cách ly.",
        "en": "The document has too many XML elements (over {limit}, in {part}); quarantined.",
    },
    "intake.unpack.macros_unchecked": {
        "vi": "Không kiểm tra hết được macro trong đối tượng nhúng quá lớn ({where}); đã cách ly.",
        "en": "An embedded object too large to check for macros ({where}); quarantined.",
    },
    "review.receipt_sanitised": {
        "vi": "Để an toàn, mailflow đã bỏ nội dung hoạt động khỏi tài liệu của quý phòng "
        "(văn bản vẫn giữ nguyên):",
        "en": "For safety, mailflow removed active content from your document(s) "
        "(the text is kept):",
    },
}
