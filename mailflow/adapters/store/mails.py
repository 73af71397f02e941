"""Mails and their documents, as intake recorded them."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from mailflow.adapters.store.base import StoreBase

#: a document intake recorded unread, for the reading after the poll's batches
#: (``unpack.DEFERRED``); its mail is not matched until it is read
_WAITING = "d.status = 'needs-conversion' AND d.reason = 'intake.unpack.deferred'"


class MailRows(StoreBase):
    """Questions about mails and documents."""

    # -- intake and poll (services.intake, services.poll) --------------------------------

    def sent_message_ids(self) -> list[tuple[str, str | None, str | None]]:
        """(Message-ID, campaign, department) of every mail we sent: a reply names one in
        In-Reply-To. Empty when the state predates the outbox table."""
        try:
            rows = self.conn.execute("SELECT message_id, campaign, department FROM sends")
            return [(mid, camp, dept) for mid, camp, dept in rows.fetchall() if mid]
        except sqlite3.Error:
            return []

    def directive_subjects(self) -> list[tuple[str | None, str | None]]:
        """(campaign, JSON detail) of each directive sent, oldest first: the subject a
        reply may repeat. Empty when the state predates the outbox table."""
        try:
            return list(
                self.conn.execute(
                    "SELECT campaign, detail FROM sends WHERE kind = 'directive' ORDER BY id"
                ).fetchall()
            )
        except sqlite3.Error:
            return []

    def closed_campaigns(self) -> set[str]:
        """Campaigns whose final draft has gone to the Office (an outbox key ``final:<id>``)."""
        try:
            keys = self.conn.execute(
                "SELECT dedupe_key FROM sends WHERE dedupe_key LIKE 'final:%'"
            ).fetchall()
        except sqlite3.Error:
            return set()
        return {(key or "").split(":", 1)[1] for (key,) in keys}

    def mailbox_state(self, folder: str) -> dict[str, Any] | None:
        """The stored UIDVALIDITY and last UID taken in from ``folder``; None: never polled."""
        rows = self.query(
            "SELECT uidvalidity, last_uid FROM mailbox_state WHERE folder = ?", [folder]
        )
        return rows[0] if rows else None

    def set_mailbox_state(self, folder: str, uidvalidity: int, last_uid: int, at: str) -> None:
        """Remember the last UID taken in from ``folder`` (in the batch's transaction)."""
        self.conn.execute(
            "INSERT INTO mailbox_state (folder, uidvalidity, last_uid, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(folder) DO UPDATE SET "
            "uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid, "
            "updated_at=excluded.updated_at",
            [folder, uidvalidity, last_uid, at],
        )

    def has_unmoved(self, folder: str, uidvalidity: int) -> bool:
        """Whether a mail of ``folder`` was recorded but not yet moved on the server."""
        return bool(
            self.query(
                "SELECT 1 FROM mails WHERE folder = ? AND uidvalidity = ? AND moved = 0 LIMIT 1",
                [folder, uidvalidity],
            )
        )

    def unmoved_mails(self, folder: str, uidvalidity: int) -> list[dict[str, Any]]:
        """UID and kind of the mails recorded but not moved (a poll killed between its
        commit and its move); uses the partial index mails_unmoved."""
        return self.query(
            "SELECT uid, kind FROM mails WHERE folder = ? AND uidvalidity = ? AND moved = 0",
            [folder, uidvalidity],
        )

    def mark_moved(self, folder: str, uidvalidity: int, uids: Sequence[int]) -> None:
        """These mails have left the inbox (500 UIDs per statement)."""
        for start in range(0, len(uids), 500):
            chunk = list(uids[start : start + 500])
            marks = ",".join("?" for _ in chunk)
            self.conn.execute(
                f"UPDATE mails SET moved = 1 WHERE folder = ? AND uidvalidity = ? "
                f"AND uid IN ({marks})",
                [folder, uidvalidity, *chunk],
            )

    def mark_all_moved(self, folder: str, uidvalidity: int) -> None:
        """Every mail of ``folder`` is out of the inbox (after the repair of a killed poll)."""
        self.conn.execute(
            "UPDATE mails SET moved = 1 WHERE folder = ? AND uidvalidity = ? AND moved = 0",
            [folder, uidvalidity],
        )

    def has_mail(self, sha256: str) -> bool:
        """Whether these exact bytes were recorded."""
        return bool(self.query("SELECT 1 FROM mails WHERE sha256 = ?", [sha256]))

    def mails_with_message_id(self, message_id: str) -> list[dict[str, Any]]:
        """Id and hash of the mails recorded with ``message_id``."""
        return self.query("SELECT id, sha256 FROM mails WHERE message_id = ?", [message_id])

    def relocate_mail(self, sha256: str, folder: str, uidvalidity: int, uid: int) -> None:
        """The server renumbered: the mail with these bytes now sits at this place."""
        self.conn.execute(
            "UPDATE mails SET folder = ?, uidvalidity = ?, uid = ?, moved = 0 WHERE sha256 = ?",
            [folder, uidvalidity, uid, sha256],
        )

    def mail_by_sha256(self, sha256: str) -> dict[str, Any] | None:
        """The recorded mail with these bytes (what a repeat of it needs), or None."""
        rows = self.query(
            "SELECT id, folder, uidvalidity, uid, moved, kind, campaign, department, reason, "
            "from_addr, subject, detail FROM mails WHERE sha256 = ?",
            [sha256],
        )
        return rows[0] if rows else None

    def insert_mail(self, values: dict[str, Any]) -> int:
        """A new mail row from column → value; its id. Raises sqlite3.IntegrityError when
        its hash or its server place is taken."""
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(
            f"INSERT INTO mails ({cols}) VALUES ({marks})", list(values.values())
        )
        return int(cur.lastrowid or 0)

    def move_mail_place(self, mail_id: int, folder: str, uidvalidity: int, uid: int) -> None:
        """A mail met again at another server place takes it (and is to be moved again)."""
        self.conn.execute(
            "UPDATE mails SET folder=?, uidvalidity=?, uid=?, moved=0 WHERE id=?",
            [folder, uidvalidity, uid, mail_id],
        )

    def insert_documents(self, rows: Sequence[Sequence[Any]]) -> None:
        """Document rows (mail_id, ordinal, name, content_type, sha256, archive_path,
        docx_path, status, reason, reason_params, campaign) in one statement; a repeat
        (same mail, same ordinal) is a no-op."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO documents (mail_id, ordinal, name, content_type, sha256, "
            "archive_path, docx_path, status, reason, reason_params, campaign) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def fail_sends(self, message_ids: Sequence[str], why: str) -> int:
        """Our sends with one of these Message-IDs bounced: status failed; how many
        changed (0 also when the state predates the outbox table)."""
        marks = ", ".join("?" for _ in message_ids)
        try:
            cur = self.conn.execute(
                f"UPDATE sends SET status='failed', last_error=? "
                f"WHERE message_id IN ({marks}) AND status != 'failed'",
                [why, *message_ids],
            )
        except sqlite3.OperationalError:
            return 0
        return int(cur.rowcount)

    def savepoint(self, name: str) -> None:
        """Open a savepoint inside the current transaction (one mail of a batch)."""
        self.conn.execute(f"SAVEPOINT {name}")

    def release(self, name: str) -> None:
        """Keep what was done since savepoint ``name``."""
        self.conn.execute(f"RELEASE {name}")

    def rollback_to(self, name: str) -> None:
        """Undo what was done since savepoint ``name``, and close it."""
        self.conn.execute(f"ROLLBACK TO {name}")
        self.conn.execute(f"RELEASE {name}")

    # -- intake: documents whose expensive reading waits (services.intake.finish_deferred)

    def deferred_documents(self, reason: str) -> list[dict[str, Any]]:
        """The documents left unread at intake (status needs-conversion with
        ``reason``), oldest mail first, with what reading them needs: the original's
        archive path, its name and type, and the ``work`` in its reason params."""
        return self.query(
            "SELECT id, mail_id, ordinal, name, content_type, archive_path, reason_params "
            "FROM documents WHERE status = 'needs-conversion' AND reason = ? "
            "ORDER BY mail_id, ordinal",
            [reason],
        )

    def finish_document(
        self,
        document_id: int,
        *,
        status: str,
        reason: str,
        reason_params: str | None,
        docx_path: str | None,
        waiting_reason: str,
    ) -> bool:
        """Record a deferred document's reading: its status, reason and .docx form. Only
        a document still waiting (``waiting_reason``) changes, so doing it twice (a crash
        before the commit) is harmless; False when it had already been recorded."""
        cur = self.conn.execute(
            "UPDATE documents SET status = ?, reason = ?, reason_params = ?, docx_path = ? "
            "WHERE id = ? AND status = 'needs-conversion' AND reason = ?",
            [status, reason, reason_params, docx_path, document_id, waiting_reason],
        )
        return bool(cur.rowcount)

    def mail_detail(self, mail_id: int) -> str | None:
        """The stored JSON detail of mail ``mail_id`` (None: no such mail or no detail)."""
        rows = self.query("SELECT detail FROM mails WHERE id = ?", [mail_id])
        return rows[0]["detail"] if rows else None

    def set_mail_detail(self, mail_id: int, detail: str) -> None:
        """Replace mail ``mail_id``'s JSON detail (a document's notes changed)."""
        self.conn.execute("UPDATE mails SET detail = ? WHERE id = ?", [detail, mail_id])

    def attention_mails(self, campaign: str, kinds: Sequence[str]) -> list[dict[str, Any]]:
        """Mails of ``kinds`` (quarantined, review) for ``campaign`` or for no campaign yet."""
        marks = ", ".join("?" for _ in kinds)
        return self.query(
            "SELECT id, from_addr, subject, kind, reason, detail, department, received_at "
            f"FROM mails WHERE kind IN ({marks}) AND (campaign = ? OR campaign IS NULL) "
            "ORDER BY id",
            [*kinds, campaign],
        )

    def held_documents(self, campaign: str, mail_kind: str) -> list[dict[str, Any]]:
        """Documents of ``campaign``'s mails of ``mail_kind`` kept aside (quarantined,
        waiting for a conversion), with the sending mail's department and detail."""
        return self.query(
            "SELECT d.id, d.mail_id, d.ordinal, d.name, d.status, d.reason, d.reason_params, "
            "m.department, m.from_addr, m.detail "
            "FROM documents d JOIN mails m ON m.id = d.mail_id WHERE m.campaign = ? "
            "AND m.kind = ? AND d.status IN ('quarantined', 'needs-conversion') ORDER BY d.id",
            [campaign, mail_kind],
        )

    def mail_department(self, mail_id: int) -> str | None:
        """The department mail ``mail_id`` came from (None: not known yet).
        KeyError when there is no such mail."""
        rows = self.query("SELECT department FROM mails WHERE id = ?", [mail_id])
        if not rows:
            raise KeyError(mail_id)
        department: str | None = rows[0]["department"]
        return department

    # -- match and review

    def mail_by_id(self, mail_id: int) -> dict[str, Any] | None:
        """Every column of mail ``mail_id``; None when there is no such mail."""
        rows = self.query("SELECT * FROM mails WHERE id = ?", [mail_id])
        return rows[0] if rows else None

    def readable_documents(self, mail_id: int) -> list[dict[str, Any]]:
        """Mail ``mail_id``'s documents intake accepted (status 'ok'), in mail order: what
        the match reads."""
        return self.query(
            "SELECT * FROM documents WHERE mail_id = ? AND status = 'ok' ORDER BY ordinal",
            [mail_id],
        )

    def has_documents(self, mail_id: int) -> bool:
        """Whether mail ``mail_id`` has any document row (a mail held before extraction
        has none, and a release extracts them)."""
        return bool(self.query("SELECT 1 FROM documents WHERE mail_id = ? LIMIT 1", [mail_id]))

    def set_document_status(self, document_id: int, status: str, reason: str) -> None:
        """Set a document aside after intake ('quarantined' when unreadable, 'ignored' for
        an outline copy or a second form of the same report), with the reason's key."""
        self.conn.execute(
            "UPDATE documents SET status = ?, reason = ? WHERE id = ?",
            [status, reason, document_id],
        )

    def set_matched(self, mail_id: int, at: str) -> None:
        """Mark mail ``mail_id`` handled (matched, or an Office reply answered) at ``at``:
        the next run leaves it alone."""
        self.conn.execute("UPDATE mails SET matched_at = ? WHERE id = ?", [at, mail_id])

    def unmatched_reports(self, kind: str) -> list[int]:
        """Ids of mails of ``kind`` (report) with a campaign and a department and not
        matched yet, oldest first by the mail's own date (arrival when it has none). A
        mail with a document intake has not read yet (``intake.unpack.deferred``: a poll
        killed before its reading) waits: matched now, that document's text would never
        be placed."""
        rows = self.query(
            "SELECT id FROM mails WHERE kind = ? AND matched_at IS NULL AND campaign IS NOT NULL "
            "AND department IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents d "
            f"WHERE d.mail_id = mails.id AND {_WAITING}) ORDER BY COALESCE(date, received_at), id",
            [kind],
        )
        return [int(r["id"]) for r in rows]

    def waiting_documents(self, mail_id: int) -> int:
        """How many of mail ``mail_id``'s documents intake has not read yet (a PDF, scan,
        workbook or LibreOffice file waiting for the reading after the poll's batches)."""
        rows = self.query(
            f"SELECT COUNT(*) AS n FROM documents d WHERE d.mail_id = ? AND {_WAITING}",
            [mail_id],
        )
        return int(rows[0]["n"])

    def release_mail_as(
        self, mail_id: int, *, kind: str, campaign: str, department: str, by: str, reason: str
    ) -> None:
        """A person accepted held mail ``mail_id`` as ``department``'s report for
        ``campaign``: its new kind, who decided, and the reason key."""
        self.conn.execute(
            "UPDATE mails SET kind = ?, campaign = ?, department = ?, imported_by = ?, "
            "reason = ? WHERE id = ?",
            [kind, campaign, department, by, reason, mail_id],
        )

    def unhandled_mails(self, kind: str) -> list[dict[str, Any]]:
        """Mails of ``kind`` (Office replies) not handled yet, oldest first, with what
        answering them needs (campaign, sender, Message-ID, subject, archive path)."""
        return self.query(
            "SELECT id, campaign, from_addr, message_id, subject, archive_path FROM mails "
            "WHERE kind = ? AND matched_at IS NULL ORDER BY id",
            [kind],
        )

    def handled_elsewhere(self, kind: str, message_id: str, mail_id: int) -> bool:
        """Whether another mail of ``kind`` with this Message-ID was handled already: the
        same reply delivered twice is applied once."""
        rows = self.query(
            "SELECT id FROM mails WHERE kind = ? AND message_id = ? AND id <> ? "
            "AND matched_at IS NOT NULL",
            [kind, message_id, mail_id],
        )
        return bool(rows)

    # -- assemble/remind/outbox

    def away_notices(self, campaign: str, kind: str) -> list[dict[str, Any]]:
        """Mails of ``kind`` (auto-replies) from a known department for ``campaign`` or
        no campaign yet, oldest first (department, date, received_at, detail with the
        return date): who is away, so a reminder waits."""
        return self.query(
            "SELECT department, date, received_at, detail FROM mails "
            "WHERE kind = ? AND department IS NOT NULL AND (campaign = ? OR campaign IS NULL) "
            "ORDER BY id",
            [kind, campaign],
        )

    def department_mails(self, campaign: str) -> list[dict[str, Any]]:
        """Every mail from a known department for ``campaign`` (whole rows), also a mail
        split between campaigns (issue 18) with a document for this one, oldest first:
        bounces, auto-replies and reports behind each department's status in the draft."""
        return self.query(
            "SELECT * FROM mails WHERE (campaign = ? OR id IN "
            "(SELECT mail_id FROM documents WHERE campaign = ?)) AND department IS NOT NULL "
            "ORDER BY id",
            [campaign, campaign],
        )

    def campaign_documents(self, campaign: str, mail_kinds: Sequence[str]) -> list[dict[str, Any]]:
        """Every document of ``campaign``'s mails of ``mail_kinds`` with its mail's facts
        and how many parts it gave, in mail and file order: the draft lists the ones
        that gave no text so no report is silently lost."""
        marks = ", ".join("?" for _ in mail_kinds)
        return self.query(
            f"""
            SELECT d.id, d.ordinal, d.name, d.status, d.reason, d.archive_path,
                   m.department, m.from_addr, m.detail, m.date, m.received_at, m.kind,
                   m.matched_at,
                   (SELECT COUNT(*) FROM parts p WHERE p.document_id = d.id) AS parts
            FROM documents d JOIN mails m ON m.id = d.mail_id
            WHERE m.campaign = ? AND m.kind IN ({marks})
            ORDER BY m.id, d.ordinal
            """,
            [campaign, *mail_kinds],
        )
