"""Command-line entry point: ``mailflow`` and ``python -m mailflow``."""

from __future__ import annotations

import importlib
import pkgutil

from mailflow.cli.base import cli

for _info in pkgutil.iter_modules(__path__):
    if _info.name != "base":
        importlib.import_module(f"{__name__}.{_info.name}")


def main() -> None:
    cli(prog_name="mailflow")
