"""``ghost derive`` and ``ghost critical-lr``: the closed forms of the reduced model, printed."""

from __future__ import annotations

import argparse

import sympy as sp

from reduced import critical_learning_rate, symbolic

from .args import CONVENTION_HELP


def _cmd_derive(args: argparse.Namespace) -> None:
    for title, expr in symbolic.derivation_chain(normalized=args.convention == "normalized"):
        if args.latex:
            print(f"% {title}\n{sp.latex(expr)}\n")
        else:
            print(f"{title}:\n{sp.pretty(expr, use_unicode=not args.ascii)}\n")


def _cmd_critical_lr(args: argparse.Namespace) -> None:
    normalized = args.convention == "normalized"
    value = critical_learning_rate(args.T, normalized=normalized)
    formula = symbolic.critical_learning_rate(normalized)
    print(f"eta_c = {sp.sstr(formula)}  ({args.convention} convention)")
    print(f"eta_c(T={args.T:g}) = {value:.6e}")


def add_reduced_parsers(sub) -> None:
    """Add ``derive`` and ``critical-lr`` to the ``ghost`` parser's subcommands."""
    derive = sub.add_parser("derive", help="print the derivation chain of the 1-D ghost model")
    style = derive.add_mutually_exclusive_group()
    style.add_argument("--latex", action="store_true", help="print LaTeX instead of pretty text")
    style.add_argument("--ascii", action="store_true", help="pretty-print without unicode")
    derive.add_argument("--convention", choices=("normalized", "integral"), default="normalized",
                        help=CONVENTION_HELP)
    derive.set_defaults(func=_cmd_derive)

    crit = sub.add_parser("critical-lr", help="closed-form critical learning rate eta_c(T)")
    crit.add_argument("-T", "--delay", "--T", dest="T", type=float, required=True, metavar="T",
                      help="task delay T > 0 (time units of the reduced model)")
    crit.add_argument("--convention", choices=("normalized", "integral"), default="normalized",
                      help=CONVENTION_HELP)
    crit.set_defaults(func=_cmd_critical_lr)
