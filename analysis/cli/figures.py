"""``ghost figures`` (the main job) and ``ghost summary-table``."""

from __future__ import annotations

import argparse
import json
from contextlib import nullcontext
from pathlib import Path

from ..cluster import cluster_executor
from ..figures import (
    FORMATS,
    Context,
    Settings,
    check_output_dir,
    make_figures,
    selected_figures,
    summary_table,
    update_readme,
)
from ..figures.reference_runs import cost_per_network_epoch, estimate_reference_seconds, reference_plan
from .args import positive_int


def _cmd_figures(args: argparse.Namespace) -> None:
    check_output_dir(args.out)  # fail fast, before any computation
    only = args.only.split(",") if args.only else None
    figures = [name for name, _, _ in selected_figures(only)]  # an unknown name fails here, before any work
    if args.reference and not args.quick:
        _print_reference_estimate(Path(args.out), figures)
    if args.scheduler or args.workers:
        context = cluster_executor(args.scheduler, args.workers)
    else:
        context = nullcontext(None)
    with context as executor:
        summary = make_figures(args.out, quick=args.quick, fmt=args.format, jobs=args.jobs, progress=None,
                               executor=executor, scale="reference" if args.reference else "default",
                               only=only)
    print(f"wrote {len(summary['drawn'])} figures and summary.json to {args.out} in {summary['seconds']} s")


def _print_reference_estimate(out: Path, figures: list[str]) -> None:
    """Before a --reference run: the experiments of ``figures`` it will train and their time, from a
    cost measured now."""
    ctx = Context(out, "png", Settings.make(False), None, "reference")
    plan = reference_plan(ctx, figures)
    pending = [item for item in plan if not item["kept"]]
    if not pending:
        print("no reference-size experiment to train for these figures (kept already in data/, or none): "
              "redrawing only")
        return
    cost = {a: cost_per_network_epoch(a) for a in sorted({item["architecture"] for item in pending})}
    seconds = estimate_reference_seconds(plan, cost)
    listed = ", ".join(f"{item['experiment']} ({item['network_epochs']:.2g} network-epochs)" for item in pending)
    rates = ", ".join(f"{a} {c * 1e6:.0f} us" for a, c in cost.items())
    took = (f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min" if seconds >= 60
            else "under a minute")
    print(f"reference sizes: {listed}; about {took} at the cost measured now per network-epoch "
          f"({rates}), besides the default figures; every sweep resumes if interrupted", flush=True)


def _cmd_summary_table(args: argparse.Namespace) -> None:
    if not Path(args.summary).is_file():
        raise ValueError(f"--summary: no such file {args.summary}")
    if args.readme:
        update_readme(Path(args.readme), Path(args.summary))
        print(f"updated the table in {args.readme}")
    else:
        print(summary_table(json.loads(Path(args.summary).read_text())))


def add_figures_parsers(sub) -> None:
    """Add ``figures`` and ``summary-table`` to the ``ghost`` parser's subcommands."""
    figs = sub.add_parser(
        "figures", help="regenerate every figure and summary.json (the main job)",
        description="Draw every figure and summary.json into --out. The sweeps are cached in OUT/.cache and "
                    "resume after an interruption. --reference runs every network experiment at the reference's "
                    "sizes (Fig 3; Fig 4 at 500 trials per class; Fig 5 at 3 seeds; Fig 6A; Fig 6B at 9 ranks x 10 "
                    "rates x 10 seeds x 500k epochs; Fig 7; Fig 8C at 100 seeds: hours on two cores) after printing "
                    "an estimate of their time from a cost measured on the spot. The compact results of the Fig 3 "
                    "and Fig 6A runs are kept in OUT/data (the repository's figures/data is read too), so that later "
                    "runs redraw them in seconds. Every network figure records the sizes it was drawn at, against "
                    "the reference's, under 'scales' in summary.json.")
    figs.add_argument("--out", default="figures", help="output directory (default: figures/)")
    figs.add_argument("--quick", action="store_true", help="coarser grids and shorter training, about a minute")
    figs.add_argument("--format", choices=FORMATS, default="png", help="image format (default png)")
    figs.add_argument("--reference", action="store_true",
                      help="run the network experiments whose recipes give the reference's sizes at those sizes "
                           "(hours on two cores; every sweep is cached and resumes)")
    figs.add_argument("--only", default=None, metavar="FIGURES",
                      help="comma-separated figure names or numbers (e.g. 21 or 13,21): draw those alone and "
                           "update their entries in an existing summary.json")
    figs.add_argument("--jobs", type=positive_int, default=1,
                      help="processes for the phase-diagram sweeps; helps only with more cores than the "
                           "compiled sweeps' threads (on 2 cores it does not: they use both already)")
    spread = figs.add_mutually_exclusive_group()
    spread.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="run the sweeps on the dask scheduler at ADDRESS (needs the cluster extra)")
    spread.add_argument("--workers", type=positive_int, default=None, metavar="N",
                        help="run the sweeps on a local dask cluster of N worker processes (cluster extra)")
    figs.set_defaults(func=_cmd_figures)

    table = sub.add_parser("summary-table", help="print (or write into the README) the closed-form vs measured table")
    table.add_argument("--summary", default="figures/summary.json", help="summary.json written by ghost figures")
    table.add_argument("--readme", default=None, help="rewrite the table between the markers in this README")
    table.set_defaults(func=_cmd_summary_table)
