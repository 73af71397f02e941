"""Review by reply: the Office's commands, the answer it gets, what its mails list."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "review.section_ambiguous": {
        "vi": "“{section}” chỉ nhiều mục, chưa biết chọn mục nào.",
        "en": "“{section}” names several sections; which one is meant is not clear.",
    },
    "review.section_candidates": {
        "vi": "Ghi rõ một trong các mục: {names}",
        "en": "Name one of: {names}",
    },
    "reply.why.office_reply": {
        "vi": "Văn phòng trả lời dự thảo ({address}): lệnh xem lại",
        "en": "The Office answered a draft ({address}): review commands",
    },
    "reply.why.not_office": {
        "vi": "Thư trả lời dự thảo không đến từ địa chỉ của Văn phòng ({address})",
        "en": "A reply to a draft not from an Office address ({address})",
    },
    "reply.why.auth_fail": {
        "vi": "Thư trả lời dự thảo mang địa chỉ {address} nhưng máy chủ thư báo xác thực "
        "thất bại: giữ lại, không làm lệnh nào",
        "en": "A reply to a draft from {address} failed our mail server's authentication: "
        "held, no command applied",
    },
    "reply.why.auth_missing": {
        "vi": "Thư trả lời dự thảo mang địa chỉ {address} nhưng máy chủ thư tin cậy chưa xác "
        "thực: giữ lại, không làm lệnh nào",
        "en": "A reply to a draft from {address} that our trusted mail server did not "
        "authenticate: held, no command applied",
    },
    "reply.done_place": {
        "vi": "Phần {id}: {before} → {after}.",
        "en": "Part {id}: {before} → {after}.",
    },
    "reply.done_unchanged": {
        "vi": "Phần {id} đã ở {section}: không đổi.",
        "en": "Part {id} already sits in {section}: unchanged.",
    },
    "reply.done_release": {
        "vi": "Thư {id} được nhận là báo cáo của {department} ({parts} phần).",
        "en": "Mail {id} accepted as the report of {department} ({parts} part(s)).",
    },
    "reply.done_campaign": {
        "vi": "Thư {id} được xếp vào đợt {campaign}, là báo cáo của {department} ({parts} phần).",
        "en": "Mail {id} filed under campaign {campaign} as the report of {department} "
        "({parts} part(s)).",
    },
    "reply.done_restore": {
        "vi": "Phần {id} được khôi phục vào {section}.",
        "en": "Part {id} restored to {section}.",
    },
    "reply.failed_line": {"vi": "“{line}”: {why}", "en": "“{line}”: {why}"},
    "reply.other_campaign_part": {
        "vi": "phần {id} thuộc đợt {other}, không phải đợt {campaign} của thư này — hãy trả "
        "lời thư dự thảo của đợt {other}",
        "en": "part {id} belongs to campaign {other}, not to this mail's campaign {campaign} "
        "— reply to campaign {other}'s draft mail",
    },
    "reply.other_campaign_mail": {
        "vi": "thư {id} thuộc đợt {other}, không phải đợt {campaign} của thư này — hãy trả "
        "lời thư dự thảo của đợt {other}",
        "en": "mail {id} belongs to campaign {other}, not to this mail's campaign {campaign} "
        "— reply to campaign {other}'s draft mail",
    },
    "reply.placed_replaces": {
        "vi": "Thư của phần này là bản sửa: phần {ids} gửi trước cho mục này đã được thay "
        "(để hoàn lại, trả lời: khôi phục <số phần>).",
        "en": "This part's mail is a revision: part(s) {ids} sent before for this section are "
        "replaced (to undo, reply: restore <part>).",
    },
    "reply.answer_intro": {
        "vi": "mailflow đã đọc thư trả lời của anh/chị.",
        "en": "mailflow read your reply.",
    },
    "reply.answer_done": {"vi": "Đã làm:", "en": "Done:"},
    "reply.answer_failed": {"vi": "Không làm được:", "en": "Not done:"},
    "reply.answer_unreadable": {
        "vi": "Không hiểu các dòng sau (không làm gì):",
        "en": "Lines not understood (nothing done):",
    },
    "reply.answer_nothing": {
        "vi": "Thư không có lệnh nào.",
        "en": "The reply held no command.",
    },
    "reply.answer_draft": {
        "vi": "Dự thảo mới theo các thay đổi này được gửi kèm thư sau.",
        "en": "A new draft with these changes follows in a separate mail.",
    },
    "reply.forms": {
        "vi": "Cách viết lệnh (mỗi dòng một lệnh, có dấu hay không dấu đều được):\n"
        "  đặt 33 vào 2.1        — đưa phần 33 vào mục 2.1 (số mục trong đề cương)\n"
        "  phụ lục 33            — đưa phần 33 ra phụ lục\n"
        "  nhận thư 9 của QLKH   — thư 9 đang bị giữ là báo cáo của phòng QLKH\n"
        "  khôi phục 41          — khôi phục phần 41 đã bị thay thế\n"
        "  đợt 2024-kh cho thư 12 — thư 12 đang bị giữ là báo cáo của đợt 2024-kh\n"
        "Tiếng Anh: place 33 2.1 · appendix 33 · release 9 QLKH · restore 41 · "
        "campaign 12 2024-kh",
        "en": "How to write commands (one a line, with or without diacritics):\n"
        "  place 33 2.1          — put part 33 under section 2.1 (the outline's number)\n"
        "  appendix 33           — move part 33 to the appendix\n"
        "  release 9 QLKH        — held mail 9 is the QLKH department's report\n"
        "  restore 41            — bring back part 41 that a later part replaced\n"
        "  campaign 12 2024-kh   — held mail 12 is a report for campaign 2024-kh\n"
        "In Vietnamese: đặt 33 vào 2.1 · phụ lục 33 · nhận thư 9 của QLKH · khôi phục 41 · "
        "đợt 2024-kh cho thư 12",
    },
    "review.office_signoff_short": {
        "vi": "Thư gửi tự động bởi mailflow.",
        "en": "Sent by mailflow.",
    },
    # --- what waits for a person, at the end of every Office mail ------------------------
    "office.wait_title": {
        "vi": "Đang chờ anh/chị quyết định:",
        "en": "Waiting for your decision:",
    },
    "office.wait_none": {
        "vi": "Không có gì chờ quyết định.",
        "en": "Nothing waits for a decision.",
    },
    "office.wait_part": {
        "vi": "Phần {id} ({department}): “{text}” — gần nhất: {best}",
        "en": "Part {id} ({department}): “{text}” — best: {best}",
    },
    "office.wait_mail": {
        "vi": "Thư {id} từ {sender} “{subject}” bị giữ: {reason}",
        "en": "Mail {id} from {sender} “{subject}” held: {reason}",
    },
    "office.wait_doc": {
        "vi": "Tệp “{name}” của {department} ({sender}) không đọc được chữ: {reason}",
        "en": "File “{name}” from {department} ({sender}) gave no text: {reason}",
    },
    "office.wait_replaced": {
        "vi": "Phần {id} ({department}, {section}) đã bị phần mới hơn thay thế",
        "en": "Part {id} ({department}, {section}) was replaced by a later part",
    },
    "office.reply_howto": {
        "vi": "Để quyết định, trả lời thư này, mỗi dòng một lệnh:",
        "en": "To decide, reply to this mail with one command a line:",
    },
    "reply.poll_line": {
        "vi": "Thư {id} của Văn phòng ({sender}): {done} lệnh đã làm, {failed} dòng không làm "
        "được; đã trả lời.",
        "en": "Office mail {id} ({sender}): {done} command(s) applied, {failed} line(s) not "
        "done; answered.",
    },
    "reply.poll_duplicate": {
        "vi": "Thư {id} của Văn phòng ({sender}) đã được xử lý trước đó: bỏ qua.",
        "en": "Office mail {id} ({sender}) was handled before: ignored.",
    },
}
