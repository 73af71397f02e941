"""Sentences of intake: `mailflow poll`, `mailflow ingest`, `mailflow import`."""

MESSAGES = {
    "poll.connecting": {
        "vi": "Đang kiểm tra hộp thư {address} ({folder})…",
        "en": "Checking mailbox {address} ({folder})…",
    },
    "poll.summary": {
        "vi": "Đã nhận {new} thư mới ({fetched} thư tải về, {duplicates} thư đã có), chuyển {moved} thư vào thư mục đã xử lý.",
        "en": "Took in {new} new mail(s) ({fetched} fetched, {duplicates} already recorded), moved {moved} to the processed folders.",
    },
    "poll.nothing_new": {
        "vi": "Không có thư mới.",
        "en": "No new mail.",
    },
    "poll.recovered_moves": {
        "vi": "Đã chuyển {count} thư đã ghi nhận từ lần trước nhưng còn nằm trong {folder}.",
        "en": "Moved {count} mail(s) recorded by an earlier poll but still in {folder}.",
    },
    "poll.uidvalidity_changed": {
        "vi": "CẢNH BÁO: UIDVALIDITY của thư mục {folder} đã đổi ({old} → {new}). Máy chủ đã đánh số lại thư; lần này mailflow KHÔNG di chuyển thư nào trên máy chủ, chỉ đối chiếu lại theo Message-ID và mã băm nội dung.",
        "en": "WARNING: UIDVALIDITY of folder {folder} changed ({old} → {new}). The server renumbered its mail; this time mailflow moves NO mail on the server and only re-syncs by Message-ID and content hash.",
    },
    "poll.uidvalidity_resync": {
        "vi": "Đối chiếu lại xong: {seen} thư trên máy chủ, {known} thư đã có (cùng nội dung), {same_id} thư trùng Message-ID nhưng khác nội dung (để nguyên, xem nhật ký), {new} thư mới được ghi nhận. Các thư đã đối chiếu sẽ được chuyển ở lần kiểm tra sau.",
        "en": "Re-sync done: {seen} mail(s) on the server, {known} already recorded (same content), {same_id} with a known Message-ID but other content (left in place, see the log), {new} newly recorded. Re-synced mail is moved on the next poll.",
    },
    "poll.uidvalidity_hint": {
        "vi": "Thường do máy chủ thư được khôi phục hoặc chuyển đổi. Hãy kiểm tra hộp thư bằng trình đọc thư; không có thư nào bị xoá.",
        "en": "This usually follows a restore or migration of the mail server. Look at the mailbox in a mail client; no mail was deleted.",
    },
    "poll.fetch_missing": {
        "vi": "Máy chủ IMAP không trả về nội dung thư UID {uids} trong thư mục {folder} dù thư vẫn còn đó.",
        "en": "The IMAP server returned no content for UID {uids} in folder {folder} although the mail is still there.",
    },
    "poll.fetch_missing_hint": {
        "vi": "Chưa thư nào trong lô này được đánh dấu đã xử lý; chạy lại `mailflow poll` sau ít phút.",
        "en": "Nothing in this batch was marked done; run `mailflow poll` again in a few minutes.",
    },
    "poll.renumbered_during_poll": {
        "vi": "UIDVALIDITY của thư mục {folder} đã đổi ({old} → {new}) trong lúc đang kiểm tra hộp thư; mailflow không di chuyển thư nào theo số cũ.",
        "en": "UIDVALIDITY of folder {folder} changed ({old} → {new}) during the poll; mailflow moves no mail by the old numbers.",
    },
    "poll.renumbered_during_poll_hint": {
        "vi": "Thư đã ghi nhận vẫn an toàn; lần kiểm tra sau sẽ đối chiếu lại theo nội dung. Không cần làm gì thêm.",
        "en": "What was recorded is safe; the next poll re-syncs by content. Nothing else to do.",
    },
    "poll.location_conflict": {
        "vi": "Thư UID {uid} (UIDVALIDITY {uidvalidity}) trong {folder} có nội dung khác với thư đã ghi nhận ở cùng vị trí.",
        "en": "Mail UID {uid} (UIDVALIDITY {uidvalidity}) in {folder} differs from the mail already recorded at that place.",
    },
    "poll.location_conflict_hint": {
        "vi": "Máy chủ đã dùng lại UID mà không đổi UIDVALIDITY; báo cho quản trị máy chủ thư.",
        "en": "The server reused a UID without changing UIDVALIDITY; tell the mail server's administrator.",
    },
    "poll.loop_started": {
        "vi": "Kiểm tra hộp thư mỗi {seconds} giây; nhấn Ctrl+C để dừng.",
        "en": "Polling every {seconds} seconds; press Ctrl+C to stop.",
    },
    "poll.loop_error": {
        "vi": "Lần kiểm tra lúc {at} lỗi: {error}; sẽ thử lại sau {seconds} giây.",
        "en": "The poll at {at} failed: {error}; retrying in {seconds} seconds.",
    },
    "poll.kind.report": {"vi": "báo cáo", "en": "report"},
    "poll.kind.auto-reply": {"vi": "trả lời tự động", "en": "auto-reply"},
    "poll.kind.bounce": {"vi": "thư báo lỗi", "en": "bounce"},
    "poll.kind.own": {"vi": "thư của mình", "en": "own mail"},
    "poll.kind.ignored": {"vi": "bỏ qua", "en": "ignored"},
    "poll.kind.quarantined": {"vi": "cách ly", "en": "quarantined"},
    "poll.kind.review": {"vi": "cần xem", "en": "review"},
    "poll.mail_line": {
        "vi": "  {kind}: {who} — {subject} [{campaign}/{department}] {documents} tệp{reason}",
        "en": "  {kind}: {who} — {subject} [{campaign}/{department}] {documents} file(s){reason}",
    },
    "poll.internal_error": {
        "vi": "lỗi khi đọc thư ({error}); thư được giữ nguyên để người xem",
        "en": "error while reading the mail ({error}); the mail is kept for a person to look at",
    },
    "poll.move_failed_detail": {
        "vi": "đã ghi nhận nhưng chưa chuyển được thư mục",
        "en": "recorded but not yet moved",
    },
    "ingest.no_files": {
        "vi": "Không tìm thấy thư nào trong {paths}.",
        "en": "No mail found in {paths}.",
    },
    "ingest.not_found": {
        "vi": "Không có tệp hoặc thư mục {path}.",
        "en": "No such file or folder: {path}.",
    },
    "ingest.not_found_hint": {
        "vi": "Đưa vào tệp .eml, tệp mbox hoặc thư mục Maildir (có cur/ và new/).",
        "en": "Give .eml files, mbox files or Maildir folders (with cur/ and new/).",
    },
    "ingest.unreadable": {
        "vi": "Không đọc được {path}: {error}",
        "en": "Cannot read {path}: {error}",
    },
    "ingest.summary": {
        "vi": "Đã xử lý {total} thư: {new} thư mới, {duplicates} thư đã có.",
        "en": "Processed {total} mail(s): {new} new, {duplicates} already recorded.",
    },
    "ingest.by_kind": {
        "vi": "  {kind}: {count}",
        "en": "  {kind}: {count}",
    },
    "import.not_found": {
        "vi": "Không có tệp {path}.",
        "en": "No such file: {path}.",
    },
    "import.empty": {
        "vi": "Tệp {path} rỗng.",
        "en": "The file {path} is empty.",
    },
    "import.done": {
        "vi": "Đã nhập báo cáo {name} của {department} cho đợt {campaign} (người nhập: {user}); {documents} tài liệu.",
        "en": "Imported report {name} from {department} for campaign {campaign} (imported by {user}); {documents} document(s).",
    },
    "import.already": {
        "vi": "Báo cáo {name} đã được ghi nhận trước đó (thư số {mail_id}); không ghi lại.",
        "en": "Report {name} was already recorded (mail {mail_id}); not recorded again.",
    },
    "import.subject": {
        "vi": "Báo cáo nhập tay: {name}",
        "en": "Imported report: {name}",
    },
    "import.reason": {
        "vi": "nhập tay bởi {user} (đợt {campaign}, đơn vị {department})",
        "en": "imported by {user} (campaign {campaign}, department {department})",
    },
    "poll.matched": {
        "vi": "Đã xếp {mails} báo cáo vào đề cương: {placed} phần đúng mục, {review} phần chờ xem lại, {unplaced} phần chưa có mục (xem 'mailflow review').",
        "en": "Placed {mails} reports in the outline: {placed} parts placed, {review} waiting for review, {unplaced} without a section (see 'mailflow review').",
    },
}
