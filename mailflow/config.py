"""config.toml → frozen dataclasses, validated once at start-up.

Why so strict: the admin edits this file by hand and the daemon runs unattended, so a
typo must stop mailflow at once with the file, line and key, not surface days later as
a mail that never went out. Every problem is collected and printed one per line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, time
from pathlib import Path
from typing import Any, get_type_hints

from mailflow.clock import DEFAULT_OFFICE_TIMEZONE, set_office_zone, zone_named
from mailflow.errors import ConfigError, MailflowError
from mailflow.i18n import t
from mailflow.model import Campaign, Department

DEFAULT_CONFIG = "config.toml"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")
SECURITIES = ("ssl", "starttls", "none")
DRAFT_PDF = ("all", "final", "none")
DIGEST_UNCHANGED = ("skip", "note")


def _key(default: Any = ..., *, help: str, **meta: Any) -> Any:
    """A config key, written once: its default here, its type from the annotation, its
    ``help`` (the README's config table) in the metadata. ``choices`` restricts a text key;
    ``shown`` is the default as the README shows it when the value itself would mislead."""
    metadata = {"help": help, **meta}
    if default is ...:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Endpoint:
    """One server, ``[mailbox] imap`` or ``smtp``: ``{ host, port, security, … }``."""

    host: str = _key(help="the server's name")
    port: int = _key(help="the server's port")
    security: str = _key(
        help="how the connection is secured", choices=SECURITIES, toml_default="ssl"
    )
    ca_file: Path | None = _key(  # noqa: RUF009 (_key is dataclasses.field)
        None,
        help="PEM file of a private CA; the server's own wins over the one in [mailbox]",
        shown="the [mailbox] one, else the system's CAs",
    )
    tls_verify: bool = _key(
        True,
        help="false turns off certificate and host-name checks (loud warning in check and "
        "the log); the server's own wins over the one in [mailbox]",
    )


@dataclass(frozen=True)
class Mailbox:
    address: str = _key(help="the account mailflow sends from and reads")
    imap: Endpoint = _key(help="the IMAP server, below")  # noqa: RUF009
    smtp: Endpoint = _key(help="the SMTP server, below")  # noqa: RUF009
    username: str = _key(help="the login name", shown="the address")
    password_env: str = _key(
        "", help="the environment variable holding the password (a password key is refused)"
    )
    password_command: str = _key(
        "", help="a command that prints the password (instead of password_env)"
    )
    trusted_authserv_ids: tuple[str, ...] = _key(
        (), help="whose Authentication-Results headers are believed"
    )
    require_auth_pass: bool = _key(
        False, help="stricter mode: department mail must show an SPF/DMARC pass"
    )
    inbox: str = _key("INBOX", help="the IMAP folder replies arrive in")
    processed_folder: str = _key("mailflow/processed", help="where handled mail is moved")
    review_folder: str = _key("mailflow/review", help="where mail held for a person is moved")
    sent_folder: str = _key("Sent", help="where copies of sent mail are kept")
    timeout: float = _key(30.0, help="seconds one network operation may take")
    rate_per_minute: int = _key(120, help="mails sent a minute at most")
    batch_size: int = _key(50, help="mails fetched in one go")
    max_message_bytes: int = _key(
        40 * 1024 * 1024, help="a larger mail is not fetched whole (held for a person)"
    )
    retry_lifetime_hours: float = _key(
        72.0,
        help="how long an outgoing mail is retried after temporary failures (refused, "
        "timeout, 4xx) before it fails",
    )
    retry_warn_minutes: int = _key(
        60,
        help="a mail still waiting after this long is shown in status, logged once an hour "
        "and listed in the next Office mail",
    )

    def password(self) -> str:
        """Read the password when a connection needs it, never earlier or from config."""
        if self.password_env:
            value = os.environ.get(self.password_env)
            if not value:
                raise MailflowError(
                    t("config.password_env_unset", var=self.password_env),
                    t("config.password_env_unset_hint", var=self.password_env),
                )
            return value
        import shlex
        import subprocess

        try:
            out = subprocess.run(
                shlex.split(self.password_command),
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise MailflowError(
                t("config.password_command_failed", cmd=self.password_command, error=exc)
            ) from exc
        return out.stdout.rstrip("\n")


@dataclass(frozen=True)
class Office:
    name: str = _key(help="the office's name, as the drafts and mails show it")
    emails: tuple[str, ...] = _key(help="who receives the drafts (at least one address)")
    trust_unauthenticated_replies: bool = _key(
        False,
        help="act on the Office's reply commands without a trusted server's pass: ONLY for "
        "the embedded demo server, which writes no Authentication-Results (a failure still "
        "holds)",
    )
    timezone: str = _key(
        DEFAULT_OFFICE_TIMEZONE,
        help='the office\'s IANA zone: deadlines, digest time, reminder hours, "late" and '
        "every shown time are in it, whatever zone the server runs in",
    )


@dataclass(frozen=True)
class MailServerSettings:
    """The embedded server `mailflow mailserver` runs for the demo and for trying out."""

    data_dir: Path = _key(  # noqa: RUF009 (_key is dataclasses.field)
        help="the embedded server's mail folder", toml_default="mailserver-data"
    )
    imap_port: int = _key(10143, help="the embedded server's IMAP port")
    smtp_port: int = _key(10025, help="the embedded server's SMTP port")
    host: str = _key("127.0.0.1", help="the address the embedded server listens on")


@dataclass(frozen=True)
class DraftSettings:
    """Bounds of the consolidated draft and of the mail that carries it to the Office."""

    attach_max_bytes: int = _key(
        10 * 1024 * 1024,
        help="originals of documents that gave no text go with the Office mail up to this "
        "many bytes in all (arrival order); the others are named with their archive path; "
        "0 = attach none",
    )
    max_picture_pixels: int = _key(
        40_000_000,
        help="a picture in a reply with more pixels (read from its header, never decoded) "
        "becomes a placeholder in the draft; 0 = no bound",
    )
    #: a convenience beside the .docx (a 3,000-page draft under load takes minutes)
    pdf_timeout_seconds: float = _key(
        45.0,
        help="LibreOffice's time to print the draft's PDF; past it the draft goes without "
        "a PDF and says why",
    )
    check_timeout_seconds: float = _key(
        20.0,
        help="wall time for checking one original that could go with the Office mail for "
        "content that acts when opened (a child process, killed past it); a check that "
        "does not finish withholds the original as unchecked, the draft is built",
    )
    check_max_memory_mb: int = _key(
        512,
        help="memory that check may add (address space of its child process): a file "
        "that makes it grow past this is withheld as unchecked instead of starving the "
        "assembly",
    )


@dataclass(frozen=True)
class IntakeSettings:
    """Bounds on one received document at intake (``[intake]``).

    Each overrun is a quarantine or a placeholder with a reason, never a hang or an OOM
    kill; the original bytes stay in the archive whatever happens.
    """

    xml_max_part_bytes: int = _key(
        32 * 1024 * 1024,
        help=(
            "one XML part of a .docx, judged on the zip's declared size before inflating; "
            "larger: quarantined (intake.unpack.xml_too_large)"
        ),
    )
    xml_max_elements: int = _key(
        1_000_000,
        help=(
            "XML elements in all parts of one .docx, counted streaming before any tree is "
            "built; more: quarantined (intake.unpack.xml_elements)"
        ),
    )
    picture_max_pixels: int = _key(
        40_000_000,
        help=(
            "a bigger picture in a .docx is downscaled (JPEG) or becomes a placeholder in "
            "the draft's form of the document; the original keeps it"
        ),
    )
    pdf_timeout_seconds: float = _key(
        30.0,
        help=(
            "reading one PDF's text, all pages (500 real pages: ~1 s); over it the PDF is "
            "quarantined (pdf_timeout)"
        ),
    )
    pdf_max_text_bytes: int = _key(
        20_000_000,
        help="text kept from one PDF (more is cut)",
    )
    ocr_max_pages: int = _key(
        20,
        help="scanned pages recognised per document",
    )
    ocr_timeout_seconds: float = _key(
        300.0,
        help="OCR of one document, all its pages (pages done by then are kept)",
    )
    pdf_garbled_share: float = _key(
        0.3,
        help=(
            "share of a PDF page's characters that are not text (fonts with no Unicode map)"
            " at or above which the page's text layer is garbage and the page goes to OCR"
        ),
    )
    image_min_side: int = _key(
        500,
        help="pixels; a smaller picture is a logo or icon, not a page",
    )
    image_max_pixels: int = _key(
        60_000_000,
        help="a larger picture is refused (decompression bomb)",
    )
    sheet_max_rows: int = _key(
        2000,
        help=(
            "rows of one sheet copied into the draft (and of one HTML table); the rest is "
            "named in a note"
        ),
    )
    sheet_max_cols: int = _key(
        50,
        help=(
            "columns of one sheet copied into the draft (and of one HTML table); the rest "
            "is named in a note"
        ),
    )
    sheet_timeout_seconds: float = _key(
        120.0,
        help="LibreOffice converting one .xls/.ods",
    )
    convert_timeout_seconds: float = _key(
        120.0,
        help="LibreOffice converting one mail's .doc/.odt/.rtf files to .docx (one batch)",
    )
    convert_max_memory_mb: int = _key(
        2048,
        help=(
            "address space of one LibreOffice run (intake conversions and the draft's PDF):"
            " a document that makes it grow past this fails alone instead of starving the "
            "machine"
        ),
    )
    workers: int = _key(
        2,
        help=(
            "processes that parse, identify and unpack fetched mail while the poll fetches "
            "the next batch and archives, records and moves the last (2: measured best on "
            "two cores; about one per core); each takes a few small mails at a time "
            "(up to 5 and 2 MB) or one larger one, so memory stays bounded by "
            "mailbox.max_message_bytes × workers; 0 = analyse in the poll itself"
        ),
    )
    deferred_workers: int = _key(
        1,
        help=(
            "processes that read, after the poll's batches are recorded and moved, the "
            "documents that need PDF text, OCR, LibreOffice or a workbook's tables (one "
            "document per process; a mail's Word-like documents together, in one "
            "LibreOffice run), so ordinary mail never waits behind them; 0 = read them in "
            "the poll's per-mail path"
        ),
    )
    deferred_timeout_seconds: float = _key(
        900.0,
        help=(
            "wall time for reading one such document (a mail's Word-like documents: their "
            "one LibreOffice run); past it the reading is killed and the document waits "
            "for a person (intake.unpack.deferred_timeout), the original kept"
        ),
    )


@dataclass(frozen=True)
class MatchingSettings:
    """Bounds of matching replies to the outline (``[matching]``); defaults measured on
    the labelled replies (see the README)."""

    same_text_ratio: float = _key(
        66.0,
        help=(
            "fuzz.ratio (0-100) of two parts' texts, heading aside, at or above which a "
            "later part is a newer version of an earlier one of the same department and "
            "replaces it"
        ),
    )
    short_text_chars: int = _key(
        300,
        help=(
            "a later part shorter than this (characters, folded) that reaches "
            "same_text_ratio with words of its own (not only figures changed or text added) "
            "replaces nothing unless its mail says it is a revision: it waits for a person "
            'in the draft\'s appendix, "maybe a newer version of part N"'
        ),
    )
    same_report_ratio: float = _key(
        70.0,
        help=(
            "fuzz.ratio (0-100) of two documents of one mail at or above which they are one"
            " report in two forms (.docx + signed .pdf): it enters the draft once, from the"
            " editable form"
        ),
    )
    copy_check_work: int = _key(
        400_000,
        help=(
            "fuzzy comparisons the outline-copy check may spend on one document; past it "
            "the remaining lines count as the department's own text (never dropped)"
        ),
    )
    report_body_chars: int = _key(
        200,
        help="characters of a body (quotes aside) that make a list or system mail a report",
    )
    campaign_min_points: float = _key(
        12.0,
        help=(
            "several campaigns open, a reply without thread or token is filed by its "
            "content only with at least this many points for the campaign (and "
            "campaign_margin more than the runner-up); see core/campaign.py"
        ),
    )
    campaign_margin: float = _key(
        10.0,
        help="points the best campaign must lead the runner-up by; otherwise the reply is held "
        "for a person",
    )
    campaign_closed_penalty: float = _key(
        8.0,
        help="points a closed campaign (final draft sent) starts behind, for late replies",
    )


@dataclass(frozen=True)
class DaemonSettings:
    poll_seconds: int = _key(60, help="seconds between two looks at the mailbox")
    idle: bool = _key(True, help="wait with IMAP IDLE between polls when the server has it")
    digest_time: time = _key(  # noqa: RUF009 (_key is dataclasses.field)
        time(17, 0),
        help="the office's time of the daily digest, and the hour a deadline day ends",
    )
    office_min_interval_minutes: int = _key(
        30, help="the least time between two update mails to the Office"
    )
    reminders_per_day: int = _key(1, help="reminders a late department gets at most a day")
    log_file: Path | None = _key(  # noqa: RUF009 (_key is dataclasses.field)
        None, help="the rotating log file", shown="mailflow.log beside the state"
    )
    draft_pdf: str = _key(
        "all", help="which of the daemon's drafts also get a PDF", choices=DRAFT_PDF
    )
    digest_when_unchanged: str = _key(
        "skip",
        help="the daily digest when nothing changed since the last draft: no mail, or a "
        'one-line "nothing new" mail without a draft',
        choices=DIGEST_UNCHANGED,
    )
    job_budget_seconds: int = _key(
        600,
        help="a job still running after this long stops at its next safe point; the rest "
        "waits for the next round",
    )


@dataclass(frozen=True)
class TopKeys:
    """The top-level keys that are not tables; Config holds them resolved."""

    lang: str = _key("vi", help="language of mails, drafts and messages", choices=("vi", "en"))
    state: str = _key("state.sqlite", help="the state SQLite file")
    archive: str = _key("archive", help="the archive folder: every mail and document as received")
    templates: str = _key("templates", help="the Word templates folder")


@dataclass(frozen=True)
class DepartmentKeys:
    """The keys of one ``[[departments]]`` entry. The loader builds a ``model.Department``
    with the same fields from them (tests/test_config_docs.py keeps the two in step):
    the model stays plain values, the config's schema and help live here."""

    code: str = _key(
        help="the unit's short code, unique (letters, digits, - and _); commands and the "
        "grid name it so",
        pattern=r"[A-Za-z0-9_\-]+",
    )
    name: str = _key(help="the unit's full name, as the drafts and mails show it")
    emails: tuple[str, ...] = _key(
        help="its addresses (at least one, each in one department only); a reply from any "
        "of them is its reply",
        emails=True,
    )
    aliases: tuple[str, ...] = _key(
        (), help="other spellings the outline may name it by (e.g. `Phòng QLKH`)"
    )
    deputy_emails: tuple[str, ...] = _key(
        (),
        help="who gets the reminders while an out-of-office says the person is away",
        emails=True,
    )
    head_emails: tuple[str, ...] = _key(
        (), help="copied on the reminders after the deadline", emails=True
    )


@dataclass(frozen=True)
class CampaignKeys:
    """The keys of one ``[[campaigns]]`` entry; the loader builds a ``model.Campaign``
    with the same fields (paths resolved, ``token`` filled in)."""

    id: str = _key(
        help="the campaign's id, unique (letters, digits, - and _; starts with a letter or "
        "digit); --campaign takes it",
        pattern=r"[A-Za-z0-9][A-Za-z0-9_\-]*",
    )
    title: str = _key(help="its title, as the directive, the mails and the draft show it")
    outline: str = _key(help="the outline .docx, relative to the config file", file=True)
    directive: str = _key(
        help="the directive template .docx, relative to the config file", file=True
    )
    deadline: date = _key(  # noqa: RUF009 (_key is dataclasses.field)
        help="the day the reports are due, a TOML date (`2023-07-21`)"
    )
    token: str = _key(
        "",
        help='the subject token replies carry as "[TOKEN]"',
        shown="the id in capitals",
    )
    number: str = _key("", help='the directive\'s "Số" (e.g. `123/SKHCN-VP`)')
    signer: str = _key("", help="who signs the directive")
    signer_title: str = _key("", help="the signer's title")
    place: str = _key("", help='the place before the directive\'s date ("…, ngày … tháng …")')
    synonyms: tuple[tuple[str, str], ...] = _key(
        (),
        help='pairs `["phrase", "equivalent phrase"]` that help match replies to sections',
    )
    reminder_days: tuple[int, ...] = _key(
        (-3, -1, 0),
        help="days relative to the deadline on which departments that still owe sections "
        "are reminded (daily once overdue)",
    )
    departments: tuple[str, ...] = _key(
        (), help="the codes of the departments it goes to", shown="every department"
    )


@dataclass(frozen=True)
class Config:
    path: Path
    base_dir: Path
    lang: str
    office: Office
    mailbox: Mailbox
    departments: tuple[Department, ...]
    campaigns: tuple[Campaign, ...]
    state_path: Path
    archive_dir: Path
    templates_dir: Path
    mailserver: MailServerSettings
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    draft: DraftSettings = field(default_factory=DraftSettings)
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    matching: MatchingSettings = field(default_factory=MatchingSettings)

    def department(self, code: str) -> Department:
        for d in self.departments:
            if d.code == code:
                return d
        raise ConfigError(t("config.unknown_department", code=code))

    def campaign(self, campaign_id: str) -> Campaign:
        for c in self.campaigns:
            if c.id == campaign_id:
                return c
        known = ", ".join(c.id for c in self.campaigns) or "-"
        raise ConfigError(t("config.unknown_campaign", id=campaign_id, known=known))

    def campaign_departments(self, campaign: Campaign) -> tuple[Department, ...]:
        if not campaign.departments:
            return self.departments
        return tuple(d for d in self.departments if d.code in campaign.departments)

    def resolve(self, relative: str) -> Path:
        return (self.base_dir / relative).resolve()


# --- locating keys in the source text, for error lines -------------------------------

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"]+)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def _locate(lines: list[str], path: tuple[str | int, ...]) -> int:
    """Line number (1-based) of the key at ``path``; the nearest enclosing line if absent.

    tomllib gives values without positions, so we scan the text: headers open tables
    (``[[x]]`` counted per name), ``key =`` lines belong to the open table.
    """
    table: tuple[str | int, ...] = ()
    counters: dict[str, int] = {}
    best = 1
    for number, line in enumerate(lines, start=1):
        header = _HEADER_RE.match(line)
        if header:
            name = header.group(2).strip('"')
            if header.group(1) == "[[":
                counters[name] = counters.get(name, -1) + 1
                table = (name, counters[name])
            else:
                table = tuple(name.split("."))
            if path[: len(table)] == table:
                best = number
            continue
        key = _KEY_RE.match(line)
        if key and path[: len(table) + 1] == (*table, key.group(1)):
            return number
    return best


class _Checker:
    """Collects every problem with its line so the admin fixes them all in one go."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.errors: list[str] = []

    def error(self, where: tuple[str | int, ...], message: str) -> None:
        line = _locate(self.lines, where)
        dotted = ""
        for part in where:
            dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else part)
        self.errors.append(f"{self.path.name}:{line}: {dotted}: {message}")

    def table(self, data: dict[str, Any], where: tuple[str | int, ...], allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                import difflib  # an error path: not loaded by a good config

                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = t("config.did_you_mean", key=close[0]) if close else ""
                if key == "password":
                    self.error((*where, key), t("config.password_refused"))
                else:
                    self.error((*where, key), t("config.unknown_key") + hint)

    def get(
        self,
        data: dict[str, Any],
        where: tuple[str | int, ...],
        key: str,
        kind: type | tuple[type, ...],
        default: Any = ...,
    ) -> Any:
        if key not in data:
            if default is ...:
                self.error((*where, key), t("config.missing_key"))
                return None
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML booleans are ints to Python: "port = true" must not pass as a number
        ok = not (isinstance(value, bool) and bool not in kinds) and isinstance(value, kinds)
        if not ok:
            names = " / ".join(t(_TYPE_NAMES[k]) if k in _TYPE_NAMES else k.__name__ for k in kinds)
            self.error((*where, key), t("config.wrong_type", expected=names, got=repr(value)))
            return None if default is ... else default
        return value

    def strings(
        self, data: dict[str, Any], where: tuple[str | int, ...], key: str, required: bool = False
    ) -> tuple[str, ...]:
        value = self.get(data, where, key, list, ... if required else [])
        if value is None:
            return ()
        if not all(isinstance(v, str) for v in value):
            self.error(
                (*where, key),
                t("config.wrong_type", expected=t("config.type_strlist"), got=repr(value)),
            )
            return ()
        return tuple(v.strip() for v in value)

    def integers(
        self, data: dict[str, Any], where: tuple[str | int, ...], key: str, default: Any
    ) -> tuple[int, ...] | None:
        """A list of integers (``true`` is not one); a wrong value is reported and gives
        ``default`` (None when the key is required)."""
        value = self.get(data, where, key, list, default)
        if value is None or value is default:
            return None if value is None else tuple(value)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            self.error(
                (*where, key),
                t("config.wrong_type", expected=t("config.type_intlist"), got=repr(value)),
            )
            return None if default is ... else tuple(default)
        return tuple(value)

    def emails(
        self, data: dict[str, Any], where: tuple[str | int, ...], key: str, required: bool = False
    ) -> tuple[str, ...]:
        out = []
        for value in self.strings(data, where, key, required):
            if EMAIL_RE.match(value):
                out.append(value.lower())
            else:
                self.error((*where, key), t("config.bad_email", value=value))
        if required and key in data and not out and not self.errors:
            self.error((*where, key), t("config.empty_list"))
        return tuple(out)


#: TOML value types a key of each annotated type accepts (an integer is a fine number)
_ACCEPTS: dict[Any, type | tuple[type, ...]] = {
    int: int,
    float: (int, float),
    bool: bool,
    str: str,
    date: date,
}


def _field(cls: type, name: str) -> Any:
    """The dataclass field ``name`` of ``cls``: its default and metadata."""
    return next(f for f in fields(cls) if f.name == name)


def _keys(cls: type, *extra: str) -> set[str]:
    """The keys a table accepts: its dataclass's fields (plus keys read for a sub-table)."""
    return {f.name for f in fields(cls)} | set(extra)


def _read(
    c: _Checker,
    raw: dict[str, Any],
    where: tuple[str | int, ...],
    cls: type,
    special: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Every plain field of ``cls`` read from ``raw``: the kind from its annotation (text,
    number, true/false, date, list of texts or of integers), the default from the field
    (none: the key is required), ``choices``, ``pattern`` and ``emails`` checked. The
    fields in ``special`` (other types, other rules) are left to the caller."""
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in special:
            continue
        kind = hints[f.name]
        default = ... if f.default is MISSING else f.default
        if f.name not in raw and default is not ...:
            values[f.name] = default
            continue
        if f.metadata.get("emails"):
            value: Any = c.emails(raw, where, f.name, required=default is ...)
        elif kind == tuple[str, ...]:
            value = c.strings(raw, where, f.name, required=default is ...)
        elif kind == tuple[int, ...]:
            value = c.integers(raw, where, f.name, default)
        else:
            value = c.get(raw, where, f.name, _ACCEPTS[kind], default)
        choices = f.metadata.get("choices")
        if choices and value is not None and value not in choices:
            c.error(
                (*where, f.name),
                t("config.bad_choice", value=value, choices=", ".join(choices)),
            )
            value = None if default is ... else default
        pattern = f.metadata.get("pattern")
        if pattern and value and not re.fullmatch(pattern, value):
            c.error((*where, f.name), t("config.bad_code", code=value))
        if kind is float and value is not None:
            value = float(value)
        values[f.name] = value
    return values


#: the catalogue key naming each TOML value type, in the run's language
_TYPE_NAMES = {
    str: "config.type_text",
    int: "config.type_integer",
    float: "config.type_number",
    bool: "config.type_bool",
    list: "config.type_list",
    dict: "config.type_table",
    date: "config.type_date",
}

#: the tables, in the README's order, with the dataclass whose fields are their keys
_TABLES: tuple[tuple[str, type], ...] = (
    ("office", Office),
    ("mailbox", Mailbox),
    ("mailserver", MailServerSettings),
    ("daemon", DaemonSettings),
    ("draft", DraftSettings),
    ("intake", IntakeSettings),
    ("matching", MatchingSettings),
)
_TOP = _keys(TopKeys, "departments", "campaigns", *(name for name, _ in _TABLES))
#: [mailbox] also holds the ca_file / tls_verify both servers fall back to
_MAILBOX = _keys(Mailbox, "ca_file", "tls_verify")
_ENDPOINT = _keys(Endpoint)
_DEPARTMENT = _keys(DepartmentKeys)
_CAMPAIGN = _keys(CampaignKeys)


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, else MAILFLOW_CONFIG, else ./config.toml."""
    return Path(explicit or os.environ.get("MAILFLOW_CONFIG") or DEFAULT_CONFIG)


def load(path: str | os.PathLike[str] | None = None, check_files: bool = True) -> Config:
    """Load and validate; raise ConfigError whose message lists every problem."""
    path = config_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(t("config.not_found", path=path), t("config.not_found_hint")) from None
    except OSError as exc:
        raise ConfigError(t("config.unreadable", path=path, error=exc.strerror)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path.name}:{line}: {t('config.not_utf8')}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: {t('config.toml_syntax', error=exc)}") from None
    return _build(path.resolve(), text, data, check_files)


def _endpoint(
    c: _Checker,
    data: dict[str, Any],
    where: tuple[str | int, ...],
    base: Path | None = None,
    check_files: bool = True,
) -> Endpoint:
    """One server; ``ca_file`` / ``tls_verify`` fall back to the ``[mailbox]`` ones."""
    raw = c.get(data, where[:-1], str(where[-1]), dict) or {}
    c.table(raw, where, _ENDPOINT)
    host = c.get(raw, where, "host", str) or "localhost"
    port = c.get(raw, where, "port", int)
    if port is not None and not 0 < port < 65536:
        c.error((*where, "port"), t("config.bad_port", port=port))
    security = c.get(
        raw, where, "security", str, _field(Endpoint, "security").metadata["toml_default"]
    )
    if security not in SECURITIES:
        c.error(
            (*where, "security"),
            t("config.bad_choice", value=security, choices=", ".join(SECURITIES)),
        )
    # per server first, else the [mailbox] default for both servers
    own = "ca_file" in raw
    ca_raw = c.get(raw if own else data, where if own else where[:-1], "ca_file", str, "")
    ca_file: Path | None = None
    if ca_raw:
        ca_file = ((base or Path.cwd()) / ca_raw).resolve()
        if check_files and not ca_file.is_file():
            c.error(
                (*where, "ca_file") if own else (*where[:-1], "ca_file"),
                t("config.file_missing", path=ca_file),
            )
    own = "tls_verify" in raw
    verify = c.get(raw if own else data, where if own else where[:-1], "tls_verify", bool, True)
    return Endpoint(host, port or 0, security or "ssl", ca_file, verify is not False)


def _build(path: Path, text: str, data: dict[str, Any], check_files: bool) -> Config:
    c = _Checker(path, text)
    base = path.parent
    c.table(data, (), _TOP)

    top = _read(c, data, (), TopKeys)
    lang = top["lang"]

    office_raw = c.get(data, (), "office", dict) or {}
    c.table(office_raw, ("office",), _keys(Office))
    office_values = _read(c, office_raw, ("office",), Office, special=("emails",))
    office = Office(
        **{**office_values, "name": office_values["name"] or ""},
        emails=c.emails(office_raw, ("office",), "emails", required=True),
    )
    zone = zone_named(office.timezone)
    if zone is None:
        c.error(("office", "timezone"), t("config.bad_timezone", value=office.timezone))
    else:
        set_office_zone(zone)  # process-wide, like the language: see mailflow.clock

    mb = c.get(data, (), "mailbox", dict) or {}
    w: tuple[str | int, ...] = ("mailbox",)
    c.table(mb, w, _MAILBOX)
    address = c.get(mb, w, "address", str) or ""
    if address and not EMAIL_RE.match(address):
        c.error((*w, "address"), t("config.bad_email", value=address))
    special = ("address", "imap", "smtp", "username", "trusted_authserv_ids")
    values = _read(c, mb, w, Mailbox, special=special)
    password_env, password_command = values["password_env"], values["password_command"]
    if not password_env and not password_command and "password" not in mb:
        c.error((*w, "password_env"), t("config.no_password_source"))
    if password_env and password_command:
        c.error((*w, "password_command"), t("config.two_password_sources"))
    mailbox = Mailbox(
        address=address.lower(),
        imap=_endpoint(c, mb, (*w, "imap"), base, check_files),
        smtp=_endpoint(c, mb, (*w, "smtp"), base, check_files),
        username=c.get(mb, w, "username", str, address) or address,
        trusted_authserv_ids=tuple(s.lower() for s in c.strings(mb, w, "trusted_authserv_ids")),
        **values,
    )
    if mailbox.retry_lifetime_hours <= 0:
        c.error((*w, "retry_lifetime_hours"), t("config.must_be_positive"))
    if mailbox.timeout <= 0:
        c.error((*w, "timeout"), t("config.must_be_positive"))

    departments = _departments(c, data)
    campaigns = _campaigns(c, data, base, {d.code for d in departments}, check_files)

    ms = c.get(data, (), "mailserver", dict, {}) or {}
    c.table(ms, ("mailserver",), _keys(MailServerSettings))
    data_dir = _field(MailServerSettings, "data_dir").metadata["toml_default"]
    mailserver = MailServerSettings(
        data_dir=(base / c.get(ms, ("mailserver",), "data_dir", str, data_dir)).resolve(),
        **_read(c, ms, ("mailserver",), MailServerSettings, special=("data_dir",)),
    )

    dm = c.get(data, (), "daemon", dict, {}) or {}
    c.table(dm, ("daemon",), _keys(DaemonSettings))
    digest_raw = c.get(dm, ("daemon",), "digest_time", (str, time), "17:00")
    digest = _field(DaemonSettings, "digest_time").default
    if isinstance(digest_raw, time):
        digest = digest_raw
    elif isinstance(digest_raw, str):
        try:
            digest = time.fromisoformat(digest_raw)
        except ValueError:
            c.error(("daemon", "digest_time"), t("config.bad_time", value=digest_raw))
    log_file = c.get(dm, ("daemon",), "log_file", str, "")
    daemon = DaemonSettings(
        digest_time=digest,
        log_file=(base / log_file).resolve() if log_file else None,
        **_read(c, dm, ("daemon",), DaemonSettings, special=("digest_time", "log_file")),
    )
    if daemon.job_budget_seconds <= 0:
        c.error(("daemon", "job_budget_seconds"), t("config.must_be_positive"))

    dr = c.get(data, (), "draft", dict, {}) or {}
    c.table(dr, ("draft",), _keys(DraftSettings))
    draft = DraftSettings(**_read(c, dr, ("draft",), DraftSettings))
    for key in ("attach_max_bytes", "max_picture_pixels"):
        if getattr(draft, key) < 0:
            c.error(("draft", key), t("config.must_be_positive"))
    if draft.pdf_timeout_seconds <= 0:
        c.error(("draft", "pdf_timeout_seconds"), t("config.must_be_positive"))

    intake = _intake(c, data)
    matching = _matching(c, data)

    if c.errors:
        raise ConfigError("\n".join(c.errors), t("config.fix_and_retry"))
    return Config(
        path=path,
        base_dir=base,
        lang=lang or "vi",
        office=office,
        mailbox=mailbox,
        departments=departments,
        campaigns=campaigns,
        state_path=(base / top["state"]).resolve(),
        archive_dir=(base / top["archive"]).resolve(),
        templates_dir=(base / top["templates"]).resolve(),
        mailserver=mailserver,
        daemon=daemon,
        draft=draft,
        intake=intake,
        matching=matching,
    )


def _matching(c: _Checker, data: dict[str, Any]) -> MatchingSettings:
    """``[matching]``: every key optional, every value a positive number."""
    raw = c.get(data, (), "matching", dict, {}) or {}
    c.table(raw, ("matching",), {f.name for f in fields(MatchingSettings)})
    values: dict[str, Any] = {}
    for f in fields(MatchingSettings):
        real = isinstance(f.default, float)
        value = c.get(raw, ("matching",), f.name, (int, float) if real else int, f.default)
        if value <= 0:
            c.error(("matching", f.name), t("config.must_be_positive"))
            value = f.default
        values[f.name] = float(value) if real else value
    return MatchingSettings(**values)


def _intake(c: _Checker, data: dict[str, Any]) -> IntakeSettings:
    """``[intake]``: every key optional, every value a positive number."""
    raw = c.get(data, (), "intake", dict, {}) or {}
    c.table(raw, ("intake",), {f.name for f in fields(IntakeSettings)})
    values: dict[str, Any] = {}
    for f in fields(IntakeSettings):
        default = f.default
        real = isinstance(default, float)
        value = c.get(raw, ("intake",), f.name, (int, float) if real else int, default)
        may_be_zero = f.name in ("workers", "deferred_workers")  # 0: in the poll itself
        if value <= 0 and not (may_be_zero and value == 0):
            c.error(("intake", f.name), t("config.must_be_positive"))
            value = default
        values[f.name] = float(value) if real else value
    return IntakeSettings(**values)


def _items(c: _Checker, data: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    raw = c.get(data, (), key, list, [])
    for i, item in enumerate(raw or []):
        if not isinstance(item, dict):
            c.error(
                (key, i), t("config.wrong_type", expected=t("config.type_table"), got=repr(item))
            )
            continue
        yield i, item


def _departments(c: _Checker, data: dict[str, Any]) -> tuple[Department, ...]:
    """``[[departments]]``: each entry's keys read as ``DepartmentKeys`` declares them;
    codes and addresses unique across entries."""
    out: list[Department] = []
    seen_codes: dict[str, int] = {}
    seen_emails: dict[str, str] = {}
    for i, raw in _items(c, data, "departments"):
        w: tuple[str | int, ...] = ("departments", i)
        c.table(raw, w, _DEPARTMENT)
        values = _read(c, raw, w, DepartmentKeys)
        code = values["code"] = values["code"] or ""
        values["name"] = values["name"] or ""
        if code in seen_codes:
            c.error((*w, "code"), t("config.duplicate_code", code=code, index=seen_codes[code]))
        seen_codes.setdefault(code, i)
        for e in values["emails"]:
            if e in seen_emails:
                c.error((*w, "emails"), t("config.duplicate_email", email=e, code=seen_emails[e]))
            seen_emails.setdefault(e, code)
        out.append(Department(**values))
    if not out and "departments" in data:
        c.error(("departments",), t("config.empty_list"))
    return tuple(out)


def _campaigns(
    c: _Checker, data: dict[str, Any], base: Path, codes: set[str], check_files: bool
) -> tuple[Campaign, ...]:
    """``[[campaigns]]``: each entry's keys read as ``CampaignKeys`` declares them; the
    files (``file`` keys) resolved and checked, the departments known, ids unique."""
    out: list[Campaign] = []
    seen: set[str] = set()
    for i, raw in _items(c, data, "campaigns"):
        w: tuple[str | int, ...] = ("campaigns", i)
        c.table(raw, w, _CAMPAIGN)
        values = _read(c, raw, w, CampaignKeys, special=("synonyms",))
        cid = values["id"] = values["id"] or ""
        if cid in seen:
            c.error((*w, "id"), t("config.duplicate_campaign", id=cid))
        seen.add(cid)
        for f in fields(CampaignKeys):
            if not f.metadata.get("file"):
                continue
            value = values[f.name] or ""
            values[f.name] = str((base / value).resolve()) if value else ""
            if value and check_files and not (base / value).is_file():
                c.error((*w, f.name), t("config.file_missing", path=base / value))
        synonyms: list[tuple[str, str]] = []
        for pair in c.get(raw, w, "synonyms", list, []) or []:
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
                synonyms.append((pair[0], pair[1]))
            else:
                c.error((*w, "synonyms"), t("config.bad_synonym", value=repr(pair)))
        for code in values["departments"]:
            if code not in codes:
                import difflib

                close = difflib.get_close_matches(code, sorted(codes), n=1)
                hint = t("config.did_you_mean", key=close[0]) if close else ""
                c.error((*w, "departments"), t("config.unknown_department", code=code) + hint)
        out.append(
            Campaign(
                **{
                    **values,
                    "title": values["title"] or "",
                    "deadline": values["deadline"] or date.min,
                    "token": values["token"] or cid.upper(),
                    "synonyms": tuple(synonyms),
                    "reminder_days": tuple(sorted(set(values["reminder_days"]))),
                }
            )
        )
    return tuple(out)


# --- the README's config table, generated from the schema above ----------------------

README_START = "<!-- config-table:start -->"
README_END = "<!-- config-table:end -->"
REGENERATE = "python -m mailflow.config --markdown --write README.md"


def _shown(f: Any) -> str:
    """A field's default as the README shows it."""
    if "shown" in f.metadata:
        return str(f.metadata["shown"])
    value = f.metadata.get("toml_default", f.default)
    if value is MISSING:
        return "required"
    if isinstance(value, time):
        return f"`{value:%H:%M}`"
    if value is None or value in ("", ()):
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):  # as TOML writes a list
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def _rows(label: str, cls: type) -> Iterator[str]:
    for f in fields(cls):
        meaning = f.metadata["help"]
        if "choices" in f.metadata:
            meaning += "; one of " + ", ".join(f"`{c}`" for c in f.metadata["choices"])
        key = f"{label} {f.name}".strip()
        cells = (f"`{key}`", _shown(f), meaning)
        yield "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def markdown_table() -> str:
    """The README's config table (key | default | meaning), one row per key, from the
    dataclasses: the docs cannot drift from what the loader accepts."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += _rows("", TopKeys)
    for name, cls in _TABLES:
        lines += _rows(f"[{name}]", cls)
        if cls is Mailbox:
            lines.append(
                "| `[mailbox] ca_file`, `tls_verify` | — | the default of both servers' "
                "ca_file and tls_verify (below) |"
            )
            lines += _rows("[mailbox.imap] / [mailbox.smtp]", Endpoint)
    lines += _rows("[[departments]]", DepartmentKeys)
    lines += _rows("[[campaigns]]", CampaignKeys)
    return "\n".join(lines) + "\n"


def readme_with_table(readme: str) -> str:
    """``readme`` with the text between the config-table markers replaced by the table."""
    start, end = readme.index(README_START), readme.index(README_END)
    head = readme[: start + len(README_START)]
    return f"{head}\n{markdown_table()}{readme[end:]}"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Print the README's config table.")
    parser.add_argument("--markdown", action="store_true", required=True)
    parser.add_argument("--write", metavar="README", help="replace the table in this file")
    args = parser.parse_args()
    if args.write:
        readme = Path(args.write)
        readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), "utf-8")
    else:
        print(markdown_table(), end="")
