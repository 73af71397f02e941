"""Mails and their documents, as intake recorded them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mailflow.adapters.store.base import StoreBase


class MailRows(StoreBase):
    """Questions about mails and documents."""

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
