"""Slow points of any network: its trajectories with fixed points and ghosts in principal components,
and a :class:`~analysis.ghosts.SlowPointTracker`'s timeline of the loss, the ghost and the counts."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from .style import OKABE_ITO, RUN_COLORS, axes_row, legend_below, log_axis_labels, new_axes

# fixed points by stability: filled when they attract, open when they repel, half when a saddle
STABILITY_STYLE = {
    "stable": dict(marker="o", ms=8, mfc="black", mec="black"),
    "unstable": dict(marker="o", ms=8, mfc="white", mec="black"),
    "saddle": dict(marker="o", ms=8, fillstyle="left", mfc="black", mec="black", mfcalt="white"),
    "marginal": dict(marker="s", ms=7, mfc="white", mec="black"),
    "non-isolated": dict(marker="s", ms=7, mfc="0.6", mec="black"),
}
SLOW_STYLE = dict(marker="D", ms=5, mfc=OKABE_ITO["sky"], mec="black", ls="none")


def principal_axes(trajectories) -> tuple[np.ndarray, np.ndarray]:
    """(mean, first two principal directions) of states of shape (..., n), n >= 2."""
    states = np.asarray(trajectories, dtype=float)
    states = states.reshape(-1, states.shape[-1])
    if states.shape[-1] < 2 or len(states) < 2 or not np.all(np.isfinite(states)):
        raise ValueError(f"trajectories must be finite states of shape (..., n) with n >= 2 and at least two states, "
                         f"got shape {np.shape(trajectories)}")
    mean = states.mean(axis=0)
    return mean, np.linalg.svd(states - mean, full_matrices=False)[2][:2]


def plot_slow_points_pca(points, trajectories, *, ax=None, basis=None, labels=None, title: str = "",
                         colorbar: bool = True) -> Figure:
    """Trajectories and slow points in the trajectories' first two principal components.

    Parameters
    ----------
    points : SlowPoints
        What :func:`analysis.ghosts.find_slow_points` found (of a state of the same size).
    trajectories : array_like, shape (steps, trials, n) or (steps, n)
        The network's own states; each trial is drawn as a line.
    ax : matplotlib Axes, optional
    basis : (mean, components), optional
        The projection (e.g. :func:`principal_axes` of several epochs' states, to share axes).
    labels : sequence of str, optional
        One label per trial for the legend.
    title : str
    colorbar : bool
        A colour bar of the ghosts' r_eff; without it (small panels) the legend gives their range.

    Returns
    -------
    Figure
        Fixed points by stability (filled: stable, open: unstable, half: saddle), ghosts as stars
        coloured by their r_eff (log scale, colour bar), other slow points as diamonds.
    """
    fig, ax = new_axes(ax, size=(5.4, 4.2))
    states = np.asarray(trajectories, dtype=float)
    if states.ndim == 2:
        states = states[:, None]
    if states.ndim != 3 or states.shape[-1] != points.x.shape[1]:
        raise ValueError(f"trajectories must have shape (steps, trials, {points.x.shape[1]}) or (steps, "
                         f"{points.x.shape[1]}), got {np.shape(trajectories)}")
    mean, pcs = principal_axes(states) if basis is None else basis
    for trial in range(states.shape[1]):
        proj = (states[:, trial] - mean) @ pcs.T
        label = (labels[trial] if labels is not None else f"trial {trial}") if trial < 6 else None
        ax.plot(proj[:, 0], proj[:, 1], "-", lw=1.1, color=RUN_COLORS[trial % len(RUN_COLORS)], label=label)
        ax.plot(proj[0, 0], proj[0, 1], ".", color=RUN_COLORS[trial % len(RUN_COLORS)], ms=5)
    for label, style in STABILITY_STYLE.items():
        sel = (points.kind == "fixed point") & (points.stability == label)
        if sel.any():
            proj = (points.x[sel] - mean) @ pcs.T
            ax.plot(proj[:, 0], proj[:, 1], ls="none", label=f"{label} fixed point ({int(sel.sum())})", **style)
    ghosts = points.kind == "ghost"
    if ghosts.any():
        proj = (points.x[ghosts] - mean) @ pcs.T
        r = points.r_eff[ghosts]
        span = f"{r.min():.2g}" if r.min() == r.max() else f"{r.min():.2g}-{r.max():.2g}"
        scatter = ax.scatter(proj[:, 0], proj[:, 1], c=r, cmap="viridis", marker="*", s=220, edgecolors="black",
                             norm=LogNorm(vmin=r.min(), vmax=max(r.max(), r.min() * 1.01)), zorder=5,
                             label=f"ghost ({int(ghosts.sum())})" + ("" if colorbar else f", r_eff {span}"))
        unit = "steps" if points.time == "discrete" else "time units"
        if colorbar:
            fig.colorbar(scatter, ax=ax, label=f"ghost r_eff (passage pi/sqrt(r_eff) {unit})")
    slow = points.kind == "slow point"
    if slow.any():
        proj = (points.x[slow] - mean) @ pcs.T
        ax.plot(proj[:, 0], proj[:, 1], label=f"slow point ({int(slow.sum())})", **SLOW_STYLE)
    ax.set(xlabel="PC 1 of the states", ylabel="PC 2", title=title or "slow points and trajectories")
    legend_below(ax, ncols=2)
    return fig


def plot_ghost_tracker(tracker, *, axes=None) -> Figure:
    """A tracker's timeline: the loss with its drop epoch, the slowest ghost's r_eff with the ghost
    epoch, and the number of fixed points (stable and not) and ghosts at every update."""
    ds = tracker.to_xarray() if hasattr(tracker, "to_xarray") else tracker
    fig, (ax_loss, ax_ghost, ax_count) = axes_row(axes, 3, size=(14.0, 3.8))
    epochs = ds["update"].size and ds["epoch"].values
    logged = ds["logged_loss"].values
    if logged.size:
        ax_loss.semilogy(ds["logged_epoch"].values, logged, color=OKABE_ITO["blue"], lw=1.1, label="loss")
    drop, ghost = ds.attrs["drop_epoch"], ds.attrs["ghost_epoch"]
    for ax in (ax_loss, ax_ghost, ax_count):
        if np.isfinite(drop):
            ax.axvline(drop, color=OKABE_ITO["black"], ls="--", lw=1.1, label=f"drop epoch {drop:.0f}")
        if np.isfinite(ghost):
            ax.axvline(ghost, color=OKABE_ITO["vermillion"], ls=":", lw=1.6, label=f"ghost epoch {ghost:.0f}")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    log_axis_labels(ax_loss)
    r = ds["ghost_r_eff"].values
    on = ds["ghost_on_path"].values.astype(bool)
    unit = "steps" if ds.attrs.get("time") == "discrete" else "time units"
    ax_ghost.semilogy(epochs[on], r[on], "*", color=OKABE_ITO["vermillion"], ms=8, label="slowest ghost, on the path")
    ax_ghost.semilogy(epochs[~on], r[~on], "*", mfc="white", mec=OKABE_ITO["vermillion"], ms=8,
                      label="slowest ghost, off the path")
    ax_ghost.set(xlabel="epoch", ylabel=f"r_eff (1 / {unit}^2)", title="the slowest ghost's scale parameter")
    ax_count.step(epochs, ds["n_stable"].values, where="post", color=OKABE_ITO["blue"], label="stable fixed points")
    ax_count.step(epochs, ds["n_unstable"].values, where="post", color=OKABE_ITO["orange"],
                  label="other fixed points")
    ax_count.step(epochs, ds["n_ghosts"].values, where="post", color=OKABE_ITO["vermillion"], label="ghosts")
    ax_count.set(xlabel="epoch", ylabel="count", title="slow points found")
    for ax in (ax_loss, ax_ghost, ax_count):
        legend_below(ax)
    return fig
