"""The mailbox's two servers as client factories: one IMAP or SMTP client per call.

Why a factory and not a client: a connection does not outlive a poll, a send round or a
server's restart, so a use case asks for a fresh client each time it needs one. The
composition root (mailflow/bootstrap.py) builds one ``MailServers`` per run and hands it
to the services; tests build their own against the embedded or the real servers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the clients' modules load only when a client is made (start-up time)
    from mailflow.adapters.imap import ImapClient
    from mailflow.adapters.smtp import SmtpClient
    from mailflow.config import Mailbox


class MailServers:
    """Clients for one mailbox's IMAP and SMTP servers."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    def imap(self) -> ImapClient:
        """An IMAP client, not yet connected (``with`` connects it and logs out)."""
        from mailflow.adapters.imap import ImapClient

        return ImapClient.from_config(self.mailbox)

    def smtp(self) -> SmtpClient:
        """An SMTP client, already connected: a refused or unreachable server fails here,
        which the outbox takes as "no server" and defers without back-off sleeps."""
        from mailflow.adapters.smtp import SmtpClient

        return SmtpClient.from_config(self.mailbox).connect()
