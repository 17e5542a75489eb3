"""Figures of the RNN experiments (matplotlib; each function takes ``axes=None`` and returns the Figure)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .flows import _params, latent_flow, latent_trajectory

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


def _axes_row(axes, n: int, size):
    if axes is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, fig.subplots(1, n)
    axes = list(np.ravel(axes))
    if len(axes) != n:
        raise ValueError(f"axes must hold {n} Axes, got {len(axes)}")
    return axes[0].figure, axes


def plot_ghost_lag(ds, timeline, lag: dict, *, run: tuple[int, int] | None = None, axes=None) -> Figure:
    """The ghost epoch against the drop epoch in rank-one networks.

    Left: one run's loss (log scale) with its drop epoch and ghost epoch marked. Middle: that run's
    latent flow dkappa/dt at the drop and at the ghost epoch, with the readout threshold kappa = 1
    and the trial's trajectory. Right: the lag (ghost epoch - drop epoch) of every run, per
    learning rate.
    """
    if "ghost_on_path" not in timeline or "lag" not in lag:
        raise ValueError("plot_ghost_lag expects ghost_timeline(ds) and ghost_lag(ds) results")
    fig, (ax_loss, ax_flow, ax_lag) = _axes_row(axes, 3, (14, 4.0))
    lags = np.asarray(lag["lag"])
    if run is None:
        finite = np.argwhere(np.isfinite(lags))
        if not finite.size:
            raise ValueError("no run has both a ghost on its path and a drop: nothing to show")
        run = tuple(finite[len(finite) // 2])
    i, j = run
    epochs = ds.epoch.values
    ax_loss.semilogy(epochs, ds.loss.values[i, j], color=OKABE_ITO[7], lw=1)
    drop, ghost = lag["drop_epoch"][i, j], lag["ghost_epoch"][i, j]
    ax_loss.axvline(drop, color=OKABE_ITO[1], ls="--", label=f"drop epoch {drop:.0f}")
    if np.isfinite(ghost):
        ax_loss.axvline(ghost, color=OKABE_ITO[0], ls=":", label=f"ghost epoch {ghost:.0f}")
    ax_loss.set(xlabel="epoch", ylabel="loss (sum of squared errors / T)",
                title=f"one run: lr = {ds.lr.values[i]:.3g}, seed {ds.seed.values[j]}")
    ax_loss.legend(frameon=False, fontsize=8)

    m, n, b = _params(ds)
    checkpoints = timeline.checkpoint.values
    kappa = np.linspace(-6, 6, 600)
    for epoch, color, name in ((drop, OKABE_ITO[1], "at the drop"), (ghost, OKABE_ITO[0], "at the ghost epoch")):
        if not np.isfinite(epoch):
            continue
        c = int(np.argmin(np.abs(checkpoints - epoch)))
        f, _, _ = latent_flow(m[i, j, c], n[i, j, c], b[i, j, c], kappa)
        ax_flow.plot(kappa, f, color=color, label=f"{name} (epoch {checkpoints[c]})")
        path = latent_trajectory(m[i, j, c], n[i, j, c], b[i, j, c])
        fp, _, _ = latent_flow(m[i, j, c], n[i, j, c], b[i, j, c], path)
        ax_flow.plot(path, fp, "o", ms=2.5, color=color, alpha=0.6)
    ax_flow.axhline(0, color="0.6", lw=0.8)
    ax_flow.axvline(1.0, color=OKABE_ITO[4], ls="--", lw=1, label="readout threshold kappa = 1")
    ax_flow.set(xlabel="latent kappa = n.x", ylabel="dkappa/dt (units of tau)", ylim=(-1, 3),
                title="latent flow (dots: the trial's 40 steps)")
    ax_flow.legend(frameon=False, fontsize=8)

    for k in range(ds.lr.size):
        values = lags[k].ravel()
        values = values[np.isfinite(values)]
        if values.size:
            jitter = np.linspace(-0.15, 0.15, values.size)
            ax_lag.plot(k + jitter, values, "o", color=OKABE_ITO[k % 7], ms=4, alpha=0.8)
    ax_lag.axhline(0, color="0.5", lw=0.8)
    ax_lag.set_xticks(range(ds.lr.size), [f"{v:.3g}" for v in ds.lr.values])
    seeds = ds.seed.size
    ax_lag.set(xlabel="learning rate", ylabel="ghost epoch - drop epoch (> 0: ghost later)",
               title=f"lag per run ({seeds} seeds per rate)")
    return fig
