"""One error type that every layer raises for things a person must fix.

The CLI prints ``message`` and ``hint`` on one line each and exits with ``exit_code``;
a traceback is shown only with ``--debug``.
"""

from __future__ import annotations


class MailflowError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(MailflowError):
    """Bad config or usage: exit code 2, as the CLI contract says."""

    exit_code = 2


class TransientError(MailflowError):
    """A failure worth retrying later (network down, 4xx, locked database)."""
