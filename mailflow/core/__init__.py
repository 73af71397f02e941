"""The pure core: decisions from values. Nothing here may do I/O or read the clock.

tests/test_architecture.py enforces that no module in this package imports an adapter,
a network or database library, or the clock.
"""
