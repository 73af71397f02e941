"""Use-case services: each gathers facts from the store and archive, asks the pure core,
and applies the result. The CLI, the daemon and the demo call these same functions."""
