"""The reference's own sizes: Fig 3 (figure 13) and Fig 6A (figure 14), and the settings under which
Fig 7 (figure 21) and Fig 8C (figure 19) keep their results.

The runs behind them take from minutes (Fig 3: 20 networks x 500k epochs) to hours (Fig 6A: 300
networks x 200k epochs per architecture; Fig 7; Fig 8C) on two cores, so each keeps its compact
results (loss records, regimes, drop and ghost epochs, the few checkpoints a figure draws; not every
checkpoint) in ``figures/data/`` (:func:`reference_data`). The main job draws from them whenever
they hold the same settings (floats equal to rounding), and runs an experiment itself only where its
recipe says so: Fig 3 always (it fits the main job's budget), the others under ``--reference``.
"""

from __future__ import annotations

import json
import time

import numpy as np

from ..networks import preset, train_sweep
from ..networks.flows import ghost_lag, ghost_timeline
from ..networks.presets import RANKS
from .context import cache_path, save_data, saved_data

FIG3_LONG = {"lr": 0.003, "seeds": list(range(40, 60)), "epochs": 500_000, "checkpoint_every": 100,
             "record_every": 100, "flow_epochs": [0, 200_000, 499_000], "drop_window": 1000}
"""Fig 3a/b: the reference's run (lr 0.003, seed 40, 500k epochs, flows at its epochs 1, 200,001 and
499,001, i.e. after 0, 200,000 and 499,000 updates), here with 20 seeds (40-59) for the ghost lag."""
FIG3_SHORT = {"lr": 0.02, "seed": 40, "epochs": 6000, "drop_window": 25}
"""Fig 3c/d: lr 0.02, seed 40, 6000 epochs, every epoch recorded and checkpointed around the drop."""
FIG3_QUICK = {"lr": 0.003, "seeds": [40, 41], "epochs": 20_000, "checkpoint_every": 100, "record_every": 100,
              "flow_epochs": [0, 10_000, 19_000], "drop_window": 1000}
FIG6A = {"rank one": ("fig6a-rank-one", 200_001), "full rank": ("fig6a-full", 200_001)}
"""Fig 6A: the preset of each architecture and the reference's epochs (30 rates x 10 seeds each)."""
FIG6A_RECORD_EVERY = 1000
EXPERIMENTS = {"Fig 3a/b": ("network_fig3a.nc", "rank one"), "Fig 3c/d": ("network_fig3c.nc", "rank one"),
               "Fig 6A rank one": ("network_fig6a_rank_one.nc", "rank one"),
               "Fig 6A full rank": ("network_fig6a_full_rank.nc", "full rank")}
"""Each experiment's file of compact results (in OUT/data and the repository's figures/data) and architecture."""
LOSS_EPOCHS = (10_000, 20_000, 30_000, 50_000, 100_000, 200_000)
"""The epochs at which the reference's Fig 6A plots the mean loss against the rate."""
FIGURE_OF = {"Fig 3a/b": "13_rnn_rank_one_run", "Fig 3c/d": "13_rnn_rank_one_run",
             "Fig 6A rank one": "14_rnn_lr_sweeps", "Fig 6A full rank": "14_rnn_lr_sweeps"}
"""The figure of the main job that draws each experiment of :data:`EXPERIMENTS`."""
RECIPE_EXPERIMENTS = {
    "Fig 4 cue discrimination": ("15_rnn_flow_maps", "fig4-dcdt", "rank one", 1),
    "Fig 4 match-to-sample": ("15_rnn_flow_maps", "fig4-dmts", "rank one", 1),
    "Fig 5 cue discrimination": ("16_rnn_slow_points", "fig5-dcdt", "full rank", 1),
    "Fig 5 match-to-sample": ("16_rnn_slow_points", "fig5-dmts", "full rank", 1),
    "Fig 6B": ("17_rnn_rank_remedy", "fig6b-rank", "full rank", len(RANKS)),
    "Fig 7 cue discrimination": ("21_rnn_large_rates", "fig7-dcdt", "full rank", 1),
    "Fig 7 match-to-sample": ("21_rnn_large_rates", "fig7-dmts", "full rank", 1),
    "Fig 7 saturation": ("21_rnn_large_rates", "fig7-saturation", "full rank", 1),
    "Fig 8C": ("19_rnn_confidence", "fig8c", "full rank", 6),
}
"""The experiments whose recipes run the reference's sizes themselves under ``--reference``: their
figure, their preset (whose rates, seeds, epochs and trials are the reference's), the architecture
whose measured cost they are charged at (low rank at rank one's; Fig 6B, up to rank 100, at full
rank's) and how many runs each (rate, seed) takes: Fig 6B's 9 ranks; Fig 8C's first phase and its
second under 4 held readout norms and a free one."""


FIG7_SIZES = {"quick": ((0, 1), 400), "default": ((0, 1, 9, 12), 5000), "reference": (tuple(range(20)), 20_000)}
"""Fig 7's sweeps: (seeds, epochs) at each scale; every scale keeps the preset's 20 rates (quick: every
fourth) and the reference's case-study seeds 0, 1, 9 and 12 where it can."""
FIG7_FILES = {"fig7-dcdt": "network_fig7_dcdt.nc", "fig7-dmts": "network_fig7_dmts.nc"}
"""The files of compact results (:func:`analysis.networks.compact_norm_sweep`) of Fig 7's two sweeps, by preset."""
FIG8C_SIZES = {"quick": (2, 1000, (0.5,)), "default": (10, 10_000, (0.1, 0.5, 1.0, 3.0)),
               "reference": (100, 10_000, (0.1, 0.5, 1.0, 3.0))}
"""Fig 8C's readout normalisation: (seeds, epochs per phase, held norms) at each scale (a free readout besides)."""
FIG8C_FILE = "network_fig8c.nc"
"""The file of Fig 8C's results (accuracy and loss per norm, seed and recorded epoch: already compact)."""


def fig7_config(name: str, scale: str) -> dict:
    """The settings of Fig 7's sweep of preset ``name`` (fig7-dcdt or fig7-dmts) at ``scale``."""
    if scale not in FIG7_SIZES:
        raise ValueError(f"scale must be one of {sorted(FIG7_SIZES)}, got {scale!r}")
    p = preset(name)
    seeds, epochs = FIG7_SIZES[scale]
    lr = p.lr if scale != "quick" else p.lr[::4]
    return {"preset": name, "lr": [float(v) for v in lr], "seeds": list(seeds), "epochs": epochs,
            "record_every": max(1, epochs // 2000)}


def fig8c_config(scale: str) -> dict:
    """The settings of Fig 8C's readout normalisation at ``scale`` (50 records per phase)."""
    if scale not in FIG8C_SIZES:
        raise ValueError(f"scale must be one of {sorted(FIG8C_SIZES)}, got {scale!r}")
    seeds, epochs, norms = FIG8C_SIZES[scale]
    return {"seeds": seeds, "epochs": epochs, "record_every": max(1, epochs // 50), "norms": list(norms)}


def _kept_config(preset_name: str) -> tuple[str, dict] | None:
    """The file and reference settings under which a recipe keeps the compact results of ``preset_name``."""
    if preset_name in FIG7_FILES:
        return FIG7_FILES[preset_name], fig7_config(preset_name, "reference")
    if preset_name == "fig8c":
        return FIG8C_FILE, fig8c_config("reference")
    return None


def reference_data(ctx, name: str, config: dict, run, *, always: bool = False):
    """The compact results of an experiment at the reference's sizes, or None.

    Read from OUT/data or the repository's ``figures/data`` when a file ``name`` holds exactly
    ``config`` (attribute ``experiment``); else computed by ``run(config)`` (a Dataset) and saved
    there when the main job runs at the reference's sizes (``--reference``) or ``always``; else
    None (the recipe then runs its reduced sizes). A quick run never reads or writes them.
    """
    if ctx.rnn.quick:
        return None
    saved = saved_data(ctx, name, config, attr="experiment")
    if saved is not None or not (always or ctx.rnn.scale == "reference"):
        return saved
    data = run(config)
    data.attrs["experiment"] = json.dumps(config)  # whatever ``run`` returns ("settings" stays the sweep's own)
    save_data(ctx, data, name)
    return data


def fig3_long_run(ctx, config: dict):
    """Fig 3a/b: lr 0.003 for ``config["epochs"]`` epochs over its seeds, with the ghost lag of every seed.

    Returns the compact Dataset: every seed's loss and gradient-norm records, its drop epoch, ghost
    epoch and lag (:func:`analysis.networks.flows.ghost_lag`; resolution ``checkpoint_every``), the
    ghost-on-path and fixed-point counts at every checkpoint, and the first seed's parameters at
    ``flow_epochs`` and at the checkpoints within ``drop_window`` epochs of its drop.
    """
    p = preset("fig3a")
    every, epochs = config["checkpoint_every"], config["epochs"]
    ds = train_sweep(p.model, p.task, lr=[config["lr"]], seeds=config["seeds"], epochs=epochs,
                     record_every=config["record_every"], checkpoints=range(0, epochs + 1, every),
                     out=cache_path(ctx, "rnn-fig3a", config), executor=ctx.executor)
    timeline = ghost_timeline(ds)
    lag = ghost_lag(ds, timeline)
    first = ds.isel(lr=0, seed=0)
    drop = float(first.drop_epoch)
    checkpoints = ds.checkpoint.values
    near = checkpoints[np.abs(checkpoints - drop) <= config["drop_window"]]
    kept = sorted(set(config["flow_epochs"]) | set(near.tolist()))
    params = [v for v in ds.data_vars if v.startswith("param_")]
    per_run = [v for v in ds.data_vars if "epoch" not in ds[v].dims and "checkpoint" not in ds[v].dims]
    compact = ds[["loss", "grad_norm", *per_run]].isel(lr=0)
    compact["flow_params_seed"] = int(ds.seed[0])
    for v in params:
        compact[v] = first[v].sel(checkpoint=kept)
    for key in ("ghost_epoch", "lag"):
        compact[key] = (("seed",), np.asarray(lag[key])[0])
    for key in ("ghost_on_path", "n_fixed"):
        compact[f"timeline_{key}"] = (("seed", "timeline_checkpoint"),
                                      timeline[key].values[0].astype(np.int8))
    compact = compact.assign_coords(timeline_checkpoint=checkpoints)
    compact.attrs["lag_resolution"] = float(lag["resolution"])
    compact.attrs["experiment"] = json.dumps(config)
    return compact


def fig3_short_run(ctx, config: dict):
    """Fig 3c/d: one run at lr 0.02, every epoch recorded, parameters kept within ``drop_window`` of the drop."""
    p = preset("fig3b")
    epochs = config["epochs"]
    ds = p.run(lr=[config["lr"]], seeds=[config["seed"]], epochs=epochs, record_every=1,
               checkpoints=list(range(0, epochs + 1)), out=cache_path(ctx, "rnn-fig3b", config))
    drop = float(ds.drop_epoch.squeeze())
    near = ds.checkpoint.values[np.abs(ds.checkpoint.values - drop) <= config["drop_window"]]
    return ds.sel(checkpoint=near).assign_attrs(experiment=json.dumps(config))


def fig3_data(ctx) -> tuple:
    """(long run, short run) of Fig 3: at the reference's sizes (computed once and kept), or quick."""
    runs = (("Fig 3a/b", fig3_long_run), ("Fig 3c/d", fig3_short_run))
    if ctx.rnn.quick:
        quick = {"Fig 3a/b": FIG3_QUICK, "Fig 3c/d": FIG3_SHORT | {"epochs": 4000}}
        return tuple(run(ctx, quick[name]) for name, run in runs)
    return tuple(reference_data(ctx, EXPERIMENTS[name][0], reference_configs()[name],
                                lambda c, run=run: run(ctx, c), always=True) for name, run in runs)


def fig6a_config(architecture: str) -> dict:
    """The reference's Fig 6A sweep of one architecture: its preset's 30 rates x 10 seeds, 200k epochs."""
    name, epochs = FIG6A[architecture]
    p = preset(name)
    return {"preset": name, "lr": list(p.lr), "seeds": list(p.seeds), "epochs": epochs,
            "record_every": FIG6A_RECORD_EVERY}


def fig6a_run(ctx, config: dict):
    """The Fig 6A sweep of ``config`` (cached, resumable), without its checkpoints: the compact results."""
    p = preset(config["preset"])
    ds = p.run(lr=config["lr"], seeds=config["seeds"], epochs=config["epochs"], record_every=config["record_every"],
               checkpoints=(), out=cache_path(ctx, f"rnn-fig6a-{config['preset']}", config), executor=ctx.executor)
    return ds.drop_vars([v for v in ds.data_vars if v.startswith("param_")])


def fig6a_data(ctx, architecture: str):
    """The reference-size Fig 6A sweep of ``architecture`` if kept (or run under ``--reference``), else None."""
    name = f"Fig 6A {architecture}"
    return reference_data(ctx, EXPERIMENTS[name][0], reference_configs()[name], lambda c: fig6a_run(ctx, c))


def reference_configs() -> dict[str, dict]:
    """The settings of every experiment of :data:`EXPERIMENTS` at the reference's sizes."""
    return {"Fig 3a/b": FIG3_LONG, "Fig 3c/d": FIG3_SHORT, "Fig 6A rank one": fig6a_config("rank one"),
            "Fig 6A full rank": fig6a_config("full rank")}


def reference_plan(ctx, figures=None) -> list[dict]:
    """Every experiment at the reference's sizes that ``--reference`` trains, of the main job's
    ``figures`` (names as in :data:`analysis.figures.runner.FIGURES`; all for None): its figure, its
    architecture, its size in network-epochs and whether its results are kept already (then it
    costs nothing).

    A network-epoch is one epoch of one network at the shape whose cost
    :func:`cost_per_network_epoch` measures (one trial of the 40 steps of Fig 6A); a task network's
    epoch counts trials x steps / 40 of them, so an estimate charges the work of its batch of trials.
    """
    shape = _trial_steps(preset(FIG6A["rank one"][0]))
    plan = []
    for name, config in reference_configs().items():
        file, architecture = EXPERIMENTS[name]
        rates = len(config["lr"]) if isinstance(config["lr"], list) else 1
        networks = rates * len(config.get("seeds", [config.get("seed")]))
        plan.append({"experiment": name, "figure": FIGURE_OF[name], "architecture": architecture,
                     "network_epochs": networks * config["epochs"],
                     "kept": saved_data(ctx, file, config, attr="experiment") is not None})
    for name, (figure, preset_name, architecture, runs) in RECIPE_EXPERIMENTS.items():
        p = preset(preset_name)
        work = len(p.lr) * len(p.seeds) * runs * p.epochs * _trial_steps(p) / shape
        kept_as = _kept_config(preset_name)
        kept = kept_as is not None and saved_data(ctx, *kept_as, attr="experiment") is not None
        plan.append({"experiment": name, "figure": figure, "architecture": architecture,
                     "network_epochs": work, "kept": kept})
    return plan if figures is None else [item for item in plan if item["figure"] in set(figures)]


def _trial_steps(p) -> int:
    return int(p.task.trials) * int(p.task.steps)


def cost_per_network_epoch(architecture: str, epochs: int = 300) -> float:
    """Seconds per network-epoch of ``architecture``'s Fig 6A sweep (300 networks), measured here:
    a warm-up sweep of ``epochs`` compiles it, a second one of the same shape is timed (its setup
    included, so the estimate errs long)."""
    if architecture not in FIG6A:
        raise ValueError(f"architecture must be one of {sorted(FIG6A)}, got {architecture!r}")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    p = preset(FIG6A[architecture][0])
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        p.run(lr=list(p.lr), seeds=list(p.seeds), epochs=epochs, record_every=epochs, progress=False)
        seconds.append(time.perf_counter() - start)
    return seconds[1] / (len(p.lr) * len(p.seeds) * epochs)


def estimate_reference_seconds(plan: list[dict], cost: dict[str, float]) -> float:
    """Seconds of training the experiments of ``plan`` that are not kept, at ``cost`` per network-epoch
    (by architecture, e.g. from :func:`cost_per_network_epoch`)."""
    return float(sum(item["network_epochs"] * cost[item["architecture"]] for item in plan if not item["kept"]))
