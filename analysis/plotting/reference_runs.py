"""Figures of the rank-one experiments at the reference's sizes: Fig 3a/b with its ghost lag, Fig 6A's losses."""

from __future__ import annotations

import json

import numpy as np
from matplotlib.figure import Figure

from ..networks.flows import rank_one_params
from ..networks.training import combination
from .networks import draw_latent_flow, finish_flow_axes
from .style import OKABE_ITO, axes_row, legend_below, viridis


def plot_long_rank_one_run(long, *, axes=None) -> Figure:
    """Fig 3a/b and the ghost lag over seeds, from :func:`analysis.figures.reference_runs.fig3_long_run`'s
    compact Dataset: the first seed's loss and gradient norm, its latent flow at the kept
    ``flow_epochs``, and every seed's ghost epoch (first checkpoint with a ghost on the trial's path)
    against its drop epoch (largest one-epoch decrease of the loss)."""
    if "ghost_epoch" not in long or "param_m" not in long:
        raise ValueError("plot_long_rank_one_run expects the compact Dataset of fig3_long_run")
    config = json.loads(long.attrs["experiment"])
    fig, (ax_loss, ax_flow, ax_lag) = axes_row(axes, 3, size=(16.0, 4.4))
    seed = int(long.flow_params_seed)
    run = long.sel(seed=seed)
    epochs = run.epoch.values
    drop = float(run.drop_epoch)
    ax_loss.semilogy(epochs, run.loss.values, color=OKABE_ITO["black"], lw=1, label="loss")
    ax_loss.semilogy(epochs, run.grad_norm.values, color=OKABE_ITO["sky"], lw=1, label="gradient norm")
    ax_loss.axvline(drop, color="0.4", ls=":", lw=1.2, label=f"drop (epoch {drop:.0f})")
    m, n, b = rank_one_params(long)
    checkpoints = long.checkpoint.values
    steps = 2 * int(combination(long, uniform=("T",))[1]["T"])
    colors = (OKABE_ITO["orange"], OKABE_ITO["vermillion"], OKABE_ITO["blue"])
    for epoch, color in zip(config["flow_epochs"], colors, strict=False):
        c = int(np.flatnonzero(checkpoints == epoch)[0])
        ax_loss.axvline(epoch, color=color, ls="--", lw=1, label=f"flow drawn: after {epoch} updates")
        draw_latent_flow(ax_flow, m[c], n[c], b[c], color=color, label=f"after {epoch} updates", steps=steps)
    ax_loss.set(xlabel="epoch", ylabel="loss (sum of squared errors / T), gradient norm",
                title=f"rank one, lr {config['lr']:g}, seed {seed}, {config['epochs']:,} epochs")
    ax_loss.title.set_fontsize(10)
    legend_below(ax_loss, ncols=2)
    finish_flow_axes(ax_flow, title=f"latent flow of seed {seed} (dots: the trial's steps)")
    drops, ghosts = long.drop_epoch.values, long.ghost_epoch.values
    ok = np.isfinite(ghosts)
    ax_lag.plot(drops[ok], ghosts[ok], "o", color=OKABE_ITO["vermillion"], ms=5,
                label=f"{ok.sum()} of {drops.size} seeds with a ghost on the path")
    known = np.concatenate([drops, ghosts])
    known = known[np.isfinite(known)]  # a run without a drop has none (NaN)
    span = np.array([0, (known.max() if known.size and known.max() > 0 else config["epochs"]) * 1.05])
    ax_lag.plot(span, span, color="0.5", lw=1, label="ghost epoch = drop epoch")
    lag = long.lag.values[ok]
    if lag.size:
        ax_lag.set_title(f"ghost epoch - drop epoch: median {np.median(lag):+.0f}, range [{lag.min():+.0f}, "
                         f"{lag.max():+.0f}]\n(resolution {long.attrs['lag_resolution']:.0f} epochs; > 0: the "
                         "ghost comes after the drop)", fontsize=9)
    ax_lag.set(xlabel="drop epoch (largest one-epoch loss decrease)",
               ylabel="ghost epoch (first ghost on the trial's path)", xlim=tuple(span), ylim=tuple(span))
    legend_below(ax_lag, ncols=1)
    return fig


def plot_loss_against_rate(ds, *, epochs, ax=None, title: str = "") -> Figure:
    """The reference's Fig 6A: mean +- SEM over seeds of the loss against the learning rate at several epochs.

    ``ds`` is a :func:`analysis.networks.train_sweep` result over (lr, seed) whose records include
    ``epochs``; the SEM is the standard deviation over seeds / sqrt(seeds).
    """
    fig, (ax,) = axes_row(None if ax is None else [ax], 1, size=(6.4, 4.0))
    recorded = ds.epoch.values
    missing = [e for e in epochs if e not in recorded]
    if missing:
        raise ValueError(f"epochs: {missing} are not among the recorded epochs of the sweep")
    lr = ds.lr.values
    seeds = ds.seed.size
    for i, epoch in enumerate(epochs):
        loss = ds.loss.sel(epoch=epoch).transpose("lr", "seed").values.astype(float)
        mean, sem = loss.mean(axis=1), loss.std(axis=1) / np.sqrt(seeds)
        color = viridis(i / max(len(epochs) - 1, 1))
        ax.plot(lr, mean, "o-", ms=3, lw=1.2, color=color, label=f"epoch {epoch:,}")
        ax.fill_between(lr, np.maximum(mean - sem, 1e-12), mean + sem, color=color, alpha=0.25, lw=0)
    ax.set(xscale="log", yscale="log", xlabel="learning rate", ylim=(1e-7, 3),
           ylabel=f"loss (sum of squared errors / T), mean +- SEM of {seeds} seeds",
           title=title or f"{ds.attrs['epochs']:,} epochs")
    ax.title.set_fontsize(9)
    legend_below(ax, ncols=3)
    return fig
