"""Figures of the remedies and of the scaling law in networks (each returns the Figure)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .style import OKABE_ITO, RUN_COLORS, axes_row, legend_below, viridis


def _mean_sem(values: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    n = np.sum(np.isfinite(values), axis=axis)
    mean = np.nanmean(values, axis=axis)
    sem = np.nanstd(values, axis=axis) / np.sqrt(np.maximum(n, 1))
    return mean, sem


def _band(ax, x, values, axis, color, label, **style):
    mean, sem = _mean_sem(values, axis)
    ax.plot(x, mean, color=color, label=label, **style)
    ax.fill_between(x, mean - sem, mean + sem, color=color, alpha=0.25, lw=0)


def _viridis_steps(n: int):
    return viridis(np.linspace(0.0, 0.9, n))


def plot_rank_remedy(ds, *, axes=None, lines: int = 3) -> Figure:
    """The rank remedy: a heat map of the fraction learned over (rank K, lr), and that fraction
    against K for a few learning rates (the reference's lines), with the seed count.

    ``lines`` learning rates, evenly spaced over the swept ones, get their own line.
    """
    if "fraction_learned" not in ds or "rank" not in ds.dims:
        raise ValueError("plot_rank_remedy expects rank_remedy(...)'s Dataset (fraction_learned over rank, lr)")
    fig, (ax_map, ax_lines) = axes_row(axes, 2, size=(11.5, 4.4))
    ranks = np.asarray(ds["rank"].values, dtype=float)
    lr = np.asarray(ds.lr.values, dtype=float)
    fraction = ds.fraction_learned.transpose("rank", "lr").values
    seeds = int(ds.attrs.get("seeds", ds.sizes.get("seed", 0))) or None
    mesh = ax_map.pcolormesh(np.arange(lr.size + 1), np.arange(ranks.size + 1), fraction, cmap="viridis",
                             vmin=0, vmax=1, shading="flat")
    for (i, j), value in np.ndenumerate(fraction):  # the fraction itself, legible on either end of the map
        ax_map.text(j + 0.5, i + 0.5, f"{value:.2f}", ha="center", va="center", fontsize=6.5,
                    color="white" if value < 0.6 else "black")
    ax_map.set_xticks(np.arange(lr.size) + 0.5, [f"{v:.2g}" for v in lr], rotation=60, fontsize=7)
    ax_map.set_yticks(np.arange(ranks.size) + 0.5, [f"{int(k)}" for k in ranks], fontsize=7)
    ax_map.set(xlabel="learning rate", ylabel="trainable rank K (N = 100)",
               title=f"fraction learned (final / initial loss < 1e-2){f', {seeds} seeds per cell' if seeds else ''}")
    ax_map.title.set_fontsize(9)
    fig.colorbar(mesh, ax=ax_map, label="fraction of seeds learned")
    picks = np.unique(np.linspace(0, lr.size - 1, min(lines, lr.size)).round().astype(int))
    markers = "osD^v"
    for k, (color, index) in enumerate(zip(RUN_COLORS, picks, strict=False)):
        ax_lines.semilogx(ranks, fraction[:, index], marker=markers[k % len(markers)], ls="-", color=color, ms=5,
                          label=f"lr {lr[index]:.3g}")
    ax_lines.set(xlabel="trainable rank K (N = 100)", ylabel="fraction learned", ylim=(-0.03, 1.03),
                 title=f"more rank, more learning\n{ds.attrs.get('experiment', '')}")
    ax_lines.title.set_fontsize(8.5)
    legend_below(ax_lines, ncols=3)
    return fig


def plot_gain_ablation(ablation, reduced_diagram=None, *, axes=None) -> Figure:
    """Lowering the gain frees trapped networks; beside it, the reduced model's trap against a.

    Panels: accuracy and gradient norm around the switch (mean +- SEM over the runs that learned
    and then fell into the trap; every third gain), their values after the extra epochs against
    the gain, and (if ``reduced_diagram`` is given) the reduced model's trapped fraction above
    eta_c against the confidence a (a ``phase_diagram`` over (eta, a)).
    """
    n = 4 if reduced_diagram is not None else 3
    fig, axes = axes_row(axes, n, size=(4.3 * n, 4.0))
    ax_acc, ax_grad, ax_end = axes[:3]
    trapped = ablation.trapped.values
    if not trapped.any():
        raise ValueError("no run learned and then fell into the trap: nothing to show (more seeds?)")
    base_epochs = ablation.base_epoch.values
    switch = base_epochs[-1] + 1
    shown = slice(-200, None)
    gains = ablation.gain.values
    picks = list(range(2, gains.size, 3)) or list(range(gains.size))
    colors = _viridis_steps(len(picks))
    for name, ax, base_name in (("accuracy", ax_acc, "base_accuracy"), ("grad_norm", ax_grad, "base_grad_norm")):
        _band(ax, base_epochs[shown], ablation[base_name].values[trapped][:, shown], 0, "black", "gain 10 (training)")
        for color, g in zip(colors, picks, strict=True):
            _band(ax, switch + ablation.epoch.values, ablation[name].values[g][trapped], 0, color,
                  f"c = {gains[g]:.3g}")
        ax.axvline(switch, color="0.5", ls=":", lw=1)
    ax_acc.set(xlabel="epoch", ylabel="accuracy (output vs target, threshold 0.5)",
               title=f"{int(trapped.sum())} of {trapped.size} runs trapped; gain lowered at the dotted line")
    ax_acc.title.set_fontsize(9)
    ax_grad.set(xlabel="epoch", ylabel="gradient norm (all parameters)", yscale="log", title="the gradient returns")
    legend_below(ax_acc, ncols=3, fontsize=6.5)
    end_acc = ablation.accuracy.values[:, trapped, -1]
    end_grad = ablation.grad_norm.values[:, trapped, -1]
    m, s = _mean_sem(end_acc, 1)
    ax_end.errorbar(gains, m, s, fmt="o-", color=OKABE_ITO["blue"], ms=3, label="accuracy")
    ax_end.set(xscale="log", xlabel="readout gain c after the switch", ylabel="accuracy after the extra epochs",
               title=f"after {ablation.epoch.size} epochs at gain c")
    twin = ax_end.twinx()
    m, s = _mean_sem(end_grad, 1)
    twin.errorbar(gains, m, s, fmt="s--", color=OKABE_ITO["vermillion"], ms=3, label="gradient norm")
    twin.set(yscale="log", ylabel="gradient norm")
    ax_end.axvline(float(ablation.attrs.get("base_gain", 10)), color="0.5", ls=":", lw=1)
    handles = [*ax_end.get_legend_handles_labels()[0], *twin.get_legend_handles_labels()[0]]
    legend_below(ax_end, handles=handles, labels=[h.get_label() for h in handles])
    if reduced_diagram is not None:
        ax = axes[3]
        ds = reduced_diagram.isel(T=0)
        eta_c = float(ds.eta_c)
        above = ds.eta.values > eta_c
        frac = ds.fraction_trapped.values[above]  # (eta above eta_c, a)
        ax.semilogx(ds.a.values, frac.mean(axis=0), "o-", color=OKABE_ITO["vermillion"], ms=3,
                    label=rf"mean over {int(above.sum())} rates $\eta > \eta_c$")
        ax.set(xlabel="output confidence a (reduced model)", ylabel="fraction of runs trapped", ylim=(-0.03, 1.03),
               title="reduced model: the trap needs confidence")
        legend_below(ax, ncols=1)
    return fig


def plot_learnable_gain(ds, *, axes=None) -> Figure:
    """Loss, gradient norm and the learned gain c when c is trained from 10 and restarted at 1."""
    fig, (ax_loss, ax_c) = axes_row(axes, 2, size=(10.0, 4.2))
    switch = int(ds.attrs["switch_epoch"])
    epochs = ds.epoch.values
    floor = 1e-10  # the trapped runs' gradients vanish to rounding (1e-18); below this the axis shows nothing
    for name, color, label in (("loss", OKABE_ITO["blue"], "loss"), ("grad_norm", "0.35", "gradient norm")):
        values = ds[name].values  # (seed, epoch)
        low, median, high = np.nanpercentile(values, [25, 50, 75], axis=0)
        ax_loss.fill_between(epochs, np.maximum(low, floor), np.maximum(high, floor), color=color, alpha=0.25, lw=0)
        ax_loss.semilogy(epochs, np.maximum(median, floor), color=color, lw=1.2,
                         label=f"{label}: median and quartiles of {ds.seed.size} seeds")
    for k in range(ds.seed.size):
        ax_c.plot(ds.checkpoint.values, ds.c.values[k], color=RUN_COLORS[k % 7], lw=1.0, alpha=0.8)
    for ax in (ax_loss, ax_c):
        ax.axvline(switch, color="0.5", ls=":", lw=1)
    ax_loss.set(xlabel="epoch", ylabel=f"loss / gradient norm (floor {floor:g})", ylim=(floor / 3, None),
                title=f"gain trained from {ds.attrs['initial_gain']:g}; restarted at {ds.attrs['restart_gain']:g} "
                      "(dotted)")
    legend_below(ax_loss, ncols=1)
    ax_c.set(xlabel="epoch", ylabel="learned readout gain c", yscale="log", title="the gain c itself")
    return fig


def plot_readout_normalization(ds, *, ax=None) -> Figure:
    """Accuracy (mean +- SEM over seeds) with the readout held at an L1 norm c after the switch."""
    fig, (ax,) = axes_row(None if ax is None else [ax], 1, size=(6.4, 4.2))
    switch = int(ds.attrs["switch_epoch"])
    epochs = ds.epoch.values
    first, second = epochs < switch, epochs >= switch
    _band(ax, epochs[first], ds.accuracy.isel(norm=0).values[:, first], 0, "0.35", "first phase (shared)")
    for color, c in zip(_viridis_steps(ds.norm.size - 1), ds.norm.values[:-1], strict=True):
        # |output| <= ||w_out||_1: below the +-0.33 band no +-1 target is met, only the zero-target steps
        why = " (|output| <= c < 0.33: only zero targets can be met)" if c < 1 / 3 else ""
        _band(ax, epochs[second], ds.accuracy.sel(norm=c).values[:, second], 0, color,
              rf"held at $\|w_{{out}}\|_1$ = {c:g}{why}")
    _band(ax, epochs[second], ds.accuracy.sel(norm=np.inf).values[:, second], 0, "black", "left free", ls="--")
    ax.axvline(switch, color="0.5", ls=":", lw=1)
    ax.set(xlabel="epoch", ylabel="accuracy (outputs within +-0.33 of target)", ylim=(0, 1),
           title=f"readout held at L1 norm c after the dotted line ({ds.seed.size} seeds)")
    ax.title.set_fontsize(10)
    legend_below(ax, ncols=2)
    return fig


def plot_network_scaling(results: dict, *, ax=None, companion=(-2.72, -4.05)) -> Figure:
    """Onset of trapping against the delay (in tau), per network family, with fitted exponents.

    ``results[label] = (ds, fit)`` with ``ds`` from :func:`network_critical_rates` and ``fit`` from
    :func:`analysis.fit_power_law`. Slope guides, each anchored on the data it compares with: the
    reduced model's -4 through the first family's middle point, the companion study's full-rank
    slopes ``companion`` through the last family's (the full-rank one, when there are two), so that
    the -4.05 and -4 guides do not lie on top of each other.
    """
    fig, (ax,) = axes_row(None if ax is None else [ax], 1, size=(6.6, 5.4))
    families = list(results.items())
    for k, (label, (ds, fit)) in enumerate(families):
        color = RUN_COLORS[k]
        x, hi, lo = ds.delay_tau.values, ds.upper.values, ds.lower.values
        ax.errorbar(x, hi, yerr=[hi - lo, np.zeros_like(hi)], fmt="o", color=color, capsize=3, ms=5,
                    label=f"{label}: exponent {fit.exponent:.2f} [{fit.ci[0]:.2f}, {fit.ci[1]:.2f}]")
        line = np.geomspace(x.min(), x.max(), 50)
        ax.plot(line, fit.prefactor * line**fit.exponent, color=color, lw=3, alpha=0.35)
    guides = [(-4.0, 0, "--", "reduced model, on r")] + \
        [(slope, len(families) - 1, style, "companion study") for slope, style in zip(companion, (":", "-."),
                                                                                       strict=False)]
    for slope, k, style, source in guides:
        ds, _ = families[k][1]
        x, hi = ds.delay_tau.values, ds.upper.values
        mid = len(x) // 2
        line = np.geomspace(x.min(), x.max(), 50)
        ax.plot(line, hi[mid] * (line / x[mid]) ** slope, ls=style, color="0.3", lw=1.1,
                label=f"slope {slope:g} ({source}), through the {'first' if k == 0 else 'second'} family's "
                      f"middle point")
    from matplotlib.ticker import NullFormatter

    ax.set(xscale="log", yscale="log", xlabel="delay (units of tau: alpha x steps)",
           ylabel="critical learning rate (first failing rate on the grid)",
           title="Scaling law in networks (bars: the bracket of the onset)")
    ax.xaxis.set_minor_formatter(NullFormatter())
    delays = np.unique(np.concatenate([ds.delay_tau.values for ds, _ in results.values()]))
    ax.set_xticks(delays, [f"{d:g}" for d in delays])
    legend_below(ax, ncols=1)
    return fig
