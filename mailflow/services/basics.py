"""What the grid (``mailflow status``), assembly and the services share with matching,
without loading the matcher.

Why a module of its own: ``services.match`` loads the mail parser, the document reader
and the fuzzy matcher at import; ``mailflow status`` needs only the outline, when a mail
came and what a part replaced. Every service imports these from here (rank 0).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailflow.adapters import outline_cache
from mailflow.clock import wall
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import Campaign, Department, Outline

if TYPE_CHECKING:
    from mailflow.adapters.store import Store
    from mailflow.config import Config

SYSTEM = "mailflow"
#: ``placements.decided_by`` of a part superseded by a later one: "mailflow: replaced by
#: part N". Assembly reads it back to say "thay cho phần gửi ngày …"; restore undoes it.
REPLACED_PREFIX = f"{SYSTEM}: replaced by part "
#: ``placements.decided_by`` of a new part held for review because it may be a newer
#: version of part N (a short text alike but with words of its own; core.match.Likeness).
#: Assembly reads it back to say "có thể là bản mới của phần số N gửi ngày …".
MAYBE_RENEWS_PREFIX = f"{SYSTEM}: maybe a newer version of part "
#: ``documents.reason`` of the second form of a report in the same mail.
SAME_REPORT_REASON = "review.reason.same_report"


def parse_when(value: str | None) -> datetime | None:
    """A stored time (ISO, or an RFC 5322 date) as office wall time, as people read it."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        from email.utils import parsedate_to_datetime  # rare (a mail's Date header): lazy

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return wall(when)


def arrival(mail: dict[str, Any]) -> datetime | None:
    """When a department's mail came: its Date header, unless that lies in the future.

    The Date header is what the department sees in its Sent folder and what the Office
    counts for "late"; ``received_at`` (when mailflow took it in) is the fallback and the
    cap, since a mail ingested days later from a saved file still came on its Date.
    """
    got = parse_when(mail.get("received_at"))
    sent = parse_when(mail.get("date"))
    if sent is None:
        return got
    if got is not None and sent > got:
        return got
    return sent


# --- the outline ------------------------------------------------------------------------


_OUTLINES: dict[tuple[str, float, tuple[Department, ...]], Outline] = {}


def load_outline(cfg: Config, campaign: Campaign) -> Outline:
    """The campaign's outline, parsed once per file version (the daemon asks often)."""
    path = Path(campaign.outline)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise MailflowError(
            t("review.outline_missing", path=path), t("review.outline_missing_hint")
        ) from exc
    deps = cfg.campaign_departments(campaign)
    key = (str(path), mtime, deps)
    if key not in _OUTLINES:
        _OUTLINES[key] = _parsed(cfg, path, deps)
    return _OUTLINES[key]


def _parsed(cfg: Config, path: Path, deps: tuple[Department, ...]) -> Outline:
    """The outline from the on-disk cache when the file is unchanged, else parsed (and
    the parse kept): a new process does not load python-docx for an unchanged outline."""
    try:
        data = path.read_bytes()
        mtime_ns = path.stat().st_mtime_ns
    except OSError:
        data = None
    if data is not None:
        where = outline_cache.cache_file(cfg.state_path, path)
        key = outline_cache.cache_key(path, data, mtime_ns, deps)
        cached = outline_cache.read_cached(where, key)
        if cached is not None:
            return cached
    from mailflow.adapters.docx_read import read_docx  # here: only on a cache miss
    from mailflow.core.outline import parse_outline

    if data is None:  # vanished since the stat: the reader reports it as it always did
        return parse_outline(read_docx(path), deps)
    outline = parse_outline(read_docx(data, str(path)), deps)
    outline_cache.write_cached(where, key, outline)
    return outline


def attribution_extras(
    store: Store, campaign: str
) -> tuple[dict[int, tuple[datetime, ...]], dict[int, tuple[str, ...]]]:
    """Per part id: when the parts it replaced had come, and the other forms of the same
    report in its mail (the signed .pdf beside a .docx), for the draft's attribution."""
    rows = store.replaced_arrivals(campaign, REPLACED_PREFIX)
    replaced: dict[int, list[datetime]] = {}
    for r in rows:
        tail = (r["decided_by"] or "")[len(REPLACED_PREFIX) :]
        when = arrival(r)
        if tail.isdigit() and when is not None:
            replaced.setdefault(int(tail), []).append(when)
    copies = store.same_report_copies(campaign, SAME_REPORT_REASON)
    signed: dict[int, list[str]] = {}
    for r in copies:
        signed.setdefault(r["id"], []).append(r["name"])
    return (
        {k: tuple(v) for k, v in replaced.items()},
        {k: tuple(v) for k, v in signed.items()},
    )
