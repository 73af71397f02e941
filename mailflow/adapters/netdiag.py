"""Turn socket/TLS/protocol exceptions into one sentence a person can act on.

`mailflow check` and every adapter use the same wording, so "wrong password" reads the
same whether it came from IMAP or SMTP, and a DNS failure never looks like "no mail".
"""

from __future__ import annotations

import imaplib
import ipaddress
import smtplib
import socket
import ssl

from mailflow.config import Endpoint
from mailflow.errors import MailflowError, TransientError
from mailflow.i18n import t

#: The ports mail servers usually listen on, and the ``security`` each one speaks.
USUAL_PORTS: dict[str, tuple[tuple[int, str], ...]] = {
    "SMTP": ((465, "ssl"), (587, "starttls"), (25, "starttls")),
    "IMAP": ((993, "ssl"), (143, "starttls")),
}

#: OpenSSL verify codes, grouped by what the person has to do about them
_EXPIRED = {9, 10}  # not yet valid, expired
_UNTRUSTED = {2, 18, 19, 20, 21}  # unknown issuer, self-signed, incomplete chain
_WRONG_NAME = {62, 64}  # host name / IP address mismatch


def tls_context(endpoint: Endpoint) -> ssl.SSLContext:
    """The TLS context for ``endpoint``: chain and host name checked unless told otherwise.

    Why not the libraries' defaults: imaplib, smtplib, imap-tools and yagmail all build an
    *unverified* context when given none, so the password would go to whoever answers.
    ``ca_file`` adds a private CA; ``tls_verify = false`` is the explicit, logged way out.
    """
    if not endpoint.tls_verify:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    try:
        return ssl.create_default_context(
            cafile=str(endpoint.ca_file) if endpoint.ca_file else None
        )
    except (OSError, ssl.SSLError) as exc:
        raise MailflowError(
            t("net.tls_ca_unreadable", path=endpoint.ca_file, error=exc),
            t("net.tls_ca_unreadable_hint"),
        ) from exc


def unverified_warnings(imap: Endpoint, smtp: Endpoint) -> list[str]:
    """One loud line per server whose certificate is not checked (check, daemon, log)."""
    return [
        t("net.tls_unverified", protocol=name, where=f"{ep.host}:{ep.port}")
        for name, ep in (("IMAP", imap), ("SMTP", smtp))
        if not ep.tls_verify and ep.security != "none"
    ]


def _certificate(exc: ssl.SSLCertVerificationError, where: str, ep: Endpoint) -> MailflowError:
    """One line naming what is wrong with the server's certificate and what to set."""
    code = exc.verify_code
    detail = exc.verify_message or str(exc.reason or exc)
    if code in _EXPIRED:
        return MailflowError(
            t("net.tls_expired", where=where, error=detail), t("net.tls_expired_hint")
        )
    if code in _WRONG_NAME:
        return MailflowError(
            t("net.tls_wrong_name", where=where, host=ep.host, error=detail),
            t("net.tls_wrong_name_hint", host=ep.host),
        )
    if code in _UNTRUSTED:
        return MailflowError(
            t("net.tls_untrusted", where=where, error=detail), t("net.tls_untrusted_hint")
        )
    return MailflowError(t("net.tls_cert", where=where, error=detail), t("net.tls_untrusted_hint"))


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
        return TransientError(t("net.refused", where=where), port_hint(protocol, endpoint, True))
    if isinstance(exc, TimeoutError | socket.timeout):
        return TransientError(t("net.timeout", where=where), port_hint(protocol, endpoint, False))
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _certificate(exc, where, endpoint)
    if isinstance(exc, ssl.SSLError):
        return MailflowError(
            t("net.tls", where=where, error=exc.reason or exc),
            t("net.tls_hint", security=endpoint.security) + " " + _usual(protocol, endpoint),
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailflowError(t("net.auth", where=where), t("net.auth_hint"))
    if isinstance(exc, smtplib.SMTPNotSupportedError) or _no_starttls(exc):
        if endpoint.security == "starttls" and "tls" in str(exc).lower():
            return MailflowError(t("net.no_starttls", where=where), t("net.no_starttls_hint"))
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


def port_hint(protocol: str, endpoint: Endpoint, refused: bool) -> str:
    """What is likely wrong when ``endpoint`` refuses or never answers a connection.

    Refused: nothing listens on that port. On this machine (loopback) that usually means
    the mail server is not running; elsewhere, the port is wrong. Timed out: something
    may listen but waits for the other side, as a TLS port does for a plain client.
    """
    if refused:
        lead = (
            t("net.refused_loopback", port=endpoint.port)
            if _loopback(endpoint.host)
            else t("net.refused_remote", port=endpoint.port)
        )
    else:
        lead = t("net.timeout_lead")
    return f"{lead} {_usual(protocol, endpoint)}"


def _usual(protocol: str, endpoint: Endpoint) -> str:
    """ "SMTP usually: 465 ssl, 587 starttls, 25 starttls; configured: port P, security S"."""
    pairs = USUAL_PORTS.get(protocol, ())
    usual = ", ".join(f'{port} security = "{sec}"' for port, sec in pairs)
    known = dict(pairs)
    text = t(
        "net.usual_ports",
        protocol=protocol,
        usual=usual,
        port=endpoint.port,
        security=endpoint.security,
    )
    expected = known.get(endpoint.port)
    if (
        expected
        and expected != endpoint.security
        and not (expected == "starttls" and endpoint.security == "none")
    ):
        text += " " + t("net.port_security_mismatch", port=endpoint.port, security=expected)
    return text


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return host in ("localhost",)


def _no_starttls(exc: BaseException) -> bool:
    """imaplib says "TLS not supported by server" as a plain IMAP4.error."""
    return isinstance(exc, imaplib.IMAP4.error) and "TLS NOT SUPPORTED" in str(exc).upper()
