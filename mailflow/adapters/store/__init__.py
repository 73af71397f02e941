"""The state: one SQLite file, and the only place that speaks SQL.

``Store`` is composed of one row module per group of tables (mails, parts, sends, drafts,
events); each method answers one question or makes one change and returns plain rows or
values, so a schema change touches this package and its tests, never a service or command.
"""

from __future__ import annotations

from mailflow.adapters.store.base import StoreBase
from mailflow.adapters.store.drafts import DraftRows
from mailflow.adapters.store.events import EventRows
from mailflow.adapters.store.mails import MailRows
from mailflow.adapters.store.parts import CURRENT_PLACEMENT, PartRows
from mailflow.adapters.store.schema import MIGRATIONS, Migration
from mailflow.adapters.store.sends import SendRows

__all__ = ["CURRENT_PLACEMENT", "MIGRATIONS", "Migration", "Store", "StoreBase"]


class Store(MailRows, PartRows, SendRows, DraftRows, EventRows):
    """The only holder of the SQLite connection; services above it speak in rows."""

    # --- send: the sender thread's own connection --------------------------------------

    def reopened(self) -> Store:
        """Another connection to the same state file, for another thread.

        Why: a send renders on one thread and delivers on another, and each thread commits
        its own transactions; the file, its WAL and its migrations are the same."""
        return Store(self.path)
