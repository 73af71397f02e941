"""atheris fuzz targets: the intake path and the document reader.

Run through ``python -m bench.fuzz`` (``make fuzz``), which gives each target its own
process, a corpus seeded from ../shared/corpora and a time budget. A crash is any
exception other than the MailflowError the code raises on purpose for bad input.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from mailflow.adapters import mail_parse, unpack
    from mailflow.adapters.docx_read import read_docx
    from mailflow.core import identify as identify_mod
    from mailflow.errors import MailflowError

KNOWN = identify_mod.KnownState(
    addresses={"qlkh@sokhcn.example": "QLKH", "qlcn@sokhcn.example": "QLCN"},
    campaigns=(identify_mod.OpenCampaign("2023-h1", "2023-H1"),),
    trusted_authserv_ids=("mail.sokhcn.example",),
    own_addresses=("baocao@sokhcn.example",),
)
LIMITS = unpack.Limits(
    max_file_bytes=2 * 1024 * 1024,
    max_total_bytes=8 * 1024 * 1024,
    zip_max_inflated=8 * 1024 * 1024,
)


def intake(data: bytes) -> None:
    """Raw bytes → parse → identify → unpack: must never raise."""
    parsed = mail_parse.parse(data)
    identify_mod.identify(mail_parse.mail_headers(parsed), KNOWN)
    unpack.extract(parsed.message, LIMITS, converter=None)


def document(data: bytes) -> None:
    """Any bytes as a .docx: a MailflowError is the only acceptable failure."""
    with contextlib.suppress(MailflowError):
        read_docx(data, "fuzz.docx")


TARGETS = {"intake": intake, "document": document}


def main() -> None:
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
