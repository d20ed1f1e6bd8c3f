"""The terminal side of the commands: the consoles, and `fail` for a one-line error and exit."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr and a non-zero exit: no traceback for expected problems."""
    one_line = " ".join(str(message).split())  # exception texts may hold newlines
    # soft_wrap: Rich would otherwise wrap at 80 columns when stderr is not a terminal;
    # escape: a message may contain [brackets] that Rich would read as markup.
    err.print(f"[bold red]ipqa:[/] {escape(one_line)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
