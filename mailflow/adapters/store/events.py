"""The audit log (`mailflow history`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mailflow.adapters.store.base import StoreBase


class EventRows(StoreBase):
    """Questions about events."""

    def events_of(
        self, campaign: str, kinds: Sequence[str], department: str | None = None
    ) -> list[dict[str, Any]]:
        """Events of ``kinds`` for ``campaign`` (one department's, if given), oldest first."""
        marks = ", ".join("?" for _ in kinds)
        params: list[Any] = [campaign, *kinds]
        where = f"campaign = ? AND kind IN ({marks})"
        if department:
            where += " AND department = ?"
            params.append(department)
        return self.query(f"SELECT * FROM events WHERE {where} ORDER BY id", params)

    # -- match and review

    def last_event_detail(self, kind: str, mail_id: int) -> str | None:
        """The JSON detail of the newest ``kind`` event about mail ``mail_id`` (None: no
        such event, or it had no detail); e.g. whether a match found a revision word."""
        rows = self.query(
            "SELECT detail FROM events WHERE kind = ? AND mail_id = ? ORDER BY id DESC LIMIT 1",
            [kind, mail_id],
        )
        if not rows:
            return None
        detail: str | None = rows[0]["detail"]
        return detail
