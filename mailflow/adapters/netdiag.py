"""Turn socket/TLS/protocol exceptions into one sentence a person can act on.

`mailflow check` and every adapter use the same wording, so "wrong password" reads the
same whether it came from IMAP or SMTP, and a DNS failure never looks like "no mail".
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl

from mailflow.config import Endpoint
from mailflow.errors import MailflowError, TransientError
from mailflow.i18n import t


def explain(exc: BaseException, protocol: str, endpoint: Endpoint) -> MailflowError:
    """Classify ``exc``; transient kinds (timeouts, refused, 4xx) become TransientError."""
    where = f"{protocol} {endpoint.host}:{endpoint.port}"
    if isinstance(exc, MailflowError):
        return exc
    if isinstance(exc, socket.gaierror):
        return TransientError(
            t("net.dns", where=where, error=exc.strerror), t("net.dns_hint", host=endpoint.host)
        )
    if isinstance(exc, ConnectionRefusedError):
        return TransientError(t("net.refused", where=where), t("net.refused_hint"))
    if isinstance(exc, TimeoutError | socket.timeout):
        return TransientError(t("net.timeout", where=where), t("net.timeout_hint"))
    if isinstance(exc, ssl.SSLError):
        return MailflowError(
            t("net.tls", where=where, error=exc.reason or exc),
            t("net.tls_hint", security=endpoint.security),
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailflowError(t("net.auth", where=where), t("net.auth_hint"))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailflowError(
            t("net.tls", where=where, error=exc), t("net.tls_hint", security=endpoint.security)
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | EOFError):
        return TransientError(t("net.dropped", where=where, error=exc or type(exc).__name__))
    if isinstance(exc, imaplib.IMAP4.error) or type(exc).__name__ == "MailboxLoginError":
        text = str(exc)
        if "login" in text.lower() or "auth" in text.lower() or "LoginError" in type(exc).__name__:
            return MailflowError(t("net.auth", where=where), t("net.auth_hint"))
        return MailflowError(t("net.protocol", where=where, error=text))
    if isinstance(exc, OSError):
        return TransientError(t("net.os", where=where, error=exc.strerror or exc))
    return MailflowError(t("net.protocol", where=where, error=f"{type(exc).__name__}: {exc}"))
