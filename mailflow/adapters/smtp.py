"""SMTP sending: yagmail opens and logs in, we hand it the exact bytes we recorded.

Why not ``yagmail.send``: mailflow must store the message bytes and Message-ID *before*
sending (so a crash can be resolved without a blind resend), and yagmail's default
Message-ID repeats across sends. So messages are composed by mailflow
(mailflow/adapters/mail_build.py) and the connection yagmail made sends those bytes.

TLS: yagmail and smtplib default to an unverified context, so we hand them ours
(``netdiag.tls_context``: chain and host name checked, ``ca_file`` for a private CA).
smtplib refuses a server without STARTTLS (``SMTPNotSupportedError``) before AUTH.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass

import yagmail

from mailflow.adapters.netdiag import explain, tls_context
from mailflow.config import Endpoint, Mailbox


@dataclass(frozen=True)
class SendResult:
    """Outcome of one message: accepted, or refused (temporary or final) with the reason."""

    ok: bool
    temporary: bool = False
    code: int = 0
    reason: str = ""
    refused: tuple[str, ...] = ()  # recipients the server refused while others were accepted


class SmtpClient:
    def __init__(
        self, endpoint: Endpoint, username: str, password: str, timeout: float = 30.0
    ) -> None:
        self.endpoint = endpoint
        self.username = username
        self._password = password
        self.timeout = timeout
        self._yag: yagmail.SMTP | None = None
        self.features: dict[str, str] = {}

    @classmethod
    def from_config(cls, mailbox: Mailbox) -> SmtpClient:
        return cls(mailbox.smtp, mailbox.username, mailbox.password(), mailbox.timeout)

    def connect(self) -> SmtpClient:
        ep = self.endpoint
        yag: yagmail.SMTP | None = None
        try:
            tls: dict[str, object] = {}
            starttls: bool | dict[str, object] = False
            if ep.security == "ssl":
                tls = {"context": tls_context(ep)}  # smtplib.SMTP_SSL(context=...)
            elif ep.security == "starttls":
                starttls = {"context": tls_context(ep)}  # smtplib.SMTP.starttls(context=...)
            yag = yagmail.SMTP(
                user=self.username,
                password=self._password,
                host=ep.host,
                port=ep.port,
                smtp_ssl=ep.security == "ssl",
                smtp_starttls=starttls,
                timeout=self.timeout,
                soft_email_validation=False,
                **tls,
            )
            yag.login()
            yag.smtp.ehlo_or_helo_if_needed()
            self.features = dict(yag.smtp.esmtp_features)
            self._yag = yag
        except Exception as exc:
            if yag is not None and yag.smtp is not None:  # refused mid-way: hang up now
                with contextlib.suppress(Exception):
                    yag.smtp.close()
            raise explain(exc, "SMTP", ep) from exc
        return self

    def close(self) -> None:
        if self._yag is not None:
            self._yag.close()
            self._yag = None

    def __enter__(self) -> SmtpClient:
        return self.connect() if self._yag is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, sender: str, recipients: Sequence[str], data: bytes) -> SendResult:
        """Send ``data`` unchanged. Refusals are results; a lost connection raises."""
        if self._yag is None:
            self.connect()
        assert self._yag is not None
        try:
            refused = self._yag.smtp.sendmail(sender, list(recipients), data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, msg = next(iter(exc.recipients.values()))
            return self._refused(code, msg)
        except smtplib.SMTPSenderRefused as exc:
            return self._refused(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPDataError as exc:
            return self._refused(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPResponseException as exc:
            self.close()
            return _refusal(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise explain(exc, "SMTP", self.endpoint) from exc
        if refused:
            return SendResult(ok=True, refused=tuple(refused))
        return SendResult(ok=True)

    def _refused(self, code: int, msg: bytes | str) -> SendResult:
        # 421 = the server is closing the channel (smtplib has already closed its socket):
        # forget the connection so the retry opens a new one instead of failing again
        if code == 421:
            self.close()
        return _refusal(code, msg)


def _refusal(code: int, msg: bytes | str) -> SendResult:
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    return SendResult(ok=False, temporary=400 <= code < 500, code=code, reason=f"{code} {text}")


def probe(mailbox: Mailbox) -> dict[str, str]:
    """Log in and return the server's EHLO features (for `mailflow check`)."""
    client = SmtpClient.from_config(mailbox)
    try:
        client.connect()
        return client.features
    finally:
        client.close()
