"""`python -m eval`: the same as `ipqa eval`."""

from eval.run import cli_main

if __name__ == "__main__":
    cli_main()
