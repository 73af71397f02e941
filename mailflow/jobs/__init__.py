"""Jobs: gather facts from the state, ask the core, apply the result (imperative shell)."""
