"""The ``ghost`` command line: derive, critical-lr, figures (the main job), summary-table and rnn."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


class _OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose errors are a single line on stderr and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


def _cmd_derive(args: argparse.Namespace) -> None:
    import sympy as sp

    from reduced import symbolic

    for title, expr in symbolic.derivation_chain(normalized=args.convention == "normalized"):
        if args.latex:
            print(f"% {title}\n{sp.latex(expr)}\n")
        else:
            print(f"{title}:\n{sp.pretty(expr, use_unicode=not args.ascii)}\n")


def _cmd_critical_lr(args: argparse.Namespace) -> None:
    import sympy as sp

    from reduced import critical_learning_rate, symbolic

    normalized = args.convention == "normalized"
    value = critical_learning_rate(args.T, normalized=normalized)
    formula = symbolic.critical_learning_rate(normalized)
    print(f"eta_c = {sp.sstr(formula)}  ({args.convention} convention)")
    print(f"eta_c(T={args.T:g}) = {value:.6e}")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def _cmd_figures(args: argparse.Namespace) -> None:
    from contextlib import nullcontext

    from .figures import check_output_dir, make_figures

    check_output_dir(args.out)  # fail fast, before any computation
    if args.scheduler or args.workers:
        from .cluster import cluster_executor

        context = cluster_executor(args.scheduler, args.workers)
    else:
        context = nullcontext(None)
    with context as executor:
        summary = make_figures(args.out, quick=args.quick, fmt=args.format, jobs=args.jobs, progress=None,
                               executor=executor)
    print(f"wrote {len(summary['files'])} figures and summary.json to {args.out} in {summary['seconds']} s")


def _cmd_summary_table(args: argparse.Namespace) -> None:
    import json
    from pathlib import Path

    from .figures import summary_table, update_readme

    if not Path(args.summary).is_file():
        raise ValueError(f"--summary: no such file {args.summary}")
    if args.readme:
        update_readme(Path(args.readme), Path(args.summary))
        print(f"updated the table in {args.readme}")
    else:
        print(summary_table(json.loads(Path(args.summary).read_text())))


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="ghost", description="Abrupt learning through saddle-node ghost points.")
    sub = parser.add_subparsers(dest="command", parser_class=_OneLineParser, metavar="COMMAND")
    convention_help = "loss convention: time-averaged (normalized, default) or un-averaged (integral)"

    derive = sub.add_parser("derive", help="print the derivation chain of the 1-D ghost model")
    style = derive.add_mutually_exclusive_group()
    style.add_argument("--latex", action="store_true", help="print LaTeX instead of pretty text")
    style.add_argument("--ascii", action="store_true", help="pretty-print without unicode")
    derive.add_argument("--convention", choices=("normalized", "integral"), default="normalized",
                        help=convention_help)
    derive.set_defaults(func=_cmd_derive)

    crit = sub.add_parser("critical-lr", help="closed-form critical learning rate eta_c(T)")
    crit.add_argument("-T", "--delay", "--T", dest="T", type=float, required=True, metavar="T",
                      help="task delay T > 0 (time units of the reduced model)")
    crit.add_argument("--convention", choices=("normalized", "integral"), default="normalized",
                      help=convention_help)
    crit.set_defaults(func=_cmd_critical_lr)

    figs = sub.add_parser("figures", help="regenerate every figure and summary.json (the main job)")
    figs.add_argument("--out", default="figures", help="output directory (default: figures/)")
    figs.add_argument("--quick", action="store_true", help="coarser grids and shorter training, about a minute")
    figs.add_argument("--format", choices=("png", "pdf", "svg"), default="png", help="image format (default png)")
    figs.add_argument("--jobs", type=_positive_int, default=1,
                      help="processes for the phase-diagram sweeps; helps only with more cores than the "
                           "compiled sweeps' threads (on 2 cores it does not: they use both already)")
    spread = figs.add_mutually_exclusive_group()
    spread.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="run the sweeps on the dask scheduler at ADDRESS (needs the cluster extra)")
    spread.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                        help="run the sweeps on a local dask cluster of N worker processes (cluster extra)")
    figs.set_defaults(func=_cmd_figures)

    table = sub.add_parser("summary-table", help="print (or write into the README) the closed-form vs measured table")
    table.add_argument("--summary", default="figures/summary.json", help="summary.json written by ghost figures")
    table.add_argument("--readme", default=None, help="rewrite the table between the markers in this README")
    table.set_defaults(func=_cmd_summary_table)

    from .rnn_cli import add_rnn_parser

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
    except KeyboardInterrupt:
        print("ghost: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
