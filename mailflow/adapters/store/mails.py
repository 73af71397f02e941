"""Mails and their documents, as intake recorded them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mailflow.adapters.store.base import StoreBase


class MailRows(StoreBase):
    """Questions about mails and documents."""

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
        cur = self.db.execute(
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
        self.db.execute("UPDATE mails SET detail = ? WHERE id = ?", [detail, mail_id])

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
        matched yet, oldest first by the mail's own date (arrival when it has none)."""
        rows = self.query(
            "SELECT id FROM mails WHERE kind = ? AND matched_at IS NULL AND campaign IS NOT NULL "
            "AND department IS NOT NULL ORDER BY COALESCE(date, received_at), id",
            [kind],
        )
        return [int(r["id"]) for r in rows]

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
