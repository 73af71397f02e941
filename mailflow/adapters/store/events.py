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
