"""Command-line entry point: ``mailflow`` and ``python -m mailflow``.

Command modules are imported on demand by the group (see ``mailflow.cli.base``), so
importing this package costs click, rich and the catalogue, nothing more.
"""

from __future__ import annotations

from mailflow.cli.base import cli


def main() -> None:
    cli(prog_name="mailflow")
