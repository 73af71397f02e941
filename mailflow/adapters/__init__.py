"""Thin adapters: each does one kind of I/O and turns library errors into MailflowError."""
