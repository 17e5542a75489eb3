"""What every ``ghost`` subcommand shares: a parser whose errors are one line, and argument types."""

from __future__ import annotations

import argparse


class OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose errors are a single line on stderr and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


CONVENTION_HELP = "loss convention: time-averaged (normalized, default) or un-averaged (integral)"
