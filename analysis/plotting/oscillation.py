"""Full-rank networks at large learning rates (the reference's Fig 7): where the oscillatory
failure mode of the reduced model appears in networks.

* :func:`plot_lr_summary`: box plots over seeds, against the learning rate, of the loss averaged
  over every epoch, of the mean recurrent-gradient norm and of the mean recurrent-weight norm;
* :func:`plot_case_study`: one run's loss, gradient and weight norms against the epoch;
* :func:`plot_saturation`: the state histogram and the outputs of one run before and after a jump.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..networks.training.monitor import mean_over_records
from .style import OKABE_ITO, RUN_COLORS, axes_row, legend_below

SUMMARIES = {  # variable of a recurrent_norms sweep -> (per-run summary, axis label)
    "mean_loss": ("loss averaged over every epoch", "time-averaged loss"),
    "grad_W_norm": ("mean over the recorded epochs", "mean ||grad W_rec|| (Frobenius)"),
    "W_norm": ("mean over the recorded epochs", "mean ||W_rec|| (Frobenius)"),
}


def _per_run(ds, name: str) -> np.ndarray:
    # (lr, seed): a summary per run already, or the mean over each run's records
    return ds[name].values if "epoch" not in ds[name].dims else mean_over_records(ds[name])


def plot_lr_summary(ds, *, names=("mean_loss", "grad_W_norm", "W_norm"), axes=None, title: str = "") -> Figure:
    """Box plots over the seeds of each per-run summary against the learning rate (log-log).

    ``ds`` is a full-rank :func:`train_sweep` result with ``monitor="recurrent_norms"``, or its
    compact form (:func:`analysis.networks.compact_norm_sweep`): each of ``names`` is either
    recorded per epoch, and then averaged over the records of each run, or one value per run
    (dimensions lr and seed).
    """
    missing = [n for n in names if n not in ds]
    if missing:
        raise ValueError(f"plot_lr_summary needs a sweep with monitor='recurrent_norms' (missing {missing})")
    if ds.lr.size < 2:
        raise ValueError("plot_lr_summary needs a sweep over at least two learning rates")
    fig, axes = axes_row(axes, len(names), size=(4.2 * len(names), 3.8))
    lr = np.asarray(ds.lr.values, dtype=float)
    positions = np.log10(lr)
    width = 0.6 * float(np.min(np.diff(positions)))
    for ax, name in zip(axes, names, strict=True):
        values = np.log10(np.where(_per_run(ds, name) > 0, _per_run(ds, name), np.nan))
        data = [row[np.isfinite(row)] for row in values]
        ax.boxplot(data, positions=positions, widths=width, manage_ticks=False, patch_artist=True,
                   boxprops=dict(facecolor=OKABE_ITO["sky"], alpha=0.6), medianprops=dict(color="black"),
                   flierprops=dict(marker=".", ms=3))
        ticks = np.arange(np.floor(positions.min()), np.ceil(positions.max()) + 1)
        ax.set_xticks(ticks, [f"$10^{{{int(t)}}}$" for t in ticks])
        low, high = np.nanmin(values), np.nanmax(values)
        yt = np.arange(np.floor(low), np.ceil(high) + 1)
        ax.set_yticks(yt, [f"$10^{{{int(t)}}}$" for t in yt])
        summary, label = SUMMARIES[name]
        ax.set(xlabel="learning rate (SGD)", ylabel=label,
               title=f"{title}{': ' if title else ''}{summary}, {ds.seed.size} seeds")
        ax.title.set_fontsize(9)
    return fig


def plot_case_study(run, *, ax=None) -> Figure:
    """Loss, ||grad W_rec|| and ||W_rec|| of one run against the epoch (log-log).

    ``run`` is one run of a sweep with ``monitor="recurrent_norms"``, e.g. ``ds.isel(lr=12).sel(seed=1)``:
    the records ``loss``, ``grad_W_norm`` and ``W_norm`` over ``epoch``, with scalar ``lr`` and ``seed``.
    """
    missing = [n for n in ("loss", "grad_W_norm", "W_norm") if n not in run]
    if missing or run["loss"].dims != ("epoch",):
        raise ValueError(f"run must be one run's records over epoch with loss, grad_W_norm and W_norm "
                         f"(missing {missing}, loss dims {run['loss'].dims if 'loss' in run else None})")
    fig, (ax,) = axes_row(None if ax is None else [ax], 1, size=(4.6, 3.8))
    epochs = np.maximum(run.epoch.values, 1)
    for name, color, label in (("loss", OKABE_ITO["black"], "loss"), ("grad_W_norm", OKABE_ITO["vermillion"],
                               "||grad W_rec||"), ("W_norm", OKABE_ITO["blue"], "||W_rec||")):
        ax.loglog(epochs, run[name].values, color=color, lw=0.9, label=label)
    ax.set(xlabel="epoch", ylabel="loss, norms", xlim=(10, epochs.max()),
           title=f"lr {float(run.lr):.3g}, seed {int(run.seed)}")
    ax.title.set_fontsize(9)
    legend_below(ax, ncols=3)
    return fig


def plot_saturation(states: dict, outputs: dict, target: np.ndarray, *, axes=None, bins=None) -> Figure:
    """A run before and after its jump: the histogram of trial 0's states, and its outputs.

    ``states[epoch]`` are trial 0's states (steps, N) under that epoch's weights, ``outputs[epoch]``
    its outputs (steps,), ``target`` the trial's target (steps,).
    """
    if not states or set(states) != set(outputs):
        raise ValueError("states and outputs must hold the same epochs (at least one)")
    fig, (ax_hist, ax_out) = axes_row(axes, 2, size=(9.0, 3.8))
    bins = np.linspace(-1, 1, 30) if bins is None else bins
    for k, epoch in enumerate(sorted(states)):
        color = RUN_COLORS[k % len(RUN_COLORS)]
        ax_hist.hist(np.ravel(states[epoch]), bins=bins, histtype="step", lw=1.4, color=color,
                     label=f"epoch {epoch}", density=True)
        ax_out.plot(np.asarray(outputs[epoch]), color=color, lw=1.2, label=f"output, epoch {epoch}")
    ax_out.plot(np.asarray(target), color="black", ls="--", lw=1, label="target")
    ax_hist.set(xlabel="state x of every unit and step, trial 0", ylabel="density",
                title="saturation: the states pile up at +-1")
    ax_out.set(xlabel="step", ylabel="output", title="trial 0's output")
    for ax in (ax_hist, ax_out):
        ax.title.set_fontsize(9)
        legend_below(ax, ncols=2)
    return fig
