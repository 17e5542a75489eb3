"""The ``ghost`` command line: ``ghost derive``, ``ghost critical-lr`` and ``ghost figures``."""

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

    from .reduced import symbolic

    for title, expr in symbolic.derivation_chain(normalized=args.convention == "normalized"):
        if args.latex:
            print(f"% {title}\n{sp.latex(expr)}\n")
        else:
            print(f"{title}:\n{sp.pretty(expr, use_unicode=not args.ascii)}\n")


def _cmd_critical_lr(args: argparse.Namespace) -> None:
    import sympy as sp

    from .reduced import critical_learning_rate, symbolic

    normalized = args.convention == "normalized"
    value = critical_learning_rate(args.T, normalized=normalized)
    formula = symbolic.critical_learning_rate(normalized)
    print(f"eta_c = {sp.sstr(formula)}  ({args.convention} convention)")
    print(f"eta_c(T={args.T:g}) = {value:.6e}")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="ghost", description="Abrupt learning through saddle-node ghost points.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)

    derive = sub.add_parser("derive", help="print the derivation chain of the 1-D ghost model")
    derive.add_argument("--latex", action="store_true", help="print LaTeX instead of pretty text")
    derive.add_argument("--ascii", action="store_true", help="pretty-print without unicode")
    derive.add_argument("--convention", choices=("normalized", "integral"), default="normalized")
    derive.set_defaults(func=_cmd_derive)

    crit = sub.add_parser("critical-lr", help="closed-form critical learning rate eta_c(T)")
    crit.add_argument("--T", type=float, required=True, help="task delay T > 0")
    crit.add_argument("--convention", choices=("normalized", "integral"), default="normalized")
    crit.set_defaults(func=_cmd_critical_lr)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
