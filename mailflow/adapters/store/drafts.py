"""Draft versions made by assemble."""

from __future__ import annotations

from mailflow.adapters.store.base import StoreBase


class DraftRows(StoreBase):
    """Questions about the drafts table."""
