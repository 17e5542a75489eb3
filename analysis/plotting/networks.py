"""Figures of the trained networks: ghost timing, latent flows, slow points, training curves, regimes."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..networks.flows import latent_flow, latent_trajectory, rank_one_params
from ..networks.slow import network_slow_points, trial_states
from ..networks.training import combination, swept_axes
from ..regimes import REGIMES
from .ghosts import plot_slow_points_pca, principal_axes
from .style import OKABE_ITO, REGIME_COLORS, RUN_COLORS, axes_row, legend_below, log_axis_labels


def _ghost_lag_flows(ax_flow, ds, timeline, i: int, j: int, drop: float, ghost: float) -> None:
    """The middle panel of :func:`plot_ghost_lag`: the run's latent flow at its drop and ghost epochs."""
    m, n, b = rank_one_params(ds)
    checkpoints = timeline.checkpoint.values
    kappa = np.linspace(-6, 6, 600)
    for epoch, color, name in ((drop, OKABE_ITO["vermillion"], "at the drop"),
                               (ghost, OKABE_ITO["blue"], "at the ghost epoch")):
        if not np.isfinite(epoch):
            continue
        c = int(np.argmin(np.abs(checkpoints - epoch)))
        f, _, _ = latent_flow(m[i, j, c], n[i, j, c], b[i, j, c], kappa)
        ax_flow.plot(kappa, f, color=color, label=f"{name} (epoch {checkpoints[c]})")
        path = latent_trajectory(m[i, j, c], n[i, j, c], b[i, j, c])
        fp, _, _ = latent_flow(m[i, j, c], n[i, j, c], b[i, j, c], path)
        ax_flow.plot(path, fp, "o", ms=2.5, color=color, alpha=0.6)
        if epoch == ghost and "ghost_kappa" in timeline:  # what makes the broad plateau a ghost
            model, task = combination(ds, uniform=("alpha", "T"))
            k_g, r = (float(timeline[v].values[i, j, c]) for v in ("ghost_kappa", "r_eff"))
            f_g, _, _ = latent_flow(m[i, j, c], n[i, j, c], b[i, j, c], np.array([k_g]))
            ax_flow.plot([k_g], f_g, "*", ms=13, mfc=OKABE_ITO["blue"], mec="black", zorder=5,
                         label=f"ghost: f' = 0, f > 0, r_eff = f f''/2 = {r:.2g},\n passage pi/sqrt(r_eff) = "
                               f"{np.pi / np.sqrt(r):.1f} tau (the delay: {task['T'] * model['alpha']:g} tau)")
    ax_flow.axhline(0, color="0.6", lw=0.8)
    ax_flow.axvline(1.0, color=OKABE_ITO["orange"], ls="--", lw=1, label="readout threshold kappa = 1")
    ax_flow.set(xlabel="latent kappa = n.x", ylabel="dkappa/dt (units of tau)", ylim=(-1, 3),
                title="latent flow (dots: the trial's 40 steps)")
    legend_below(ax_flow, ncols=1)


def plot_ghost_lag(ds, timeline, lag: dict, *, run: tuple[int, int] | None = None, axes=None) -> Figure:
    """The ghost epoch against the drop epoch in rank-one networks.

    Left: one run's loss (log scale) with its drop epoch and ghost epoch marked. Middle: that run's
    latent flow dkappa/dt at the drop and at the ghost epoch, with the readout threshold kappa = 1
    and the trial's trajectory. Right: the lag (ghost epoch - drop epoch) of every run, per
    learning rate.
    """
    if "ghost_on_path" not in timeline or "lag" not in lag:
        raise ValueError("plot_ghost_lag expects ghost_timeline(ds) and ghost_lag(ds) results")
    fig, (ax_loss, ax_flow, ax_lag) = axes_row(axes, 3, size=(14, 4.0))
    lags = np.asarray(lag["lag"])
    if run is None:
        finite = np.argwhere(np.isfinite(lags))
        if not finite.size:
            raise ValueError("no run has both a ghost on its path and a drop: nothing to show")
        run = tuple(finite[len(finite) // 2])
    i, j = run
    epochs = ds.epoch.values
    loss = ds.loss.values[i, j]
    # the records are every k epochs, and the last epoch besides: off that grid it can sit on the other
    # branch of a period-2 oscillation of the loss, so it is a marker of its own, not the line's end
    regular = (epochs - epochs[0]) % (epochs[1] - epochs[0]) == 0 if epochs.size > 1 else np.ones(1, bool)
    ax_loss.semilogy(epochs[regular], loss[regular], color=OKABE_ITO["black"], lw=1,
                     label=f"loss every {epochs[1] - epochs[0] if epochs.size > 1 else 1} epochs")
    if not regular.all():
        ax_loss.semilogy(epochs[~regular], loss[~regular], "s", mfc="white", mec=OKABE_ITO["black"], ms=5,
                         label=f"final epoch {epochs[-1]} (the other parity: a period-2 oscillation shows here)")
    drop, ghost = lag["drop_epoch"][i, j], lag["ghost_epoch"][i, j]
    ax_loss.axvline(drop, color=OKABE_ITO["vermillion"], ls="--", label=f"drop epoch {drop:.0f}")
    if np.isfinite(ghost):
        ax_loss.axvline(ghost, color=OKABE_ITO["blue"], ls=":", label=f"ghost epoch {ghost:.0f}")
    ax_loss.set(xlabel="epoch", ylabel="loss (sum of squared errors / T)",
                title=f"one run: lr = {ds.lr.values[i]:.3g}, seed {ds.seed.values[j]}")
    legend_below(ax_loss, ncols=1)

    _ghost_lag_flows(ax_flow, ds, timeline, i, j, drop, ghost)

    for k in range(ds.lr.size):
        values = lags[k].ravel()
        values = values[np.isfinite(values)]
        if values.size:
            jitter = np.linspace(-0.15, 0.15, values.size)
            ax_lag.plot(k + jitter, values, "o", color=RUN_COLORS[k % 7], ms=4, alpha=0.8)
    ax_lag.axhline(0, color="0.5", lw=0.8)
    ax_lag.set_xticks(range(ds.lr.size), [f"{v:.3g}" for v in ds.lr.values])
    seeds = ds.seed.size
    ax_lag.set(xlabel="learning rate", ylabel="ghost epoch - drop epoch (epochs)",
               title=f"lag per run ({seeds} seeds per rate;\n> 0: the ghost comes after the drop)")
    return fig


def _trial_states(model, params, task, seed: int = 0):
    """States (steps + 1, trials, N) of every trial of the task and the parameters, in float64."""
    return trial_states(model, params, task, seed), {k: np.asarray(v, dtype=float) for k, v in params.items()}


KIND_STYLE = {"fixed point": dict(marker="o", ms=8, mfc="white", mec="black"),
              "ghost": dict(marker="*", ms=14, mfc=OKABE_ITO["vermillion"], mec="black"),
              "slow point": dict(marker="D", ms=6, mfc=OKABE_ITO["sky"], mec="black")}


def plot_latent_flow_map(model, params, task, *, ax=None, extent: float | None = None, grid: int = 200,
                         title: str = "") -> Figure:
    """The 2-D latent flow of a rank-2 network: speed (colour), unit arrows, the trials'
    trajectories, fixed points and ghosts by kind, and the readout's decision regions."""
    from matplotlib import colormaps


    if getattr(model, "rank", None) != 2:
        raise ValueError("plot_latent_flow_map draws the flow of a rank-2 network (model.rank == 2)")
    if ax is None:
        fig = Figure(figsize=(6.2, 5.2), layout="constrained")
        ax = fig.subplots()
    fig = ax.figure
    states, p = _trial_states(model, params, task)
    kappa_t = states @ p["n"]  # (steps + 1, trials, 2)
    half = extent or 1.2 * max(1.0, float(np.abs(kappa_t).max()))
    axis = np.linspace(-half, half, grid)
    k1, k2 = np.meshgrid(axis, axis)
    points = np.stack([k1.ravel(), k2.ravel()], axis=1)
    F = -points + np.tanh(points @ p["m"].T + model.bias(p)) @ p["n"]
    speed = np.linalg.norm(F, axis=1).reshape(k1.shape)
    mesh = ax.pcolormesh(k1, k2, np.log10(speed + 1e-12), cmap="cividis", shading="auto", rasterized=True)
    fig.colorbar(mesh, ax=ax, label="log10 speed |dkappa/dt|")
    step = max(1, grid // 20)
    U = (F / np.maximum(np.linalg.norm(F, axis=1, keepdims=True), 1e-12)).reshape(*k1.shape, 2)
    ax.quiver(k1[::step, ::step], k2[::step, ::step], U[::step, ::step, 0], U[::step, ::step, 1],
              color="white", alpha=0.6, scale=30, width=0.003)
    z = (points @ p["w_out"] + p["b_out"]).reshape(k1.shape)
    if model.readout == "tanh":
        edge = np.arctanh(0.33)
        ax.contourf(k1, k2, z, levels=[-np.inf, -edge, edge, np.inf],
                    colors=[OKABE_ITO["blue"], "none", OKABE_ITO["vermillion"]], alpha=0.15)
        ax.contour(k1, k2, z, levels=[-edge, edge], colors=[OKABE_ITO["blue"], OKABE_ITO["vermillion"]], linewidths=1)
    else:
        ax.contourf(k1, k2, z, levels=[-np.inf, 0, np.inf], colors=["none", OKABE_ITO["green"]], alpha=0.15)
        ax.contour(k1, k2, z, levels=[0], colors=[OKABE_ITO["green"]], linewidths=1)
    palette = colormaps["tab10"]
    for trial in range(min(task.trials, len(task.trial_types) or task.trials)):
        ax.plot(kappa_t[:, trial, 0], kappa_t[:, trial, 1], "-", color=palette(trial), lw=1.6,
                label=f"trial {task.trial_types[trial] if task.trial_types else trial}")
    found, _ = network_slow_points(model, p, task, box=([-half, -half], [half, half]), n_box=64)
    for kind, style in KIND_STYLE.items():
        sel = found.kind == kind
        if sel.any():
            ax.plot(found.x[sel, 0], found.x[sel, 1], ls="none", label=f"{kind} ({int(sel.sum())})", **style)
    ax.set(xlim=(-half, half), ylim=(-half, half), xlabel="latent kappa_1", ylabel="latent kappa_2",
           title=title or "latent flow (shaded: readout decision regions)")
    legend_below(ax, ncols=3)
    return fig


def plot_network_slow_points_pca(model, params_by_epoch: dict, task, *, axes=None) -> Figure:
    """Slow points of one of the library's networks near its trials' trajectories, one panel per epoch,
    in the first two principal components of the states of every epoch shown
    (:func:`~analysis.plotting.plot_slow_points_pca` on each)."""

    if not params_by_epoch:
        raise ValueError("params_by_epoch must map at least one epoch to its parameters")
    epochs = sorted(params_by_epoch)
    fig, axes = axes_row(axes, len(epochs), size=(4.4 * len(epochs), 4.6))
    runs = {e: _trial_states(model, params_by_epoch[e], task) for e in epochs}
    basis = principal_axes(np.concatenate([s.reshape(-1, s.shape[-1]) for s, _ in runs.values()]))
    labels = [f"trial {task.trial_types[t % len(task.trial_types)]}" if task.trial_types else f"trial {t}"
              for t in range(task.trials)]
    for ax, epoch in zip(axes, epochs, strict=True):
        states, p = runs[epoch]
        found, _ = network_slow_points(model, p, task)
        plot_slow_points_pca(found, states, ax=ax, basis=basis, labels=labels, title=f"epoch {epoch}",
                             colorbar=False)
    return fig


def plot_training(ds, *, axes=None) -> Figure:
    """Loss (log scale) and accuracy of every run of a :func:`train_sweep` result against the epoch."""
    extra = swept_axes(ds)
    if extra:
        raise ValueError(f"plot_training draws (lr, seed) runs; select one value of {extra} first")
    fig, (ax_loss, ax_acc) = axes_row(axes, 2, size=(11.0, 3.8))
    epochs = ds.epoch.values
    for i, lr in enumerate(ds.lr.values):
        color = RUN_COLORS[i % 7]
        for j in range(ds.seed.size):
            label = f"lr {lr:.3g}" if j == 0 else None
            ax_loss.semilogy(epochs, ds.loss.values[i, j], color=color, lw=0.9, alpha=0.8, label=label)
            ax_acc.plot(epochs, ds.accuracy.values[i, j], color=color, lw=0.9, alpha=0.8)
    ax_loss.set(xlabel="epoch", ylabel="loss", title=f"{ds.seed.size} seed(s) per learning rate")
    log_axis_labels(ax_loss)
    ax_acc.set(xlabel="epoch", ylabel="accuracy", ylim=(-0.02, 1.02), title=f"optimizer: {ds.attrs['optimizer']}")
    if ds.lr.size <= 8:
        ax_loss.legend(fontsize=7)
    return fig


def plot_regime_fractions(ds, *, ax=None, title: str = "") -> Figure:
    """Fractions of the runs in each regime against the learning rate (stacked), with the onset."""
    extra = swept_axes(ds)
    if extra:
        raise ValueError(f"plot_regime_fractions draws one sweep over lr; select one value of {extra} first")
    if ds.lr.size < 2:
        raise ValueError("plot_regime_fractions needs a sweep over at least two learning rates")
    fig, (ax,) = axes_row(None if ax is None else [ax], 1, size=(6.4, 4.0))
    lr = ds.lr.values
    fractions = np.stack([(ds.regime == k).mean("seed").values for k in range(len(REGIMES))])
    present = [k for k in range(len(REGIMES)) if fractions[k].any()]  # no legend entry for an absent regime
    ax.stackplot(lr, fractions[present], labels=[REGIMES[k] for k in present],
                 colors=[REGIME_COLORS[REGIMES[k]] for k in present], alpha=0.9)
    learned_ref = ds.learned_reference.astype(float).mean("seed").values
    ax.plot(lr, learned_ref, "k--", lw=1.2, label="learned (reference: final/initial < 1e-2)")
    ax.set(xscale="log", xlabel="learning rate", ylabel=f"fraction of {ds.seed.size} seeds", ylim=(0, 1),
           xlim=(lr[0], lr[-1]), title=title or f"{ds.attrs['epochs']} epochs, {ds.attrs['optimizer']}")
    legend_below(ax, ncols=3)
    return fig


def draw_latent_flow(ax, m, n, b, *, color, label: str, steps: int = 40, kappa=None) -> None:
    """One rank-one network's latent flow dkappa/dt on ``kappa`` (default [-6, 6]), with its trial's
    steps as dots on it."""
    kappa = np.linspace(-6, 6, 600) if kappa is None else kappa
    f, _, _ = latent_flow(m, n, b, kappa)
    ax.plot(kappa, f, color=color, label=label)
    path = latent_trajectory(m, n, b, steps=steps)
    fp, _, _ = latent_flow(m, n, b, path)
    ax.plot(path, fp, "o", ms=2.5, color=color, alpha=0.6)


def finish_flow_axes(ax, title: str = "latent flow (dots: the trial's steps)") -> None:
    """The zero line, the readout threshold kappa = 1, labels and the legend of a latent-flow panel."""
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(1.0, color=OKABE_ITO["green"], ls=":", lw=1, label="readout threshold kappa = 1")
    ax.set(xlabel="latent kappa = n.x", ylabel="dkappa/dt (units of tau)", ylim=(-1, 3), title=title)
    ax.title.set_fontsize(10)
    legend_below(ax, ncols=2)


def plot_rank_one_run(ds, *, offsets=(-500, -20, 0, 20), zoom: int = 100, axes=None) -> Figure:
    """One rank-one run: loss and gradient norm, a zoom at the drop, and the latent flow around it.

    ``ds`` is a single-run :func:`train_sweep` result (one lr, one seed) with checkpoints around its
    drop; the flows are drawn at the checkpoints nearest to drop epoch + ``offsets``, and the zoom
    shows ``zoom`` epochs either side of the drop. The loss is drawn at even and at odd epochs
    separately: where the two differ, it alternates with period 2 (the oscillatory failure mode).
    """
    if ds.lr.size != 1 or ds.seed.size != 1 or "param_m" not in ds:
        raise ValueError("plot_rank_one_run expects one rank-one run (one lr, one seed) with checkpoints")
    fig, (ax_loss, ax_zoom, ax_flow) = axes_row(axes, 3, size=(16.0, 4.4))
    run = ds.isel(lr=0, seed=0)
    epochs = run.epoch.values
    drop = float(run.drop_epoch)
    near = np.abs(epochs - drop) <= zoom
    for ax, keep in ((ax_loss, np.ones(epochs.size, bool)), (ax_zoom, near)):
        for parity, color, name in ((0, OKABE_ITO["black"], "even"), (1, "0.55", "odd")):
            sel = keep & (epochs % 2 == parity)
            ax.semilogy(epochs[sel], run.loss.values[sel], color=color, lw=1, label=f"loss, {name} epochs")
        ax.semilogy(epochs[keep], run.grad_norm.values[keep], color=OKABE_ITO["sky"], lw=1, label="gradient norm")
    m, n, b = (a[0, 0] for a in rank_one_params(ds))  # (checkpoint, N)
    checkpoints = run.checkpoint.values
    colors = (OKABE_ITO["orange"], OKABE_ITO["purple"], OKABE_ITO["vermillion"], OKABE_ITO["blue"],
              OKABE_ITO["green"])
    steps = 2 * int(combination(ds, uniform=("T",))[1]["T"])
    for offset, color in zip(offsets, colors, strict=False):
        c = int(np.argmin(np.abs(checkpoints - (drop + offset))))
        when = "at the drop" if offset == 0 else f"drop {offset:+d}"
        ax_loss.axvline(checkpoints[c], color=color, ls="--", lw=1, label=f"flow drawn: epoch {checkpoints[c]}")
        if abs(checkpoints[c] - drop) <= zoom:
            ax_zoom.axvline(checkpoints[c], color=color, ls="--", lw=1)
        draw_latent_flow(ax_flow, m[c], n[c], b[c], color=color, label=f"{when} (epoch {checkpoints[c]})",
                         steps=steps)
    ax_loss.set(xlabel="epoch", ylabel="loss (sum of squared errors / T), gradient norm",
                title=f"rank one, lr {float(ds.lr[0]):.3g}, seed {int(ds.seed[0])}: drop at epoch {drop:.0f}")
    ax_loss.title.set_fontsize(10)
    legend_below(ax_loss, ncols=2)
    ax_zoom.set(xlabel="epoch", ylabel="loss, gradient norm", title=f"zoom: {zoom} epochs either side of the drop")
    ax_zoom.title.set_fontsize(10)
    finish_flow_axes(ax_flow)
    return fig
