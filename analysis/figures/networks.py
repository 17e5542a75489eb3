"""Recipes of the network figures (11, 13-20): networks trained by the hundred, their ghosts and remedies.

Each recipe returns ``(figure, summary entries)``. Every sweep is cached under ``OUT/.cache``
(NetCDF, resumable), keyed by its settings, so a rerun reuses it. :class:`~.context.RNNSettings`
holds the sizes: the full run uses the reference's settings where they fit the 30-minute budget
of the main job on two cores and says in each figure's title (and in summary.json) where it runs
a reduced version; ``--quick`` shrinks everything further.
"""

from __future__ import annotations

import json

import numpy as np
from matplotlib.figure import Figure

from ..descent import fit_power_law
from ..networks import DelayedActivationRNN, checkpoint_params, delayed_activation, preset, train_sweep
from ..networks.flows import dwell_time, ghost_lag, ghost_timeline, lag_summary, rank_one_params, trapped_flows
from ..networks.mapping import measured_critical_rate, predicted_critical_rate
from ..networks.presets import RANKS
from ..networks.remedies import ABLATION_GAINS, gain_ablation, learnable_gain, rank_remedy, readout_normalization
from ..networks.scaling import network_critical_rates
from ..plotting import (
    plot_gain_ablation,
    plot_ghost_lag,
    plot_latent_flow_map,
    plot_learnable_gain,
    plot_long_rank_one_run,
    plot_loss_against_rate,
    plot_network_scaling,
    plot_network_slow_points_pca,
    plot_rank_one_run,
    plot_rank_remedy,
    plot_readout_normalization,
    plot_regime_fractions,
)
from ..regimes import REGIMES, TRAPPED
from .context import cache_dir, cache_path, finite_or_none, scale_entry
from .reduced_model import eta_a_diagram
from .reference_runs import FIG8C_FILE, LOSS_EPOCHS, fig3_data, fig6a_data, fig8c_config, reference_data


def fig_rnn_ghost_lag(ctx):
    """Rank-one networks on delayed activation: when does a ghost appear relative to the drop?"""
    summary = {}
    quick = ctx.settings.quick
    lr = [0.004, 0.008] if quick else [0.002, 0.004, 0.008, 0.016]
    seeds, epochs, every = (4, 20_000, 100) if quick else (10, 60_000, 50)
    ds = train_sweep(DelayedActivationRNN(), delayed_activation(20), lr=lr, seeds=seeds, epochs=epochs,
                     record_every=100, checkpoints=range(0, epochs + 1, every),
                     out=cache_path(ctx, "rnn-ghost-lag", [lr, seeds, epochs, every]))
    timeline = ghost_timeline(ds)
    lag = ghost_lag(ds, timeline)
    per_lr = {f"{v:.3g}": lag_summary({k: (a[i] if isinstance(a, np.ndarray) else a) for k, a in lag.items()})
              for i, v in enumerate(ds.lr.values)}
    trapped = trapped_flows(ds, timeline)
    summary["rnn_ghost_lag"] = {
        "network": "rank one, N = 100, delayed activation T = 20, SGD", "epochs": epochs,
        "checkpoint_every": every, "all": lag_summary(lag), "per_lr": per_lr,
        "trapped_runs": {"runs": trapped["runs"],
                         "fixed_points_at_end": np.unique(trapped["n_fixed"]).tolist(),
                         "trajectory_end_max": float(np.max(trapped["kappa_end"])) if trapped["runs"] else None,
                         "ghost_on_path": int(np.sum(trapped["ghost_on_path"]))},
    }
    summary["rnn_critical_rate"] = _rnn_critical_rate(ctx, ds.sel(lr=[lr[1]]))
    summary["rnn_dwell"] = _rnn_dwell(ds, timeline)
    summary["scale"] = scale_entry(
        {"ghost lag": ({"epochs": epochs, "seeds": seeds, "rates": len(lr)}, None)},
        note="the reference never times the ghost against the drop; its own run (Fig 3a, lr 0.003, 500k epochs) "
             "is timed in figure 13")
    return plot_ghost_lag(ds, timeline, lag), summary


def _rnn_dwell(ds, timeline, half_width: float = 0.5) -> dict:
    """Dwell of the network's own update in every ghost on the path at the last checkpoint."""
    m, n, b = (a[..., -1, :] for a in rank_one_params(ds))
    on = timeline["ghost_on_path"].values[..., -1]
    if not on.any():
        return {"ghosts": 0}
    d = dwell_time(m[on], n[on], b[on], timeline["ghost_kappa"].values[..., -1][on], half_width)
    ok = np.isfinite(d["measured"])
    crossing = d["measured"][ok] / d["predicted_crossing"][ok]
    full = d["measured"][ok] / d["passage_time"][ok]
    return {"ghosts": int(on.sum()), "measured": int(ok.sum()), "half_width": half_width,
            "measured_over_crossing_median": float(np.median(crossing)),
            "measured_over_crossing_range": [float(crossing.min()), float(crossing.max())],
            "measured_over_pi_over_sqrt_r_median": float(np.median(full)),
            "r_eff_range": [float(d["r_eff"][ok].min()), float(d["r_eff"][ok].max())]}


def _rnn_critical_rate(ctx, learned) -> dict:
    """The reduced model's prediction of the rank-one network's critical rate against a sweep's onset."""
    sweep = _rank_one_lr_sweep(ctx)
    lr, seeds, epochs = sweep.lr.values, sweep.seed.size, int(sweep.attrs["epochs"])
    predicted = predicted_critical_rate(learned)
    measured = measured_critical_rate(sweep)
    return {
        "learned_networks": {"lr": float(learned.lr.values[0]), "epochs": int(learned.attrs["epochs"]),
                             "runs_used": predicted["runs_used"]},
        "delay_tau": predicted["delay_tau"], "r_star": predicted["r_star"],
        "r_eff_median": float(np.median(predicted["r_eff"])) if predicted["runs_used"] else None,
        "eta_r_c": predicted["eta_r_c"],
        "predicted_median": predicted["median"], "predicted_spread": list(predicted["spread"]),
        "measured_onset": _finite_or_none([measured["lower"], measured["upper"]]),
        **({"measured_onset_undefined_because": measured["reason"]} if measured["reason"] else {}),
        "measured_sweep": {"lr": [float(lr[0]), float(lr[-1]), len(lr)], "seeds": seeds, "epochs": epochs},
        "ratio_predicted_to_measured_upper": (predicted["median"] / measured["upper"]
                                              if np.isfinite(measured["upper"]) else None),
    }


def _rank_one_lr_sweep(ctx):
    """The rank-one learning-rate sweep of Fig 6A: at the reference's 200k epochs where those
    results are kept (:mod:`.reference_runs`), else at 30k epochs (cached)."""
    kept = fig6a_data(ctx, "rank one")
    if kept is not None:
        return kept
    lr, seeds, epochs = ((np.logspace(-2.5, -1, 8), 4, 10_000) if ctx.settings.quick
                         else (np.logspace(-4, -1, 30), 10, 30_000))
    return train_sweep(DelayedActivationRNN(), delayed_activation(20), lr=lr, seeds=seeds, epochs=epochs,
                       record_every=1000, out=cache_path(ctx, "rnn-lr-sweep", [lr.tolist(), seeds, epochs]),
                       executor=ctx.executor)


SHORT_RUN_OFFSETS = (-7, 0, 3)
"""Flows of Fig 3c/d relative to the drop: the spacing of the reference's epochs 5156, 5163 and 5166."""


def fig_rnn_rank_one_run(ctx):
    """Fig 3 at the reference's sizes: lr 0.003 for 500k epochs (20 seeds, for the ghost lag) and lr 0.02."""
    long, short = fig3_data(ctx)
    fig = Figure(figsize=(16.5, 9.8), layout="constrained")
    top, bottom = fig.subplots(2, 3)
    plot_long_rank_one_run(long, axes=top)
    plot_rank_one_run(short, offsets=SHORT_RUN_OFFSETS, zoom=25, axes=bottom)
    long_config, short_config = (json.loads(d.attrs["experiment"]) for d in (long, short))
    lag = {k: long[k].values for k in ("ghost_epoch", "drop_epoch", "lag")} | {
        "resolution": float(long.attrs["lag_resolution"])}
    run = short.isel(lr=0, seed=0)
    summary = {"rnn_rank_one_run": {
        "long": {"lr": long_config["lr"], "epochs": long_config["epochs"], "seeds": long.seed.values.tolist(),
                 "regimes": [REGIMES[int(k)] for k in long.regime.values],
                 "drop_epoch": long.drop_epoch.values.tolist(), "ghost_epoch": _finite_or_none(
                     long.ghost_epoch.values.tolist()),
                 "ghost_lag": lag_summary(lag)},
        "short": {"lr": short_config["lr"], "seed": int(run.seed), "epochs": short_config["epochs"],
                  "drop_epoch": float(run.drop_epoch), "final_loss": float(run.final_loss),
                  "regime": REGIMES[int(run.regime)],
                  "flows_at": [int(float(run.drop_epoch) + o) for o in SHORT_RUN_OFFSETS]},
        "reference": "lr 0.02, seed 40 (PyTorch): drop at epochs 5156-5166"}}
    summary["scale"] = scale_entry({
        "Fig 3a/b": ({"epochs": long_config["epochs"], "seeds": long.seed.size}, {"epochs": 500_000, "seeds": 1}),
        "Fig 3c/d": ({"epochs": short_config["epochs"], "seeds": 1}, {"epochs": 6000, "seeds": 1})},
        note="Fig 3a/b with 20 seeds (the reference's seed 40 and 19 more) for the ghost lag")
    return fig, summary


def _full_rank_lr_sweep(ctx):
    kept = fig6a_data(ctx, "full rank")
    if kept is not None:
        return kept
    p = preset("fig6a-full")
    lr, seeds, epochs = ctx.rnn.pick((np.logspace(-4, 1, 6), 2, 2000), (np.logspace(-4, 1, 16), 5, 10_000))
    return p.run(lr=lr.tolist(), seeds=seeds, epochs=epochs, record_every=max(1, epochs // 200),
                 out=cache_path(ctx, "rnn-full-lr-sweep", [lr.tolist(), seeds, epochs]), executor=ctx.executor)


def fig_rnn_lr_sweeps(ctx):
    """Fig 6A: regime fractions and the mean loss at several epochs against the learning rate."""
    summary = {}
    fig = Figure(figsize=(12.5, 8.6), layout="constrained")
    (left, right), (left_loss, right_loss) = fig.subplots(2, 2)
    rank_one = _rank_one_lr_sweep(ctx)
    full = _full_rank_lr_sweep(ctx)
    for ds, ax, ax_loss, name in ((rank_one, left, left_loss, "rank one (readout gain 10)"),
                                  (full, right, right_loss, "full rank, trainable readout")):
        size = f"{ds.attrs['epochs']:,} epochs, {ds.seed.size} seeds, {ds.lr.size} rates"
        plot_regime_fractions(ds, ax=ax, title=f"{name}: {size}")
        recorded = ds.epoch.values  # the reference's epochs, or the nearest records of a shorter sweep
        epochs = sorted({int(recorded[np.argmin(np.abs(recorded - e))]) for e in LOSS_EPOCHS
                         if e <= recorded[-1] + 1}) or [int(recorded[-1])]  # a sweep shorter than 10k: its end
        plot_loss_against_rate(ds, epochs=epochs, ax=ax_loss,
                               title=f"{name}: mean loss at the reference's epochs\n(10k-200k, or the last record)")
        ax.title.set_fontsize(8.5)
    summary["rnn_lr_sweeps"] = {
        name: {"lr": ds.lr.values.tolist(), "epochs": int(ds.attrs["epochs"]), "seeds": int(ds.seed.size),
               "fraction_trapped": (ds.regime == TRAPPED).mean("seed").values.tolist(),
               "fraction_learned_reference": ds.learned_reference.astype(float).mean("seed").values.tolist()}
        for name, ds in (("rank_one", rank_one), ("full_rank", full))}
    reference = {"epochs": 200_001, "seeds": 10, "rates": 30}
    summary["scale"] = scale_entry({label: (_sizes(ds), reference)
                                    for label, ds in (("rank one", rank_one), ("full rank", full))})
    return fig, summary


def _sizes(ds) -> dict:
    """Epochs, seeds and rates of a train_sweep result, for :func:`.context.scale_entry`."""
    return {"epochs": int(ds.attrs["epochs"]), "seeds": int(ds.seed.size), "rates": int(ds.lr.size)}


def _k2_run(ctx, name: str):
    """A rank-2 network of Fig 4: at the reference's sizes (its preset: 500 trials per class) under
    ``--reference``; by default fewer trials per class (the trials differ only by their noise) and,
    for cue discrimination, lr 3e-3 for 20k epochs instead of 1e-3 for 100k."""
    p = preset(name)
    reference = (p.task.params["trials_per_class"], p.epochs, p.lr[0])
    if name == "fig4-dcdt":
        per_class, epochs, lr = ctx.rnn.pick((10, 2000, 1e-2), (50, 20_000, 3e-3), reference)
        checkpoints = ctx.rnn.pick((0, 500, 1000, 1500, 2000), (0, 4000, 8000, 14_000, 20_000), p.checkpoints)
    else:
        per_class, epochs, lr = ctx.rnn.pick((10, 2000, p.lr[0]), (25, p.epochs, p.lr[0]), reference)
        checkpoints = ctx.rnn.pick((0, 400, 1000, 1600, 2000), p.checkpoints)
    task = p.task.with_trials_per_class(per_class)
    ds = p.with_task(task).run(lr=[lr], epochs=epochs, checkpoints=list(checkpoints),
                               record_every=max(1, epochs // 500),
                               out=cache_path(ctx, f"rnn-{name}", [per_class, epochs, lr]))
    return p, task, ds


def fig_rnn_flow_maps(ctx):
    """Latent flow maps of rank-2 networks on cue discrimination and match-to-sample at 4 epochs."""
    summary = {}
    panels = ctx.rnn.pick(2, 4)  # each panel is a slow-point search: --quick shows two epochs per task
    fig = Figure(figsize=(5.5 * panels, 10), layout="constrained")
    rows = fig.subplots(2, panels)
    info = {}
    for row, name in zip(rows, ("fig4-dcdt", "fig4-dmts"), strict=True):
        p, task, ds = _k2_run(ctx, name)
        picks = ds.checkpoint.values[-panels:] if panels == 4 else ds.checkpoint.values[[1, -1]]
        params = checkpoint_params(ds)
        for ax, epoch in zip(row, picks, strict=True):
            i = int(np.flatnonzero(ds.checkpoint.values == epoch)[0])
            acc = float(ds.accuracy.isel(lr=0, seed=0).sel(epoch=min(epoch, int(ds.epoch[-1])), method="nearest"))
            plot_latent_flow_map(p.model, {k: v[i] for k, v in params.items()}, task, ax=ax,
                                 title=f"{task.name.replace('_', ' ')}, epoch {epoch} (accuracy {acc:.2f})")
        info[name] = {"lr": float(ds.lr[0]), "epochs": int(ds.attrs["epochs"]), "trials": int(task.trials),
                      "checkpoints": picks.tolist(), "final_accuracy": float(ds.final_accuracy.squeeze())}
    summary["rnn_flow_maps"] = info
    summary["scale"] = scale_entry(
        {"cue discrimination": ({"epochs": info["fig4-dcdt"]["epochs"], "trials": info["fig4-dcdt"]["trials"]},
                                {"epochs": preset("fig4-dcdt").epochs, "trials": preset("fig4-dcdt").task.trials}),
         "match-to-sample": ({"epochs": info["fig4-dmts"]["epochs"], "trials": info["fig4-dmts"]["trials"]},
                             {"epochs": preset("fig4-dmts").epochs, "trials": preset("fig4-dmts").task.trials})},
        note="" if ctx.rnn.scale == "reference" else "cue discrimination at lr 3e-3 instead of the reference's 1e-3")
    return fig, summary


def fig_rnn_slow_points(ctx):
    """Slow points of full-rank networks near their trials' trajectories, in PCA space, at 4 epochs."""
    summary = {}
    panels = ctx.rnn.pick(2, 4)
    fig = Figure(figsize=(4.25 * panels, 8), layout="constrained")
    rows = fig.subplots(2, panels)
    info = {}
    for row, name in zip(rows, ("fig5-dcdt", "fig5-dmts"), strict=True):
        p = preset(name)
        epochs = ctx.rnn.pick(2000 if name == "fig5-dcdt" else 3000, p.epochs)
        checkpoints = [c for c in p.checkpoints if c <= epochs] if not ctx.rnn.quick else [epochs // 10, epochs]
        seeds = ctx.rnn.pick([0], [0], list(p.seeds))  # the panels draw the first seed's slow points
        ds = p.run(seeds=seeds, epochs=epochs, checkpoints=checkpoints, record_every=max(1, epochs // 500),
                   out=cache_path(ctx, f"rnn-{name}", [epochs, checkpoints] + ([seeds] if len(seeds) > 1 else [])))
        kept = checkpoint_params(ds)
        params = {int(e): {k: v[i] for k, v in kept.items()}
                  for i, e in enumerate(ds.checkpoint.values)}
        plot_network_slow_points_pca(p.model, params, p.task, axes=row)
        row[0].set_title(f"{p.task.name.replace('_', ' ')}: {row[0].get_title()}")
        info[name] = {"epochs": epochs, "checkpoints": ds.checkpoint.values.tolist(), "seeds": seeds,
                      "final_accuracy": ds.final_accuracy.isel(lr=0).values.tolist()}
    summary["rnn_slow_points"] = info
    summary["scale"] = scale_entry({
        name.removeprefix("fig5-"): ({"epochs": info[name]["epochs"], "seeds": len(info[name]["seeds"])},
                                     {"epochs": preset(name).epochs, "seeds": 3}) for name in info})
    return fig, summary


def fig_rnn_rank_remedy(ctx):
    """Fraction of networks that learn against the trainable rank (reduced version of Fig 6B)."""
    summary = {}
    reference = preset("fig6b-rank")
    ranks, lr, seeds, epochs = ctx.rnn.pick(((1, 100), np.logspace(-2, 0, 3), 2, 2000),
                                            ((1, 2, 5, 10, 100), np.logspace(-3, 0, 10), 3, 20_000),
                                            (RANKS, np.asarray(reference.lr), len(reference.seeds), reference.epochs))
    ds = rank_remedy(ranks=ranks, lr=lr.tolist(), seeds=seeds, epochs=epochs,
                     out_dir=cache_dir(ctx, "rnn-rank-remedy"), executor=ctx.executor)
    summary["rnn_rank_remedy"] = {"ranks": list(ranks), "lr": lr.tolist(), "seeds": seeds, "epochs": epochs,
                                      "fraction_learned": ds.fraction_learned.values.tolist(),
                                      "reference": "ranks 1-100 (9 values), 10 seeds, 500k epochs"}
    used = {"epochs": epochs, "seeds": seeds, "rates": len(lr), "ranks": len(ranks)}
    summary["scale"] = scale_entry({"Fig 6B": (used, {"epochs": 500_000, "seeds": 10, "rates": 10, "ranks": 9})})
    return plot_rank_remedy(ds), summary


def fig_rnn_gain_ablation(ctx):
    """Lowering the gain of trapped rank-one networks, beside the reduced model's trap against a."""
    summary = {}
    seeds, gains = ctx.rnn.pick((20, ABLATION_GAINS[::3]), (100, ABLATION_GAINS))
    ds = gain_ablation(seeds=seeds, gains=gains, out_dir=cache_dir(ctx, "rnn-gain-ablation"), executor=ctx.executor)
    trapped = ds.trapped.values
    end = ds.accuracy.isel(epoch=-1).values[:, trapped]
    summary["rnn_gain_ablation"] = {
        "seeds": seeds, "trapped_runs": int(trapped.sum()), "gains": ds.gain.values.tolist(),
        "final_accuracy_mean": end.mean(axis=1).tolist() if trapped.any() else None,
        "final_grad_norm_mean": ds.grad_norm.isel(epoch=-1).values[:, trapped].mean(axis=1).tolist()
        if trapped.any() else None}
    summary["scale"] = scale_entry({"Fig 8B": ({"seeds": seeds, "gains": len(gains)}, {"seeds": 100, "gains": 30})})
    return plot_gain_ablation(ds, eta_a_diagram(ctx)), summary


def _readout_normalization(ctx, config: dict):
    """Fig 8C's readout normalisation at ``config`` (:func:`fig8c_config`), its sweeps cached per setting."""
    return readout_normalization(seeds=config["seeds"], epochs=config["epochs"], record_every=config["record_every"],
                                 norms=config["norms"], executor=ctx.executor,
                                 out_dir=cache_dir(ctx, "rnn-readout-normalization", [config["seeds"]]))


def fig_rnn_confidence(ctx):
    """The two other confidence remedies: a learnable gain restarted at 1, and a normalised readout."""
    summary = {}
    fig = Figure(figsize=(16, 4.2), layout="constrained")
    axes = fig.subplots(1, 3)
    seeds, epochs = ctx.rnn.pick(((40, 41), 3000), (tuple(range(40, 50)), 10_000))
    gain = learnable_gain(seeds=seeds, epochs=epochs, out_dir=cache_dir(ctx, "rnn-learnable-gain"),
                          executor=ctx.executor)
    plot_learnable_gain(gain, axes=axes[:2])
    norm = reference_data(ctx, FIG8C_FILE, fig8c_config("reference"), lambda c: _readout_normalization(ctx, c))
    if norm is None:
        norm = _readout_normalization(ctx, fig8c_config(ctx.rnn.scale))
    norm_seeds, norm_epochs = norm.seed.size, int(norm.attrs["switch_epoch"])
    plot_readout_normalization(norm, ax=axes[2])
    switch = int(gain.attrs["switch_epoch"])
    summary["rnn_confidence"] = {
        "learnable_gain": {"seeds": list(seeds), "epochs_per_phase": epochs,
                           "loss_before_restart": gain.loss.sel(epoch=switch - 1, method="nearest").values.tolist(),
                           "final_loss": gain.loss.isel(epoch=-1).values.tolist(),
                           "gain_before_restart": gain.c.values[:, gain.checkpoint.size // 2 - 1].tolist(),
                           "final_gain": gain.c.values[:, -1].tolist()},
        "readout_normalization": {"seeds": norm_seeds, "epochs_per_phase": norm_epochs,
                                  "norms": [None if np.isinf(c) else float(c) for c in norm.norm.values],
                                  "final_accuracy_mean": norm.accuracy.isel(epoch=-1).mean("seed").values.tolist()}}
    summary["scale"] = scale_entry({
        "learnable gain": ({"epochs_per_phase": epochs, "seeds": len(seeds)}, None),
        "readout normalisation (Fig 8C)": ({"epochs_per_phase": norm_epochs, "seeds": norm_seeds,
                                            "norms": int(norm.norm.size)},
                                           {"epochs_per_phase": 10_000, "seeds": 100, "norms": 5})},
        note="the reference's learnable-gain run gives no seed count, so that part has no reference sizes here")
    return fig, summary


def fig_rnn_scaling(ctx):
    """The critical learning rate against the delay in networks, with fitted exponents."""
    summary = {}
    rank_one = preset("fig6a-rank-one")
    full = preset("fig5-dcdt")
    one = ctx.rnn.pick(dict(delays=(10, 20, 40), lr=np.logspace(-3, -0.5, 10), seeds=2, epochs=5000, refinements=0),
                       dict(delays=(10, 12, 14, 17, 20, 24, 28, 34, 40), lr=np.logspace(-3.5, -0.5, 19), seeds=5,
                            epochs=20_000, refinements=1))
    many = ctx.rnn.pick(dict(delays=(5, 20), lr=np.logspace(-2, 1, 7), seeds=2, epochs=1000, refinements=0),
                        dict(delays=(5, 7, 10, 14, 20, 28, 40), lr=np.logspace(-3, 1, 13), seeds=5, epochs=3000,
                             refinements=1))
    results, info = {}, {}
    families = [("rank one, delayed activation (trapping onset)", rank_one, one, "trapped"),
                ("full rank, cue discrimination (no-learning onset)", full, many, "no_learning")]
    for label, p, cfg, onset in families[:1] if ctx.rnn.quick else families:
        ds = network_critical_rates(p.model, p.task, cfg["delays"], lr=cfg["lr"], seeds=cfg["seeds"],
                                    epochs=cfg["epochs"], refinements=cfg["refinements"], onset=onset,
                                    out_dir=cache_dir(ctx, "rnn-scaling"), executor=ctx.executor)
        ok = np.isfinite(ds.upper.values)
        fit = fit_power_law(ds.delay_tau.values[ok], ds.upper.values[ok]) if ok.sum() >= 3 else None
        if fit is not None:
            results[label] = (ds.isel(delay=np.flatnonzero(ok)), fit)
        info[label] = {"delays_steps": list(cfg["delays"]), "delay_tau": ds.delay_tau.values.tolist(),
                       "onset_lower": _finite_or_none(ds.lower.values), "onset_upper": _finite_or_none(ds.upper.values),
                       "undefined_because": [str(r) for r in ds.reason.values],
                       "seeds": cfg["seeds"], "epochs": cfg["epochs"], "onset": onset,
                       "exponent": None if fit is None else fit.exponent,
                       "ci95": None if fit is None else list(fit.ci)}
    summary["rnn_scaling"] = info | {"companion_exponents": {"no-learning onset": [-2.72, 0.07],
                                                                 "slow-point midpoint": [-4.05, 0.10]},
                                         "reduced_model_exponent_on_r": -4}
    summary["scale"] = scale_entry({label: ({"epochs": i["epochs"], "seeds": i["seeds"],
                                             "delays": len(i["delays_steps"])}, None) for label, i in info.items()},
                                   note="this project's scan; the companion study's sweep (30 rates x 20 delays x 100 "
                                        "seeds, momentum 0.9) is a different experiment")
    if not results:  # say so in the figure rather than stop the main job
        fig = Figure(figsize=(6.6, 4.6), layout="constrained")
        ax = fig.subplots()
        reasons = "; ".join(f"{label}: {sorted(set(i['undefined_because']) - {''}) or 'fewer than 3 delays'}"
                            for label, i in info.items())
        ax.text(0.5, 0.5, f"no network family has a defined onset at 3 or more delays\n({reasons})", ha="center",
                va="center", wrap=True, fontsize=8, transform=ax.transAxes)
        ax.set(xlabel="delay (tau)", ylabel="critical learning rate", xticks=[], yticks=[])
        return fig, summary
    return plot_network_scaling(results), summary


def _finite_or_none(values) -> list:
    """A list for summary.json: NaN (undefined) and inf (no onset in range) become None."""
    return [finite_or_none(v) for v in np.asarray(values, dtype=float)]
