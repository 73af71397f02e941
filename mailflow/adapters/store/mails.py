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
