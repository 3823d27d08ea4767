"""The command line, the top floor: one module per command group, dispatched from a
table in main.py. Nothing in mcubench imports this package."""

from mcubench.cli.main import main

__all__ = ["main"]
