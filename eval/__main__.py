"""`python -m eval`: the same as `ipqa eval`."""

import typer

from eval.cli import eval_command

if __name__ == "__main__":
    typer.run(eval_command)
