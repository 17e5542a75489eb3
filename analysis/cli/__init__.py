"""The ``ghost`` command line: derive, critical-lr, figures (the main job), summary-table and rnn.

One module per group of subcommands: :mod:`.reduced` (the closed forms), :mod:`.figures` (the
main job and its table), :mod:`.rnn` (single network experiments); :mod:`.args` holds what they
share. Bad arguments print one line on stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .args import OneLineParser
from .figures import add_figures_parsers
from .reduced import add_reduced_parsers
from .rnn import add_rnn_parser


def build_parser() -> argparse.ArgumentParser:
    """The ``ghost`` parser with every subcommand."""
    parser = OneLineParser(prog="ghost", description="Abrupt learning through saddle-node ghost points.")
    sub = parser.add_subparsers(dest="command", parser_class=OneLineParser, metavar="COMMAND")
    add_reduced_parsers(sub)
    add_figures_parsers(sub)
    add_rnn_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
    except (ValueError, OSError) as exc:
        print(f"ghost: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("ghost: error: out of memory; use fewer seeds, trials or a smaller --chunk-size", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ghost: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
