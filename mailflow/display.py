"""Mail-derived text made safe for a terminal and a log line.

Subjects, file names, display names and addresses come from strangers. Printed raw, an
ESC sequence can clear the screen, retitle the window or hide a hyperlink, a bidi
override can show "cod.exe" as "exe.doc", and a newline can forge a log line. Every
place that prints such text passes it through :func:`safe`; the log's formatter
(:class:`SafeFormatter`) does the same for every record.
"""

from __future__ import annotations

import logging
import re

#: C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates and marks, line and
#: paragraph separators, and the byte-order mark / zero-width no-break space.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\e"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object, keep_newlines: bool = False) -> str:
    """``text`` with every control, escape and bidi character shown as an escape.

    ``keep_newlines`` leaves line breaks alone, for multi-line text we wrote ourselves
    around mail-derived pieces that were escaped already (a traceback).
    """
    value = "" if text is None else str(text)
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(_escape, line) for line in value.split("\n"))
    return _UNSAFE.sub(_escape, value)


class SafeFormatter(logging.Formatter):
    """A formatter whose message and traceback cannot carry control characters.

    The message is rendered with its arguments first and escaped as a whole, so a
    subject with a newline stays on its log line; a traceback keeps its own lines.
    """

    def format(self, record: logging.LogRecord) -> str:
        clean = logging.makeLogRecord(record.__dict__)
        clean.msg = safe(record.getMessage())
        clean.args = None
        if record.exc_info and not record.exc_text:
            clean.exc_text = self.formatException(record.exc_info)
        if clean.exc_text:
            clean.exc_text = safe(clean.exc_text, keep_newlines=True)
        clean.exc_info = None
        if clean.stack_info:
            clean.stack_info = safe(clean.stack_info, keep_newlines=True)
        return super().format(clean)
