"""The ``fairrec`` command (``main``) and its subcommands, one module each."""

from fairrec_core.cli.main import main

__all__ = ["main"]
