"""The outbox: every mail recorded (bytes + Message-ID) before it is sent."""

from __future__ import annotations

from mailflow.adapters.store.base import StoreBase


class SendRows(StoreBase):
    """Questions about the sends table (the outbox)."""
