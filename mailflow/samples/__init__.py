"""Sample workspace builders for `mailflow init` and the demo: the seed directive and outline
and the draft template, generated as Word files. Not on the daemon path."""
