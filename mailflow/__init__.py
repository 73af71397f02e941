"""mailflow: report campaigns by e-mail, from directive to consolidated draft."""

__version__ = "0.1.0"
