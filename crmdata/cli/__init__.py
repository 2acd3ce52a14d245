"""The command line: one module per command group, shared options, output. The only place that prints
or exits; nothing imports it."""
