"""``ghost rnn``: single RNN experiments from the command line, writing NetCDF and PNG.

* ``ghost rnn list``: the presets (every experiment of the paper).
* ``ghost rnn train PRESET``: train the preset as it is (with optional overrides).
* ``ghost rnn sweep PRESET --lr LO HI COUNT``: a learning-rate sweep of the preset's network.
* ``ghost rnn ghosts PRESET``: train (or reuse the ``train`` result) and find the slow points of
  one run at each checkpoint.

Each writes ``OUT/<preset>-<command>.nc`` and ``.png``; a rerun with the same settings reuses the
saved sweep, and an interrupted one resumes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..figures import check_output_dir
from ..networks import PRESETS, checkpoint_params, combination, make_task, model_from_dict, preset, swept_axes
from ..networks.slow import slow_points_dataset
from ..networks.training.plan import MAX_RUNS
from ..plotting import plot_latent_flow_map, plot_network_slow_points_pca, plot_regime_fractions, plot_training
from ..plotting.style import save_figure
from ..store import parts_dir
from .args import positive_int


def _overrides(args) -> dict:
    out = {} if args.chunk_size is None else {"chunk_size": args.chunk_size}
    if args.epochs is not None:
        out["epochs"] = args.epochs
    if args.seeds is not None:
        out["seeds"] = args.seeds
    return out


def _first_of_each_sweep(ds):
    """The sweep with its further swept axes (e.g. rank) at their first value, for one picture."""
    return ds.isel({d: 0 for d in swept_axes(ds)})


def _save(fig, path: Path) -> None:
    save_figure(fig, path)
    print(f"wrote {path}")


def _cmd_list(args) -> None:
    for name, p in PRESETS.items():
        print(f"{name:18s} {p.description}")


def _train(args, command: str):
    p = preset(args.preset)
    out = check_output_dir(Path(args.out))
    overrides = _overrides(args)
    if command == "sweep":
        low, high, count = args.lr
        if not (0 < low < high) or count < 2 or count != int(count) or count > MAX_RUNS:
            raise ValueError(f"--lr: expected LOW HIGH COUNT with 0 < LOW < HIGH and COUNT an integer in "
                             f"[2, {MAX_RUNS}], got {args.lr}")
        overrides["lr"] = np.geomspace(low, high, int(count)).tolist()
        overrides["checkpoints"] = []
    path = out / f"{args.preset}-{command}.nc"
    if args.overwrite:
        _remove_saved(path)
    ds = p.run(out=path, progress=None, **overrides)
    print(f"wrote {path}")
    return p, ds, out


def _remove_saved(path: Path) -> None:
    """--overwrite: the saved sweep at ``path`` (and its per-budget files and parts) is removed first."""
    for target in [path, *path.parent.glob(f"{path.stem}.epochs-*.nc")]:
        for item in (target, parts_dir(target)):
            if item.is_dir():
                shutil.rmtree(item)
            elif item.exists():
                item.unlink()


def _cmd_train(args) -> None:
    p, ds, out = _train(args, "train")
    _save(plot_training(_first_of_each_sweep(ds)), out / f"{args.preset}-train.png")


def _cmd_sweep(args) -> None:
    p, ds, out = _train(args, "sweep")
    _save(plot_regime_fractions(_first_of_each_sweep(ds), title=p.description),
          out / f"{args.preset}-sweep.png")


def _cmd_ghosts(args) -> None:
    kept = preset(args.preset).settings(**_overrides(args))["checkpoints"]
    if not kept:  # refused before any training
        raise ValueError(f"preset {args.preset} keeps no checkpoints"
                         f"{' up to epoch ' + str(args.epochs) if args.epochs else ''}: nothing to search")
    p, ds, out = _train(args, "train")
    ds = _first_of_each_sweep(ds)
    picks = ds.checkpoint.values
    if picks.size > args.max_checkpoints:  # evenly spaced, always with the first and the last
        picks = picks[np.unique(np.linspace(0, picks.size - 1, args.max_checkpoints).round().astype(int))]
    sub = ds.sel(checkpoint=picks)
    found = slow_points_dataset(sub)
    path = out / f"{args.preset}-ghosts.nc"
    found.to_netcdf(path)
    print(f"wrote {path}")
    for c, n_fixed, n_ghosts in zip(found.checkpoint.values, found.n_fixed.values, found.n_ghosts.values, strict=True):
        print(f"  epoch {c}: {n_fixed} fixed point(s), {n_ghosts} ghost(s)")
    model_spec, task_spec = combination(ds)
    model, task = model_from_dict(model_spec), make_task(**task_spec)
    kept = checkpoint_params(sub)
    params = {e: {k: v[i] for k, v in kept.items()} for i, e in enumerate(picks)}
    if model.rank == 2:

        fig = Figure(figsize=(5.6 * len(picks[:4]), 5.0), layout="constrained")
        for ax, epoch in zip(fig.subplots(1, len(picks[:4]), squeeze=False)[0], picks[:4], strict=True):
            plot_latent_flow_map(model, params[epoch], task, ax=ax, title=f"epoch {epoch}")
    elif model.rank is None and getattr(model, "n_in", 0):
        fig = plot_network_slow_points_pca(model, {e: params[e] for e in picks[:4]}, task)
    else:
        print("  (no picture for this network: the ghost timeline of rank-one runs is in ghost figures)")
        return
    _save(fig, out / f"{args.preset}-ghosts.png")


def add_rnn_parser(sub) -> None:
    """Add ``ghost rnn ...`` to the ``ghost`` parser's subcommands."""
    rnn = sub.add_parser("rnn", help="train, sweep or find the ghosts of one of the paper's RNN experiments",
                         description="Every 'ghost rnn' run saves its progress in --out as it goes (about every "
                                     "minute) and resumes after an interruption; a rerun with other settings into "
                                     "the same --out is refused unless --overwrite is given, which removes the "
                                     "earlier result first.")

    verbs = rnn.add_subparsers(dest="rnn_command", metavar="{list,train,sweep,ghosts}")
    rnn.set_defaults(func=lambda args: rnn.error("choose one of: list, train, sweep, ghosts"))
    listing = verbs.add_parser("list", help="list the presets (every experiment of the paper)")
    listing.set_defaults(func=_cmd_list)
    helps = {"train": "train a preset as the paper did (NetCDF + loss/accuracy PNG)",
             "sweep": "sweep the learning rate of a preset's network (NetCDF + regime-fraction PNG)",
             "ghosts": "train a preset and find the slow points at its checkpoints (NetCDF + PNG)"}
    funcs = {"train": _cmd_train, "sweep": _cmd_sweep, "ghosts": _cmd_ghosts}
    for verb, text in helps.items():
        cmd = verbs.add_parser(verb, help=text)
        cmd.add_argument("preset", metavar="PRESET", help="a preset name (see: ghost rnn list)")
        cmd.add_argument("--epochs", type=positive_int, default=None, help="override the number of epochs")
        cmd.add_argument("--seeds", type=positive_int, default=None, help="override the number of seeds (0..N-1)")
        cmd.add_argument("--out", default="rnn-results", help="output directory (default: rnn-results/)")
        cmd.add_argument("--chunk-size", type=positive_int, default=None, metavar="N",
                         help="learning rates per compiled chunk (default: as many as fit in memory); a "
                              "running chunk saves its progress about every minute either way")
        cmd.add_argument("--overwrite", action="store_true",
                         help="remove an earlier result in --out first (otherwise one made with other settings "
                              "is refused, and one with the same settings is reused)")
        if verb == "sweep":
            cmd.add_argument("--lr", nargs=3, type=float, required=True, metavar=("LOW", "HIGH", "COUNT"),
                             help="COUNT log-spaced learning rates from LOW to HIGH")
        if verb == "ghosts":
            cmd.add_argument("--max-checkpoints", type=positive_int, default=4,
                             help="search at most this many checkpoints, evenly spaced (default 4)")
        cmd.set_defaults(func=funcs[verb])
