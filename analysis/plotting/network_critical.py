"""Figure 22: a network's critical learning rate, measured against its own reduced model's prediction."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .style import OKABE_ITO, axes_row, legend_below, no_minor_labels

ABLATION_STYLE = {  # (label, colour, marker) of each prediction, in the ablation's order
    "closed_form": ("closed-form mapping (sharp)", OKABE_ITO["orange"], "s"),
    "own_landscape": ("own 1-D model", OKABE_ITO["vermillion"], "o"),
    "start_above": ("own model, started above", OKABE_ITO["green"], "^"),
    "sharper_readout": ("own model, gain x 10", OKABE_ITO["purple"], "v"),
}


def plot_network_critical_rate(entries: list[dict], *, axes=None) -> Figure:
    """Measured and predicted onsets of trapping against the delay, and the ablation's ratios.

    Parameters
    ----------
    entries : list of dict
        The ``summary.json["network_critical_rate"]`` entries of one architecture: ``delay_tau``,
        ``measured`` (the 10% rate), ``measured_ci``, ``measured_q50``, ``predicted`` and
        ``ablation`` (each prediction's 10% rate, with ``ablation_bound`` saying "above" or "below"
        where it lies beyond the prediction's grid and the value is the grid's end; None with a
        reason where no network learned to predict from); ``networks_predicted_from``, if given, is
        written under each delay (n = the learned networks the predictions rest on).
    axes : two Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (left, right) = axes_row(axes, 2, size=(11.0, 4.6))
    tau = np.array([e["delay_tau"] for e in entries])
    measured = _draw_measured(left, entries, "trapped", "95% CI over seeds")
    for key, (label, color, marker) in ABLATION_STYLE.items():
        rates = np.array([np.nan if e["ablation"][key] is None else e["ablation"][key] for e in entries])
        bounds = [e["ablation_bound"][key] for e in entries]
        shown = np.isfinite(rates)
        exponent = entries[0]["ablation_exponent"][key]
        suffix = "" if exponent is None else f"; exponent {exponent:.2f}"
        left.plot(tau[shown], rates[shown], marker=marker, ls="-", lw=1, color=color, label=label + suffix)
        for t, v, b in zip(tau, rates, bounds, strict=True):
            _bound_arrow(left, t, v, b, color)
        ratio = rates / measured
        right.plot(tau[shown], ratio[shown], marker=marker, ls="-", lw=1, color=color, label=label)
    _draw_counts(left, entries)
    left.set(xscale="log", yscale="log", xlabel="delay alpha T (tau)", ylabel="learning rate at which 10% trap",
             title="Rank-one networks, delayed activation (SGD)")
    no_minor_labels(left)
    right.axhspan(0.75, 1.25, color=OKABE_ITO["sky"], alpha=0.25, lw=0)
    right.axhline(1.0, color=OKABE_ITO["black"], lw=0.8)
    right.set(xscale="log", yscale="log", xlabel="delay alpha T (tau)", ylabel="predicted / measured (10% rate)",
              title="Ablation: what each ingredient moves (band: within 25%)", xlim=left.get_xlim())
    no_minor_labels(right)
    handles, labels = left.get_legend_handles_labels()  # the measurement (an errorbar container) first
    legend_below(left, ncols=1, handles=handles[-1:] + handles[:-1], labels=labels[-1:] + labels[:-1])
    legend_below(right, ncols=2)
    return fig


MORE_STYLE = {  # figure 23's predictions: figure 22's, and the companion's without momentum
    **{key: ABLATION_STYLE[key] for key in ("closed_form", "own_landscape", "start_above")},
    "without_momentum": ("own model without momentum", OKABE_ITO["blue"], "v"),
}


def _values(entries: list[dict], key: str) -> np.ndarray:
    return np.array([np.nan if e[key] is None else e[key] for e in entries], float)


def _draw_measured(ax, entries: list[dict], what: str, interval: str) -> np.ndarray:
    """The measured 10% rate with its interval and the fitted exponent, and the 50% rate; returns the 10% rates."""
    tau, measured = _values(entries, "delay_tau"), _values(entries, "measured")
    ci = np.array([[np.nan if v is None else v for v in e["measured_ci"]] for e in entries], float)
    exponent = entries[0]["measured_exponent"]
    suffix = "" if exponent is None else (f"; exponent {exponent:.2f} [{entries[0]['measured_exponent_ci'][0]:.2f}, "
                                          f"{entries[0]['measured_exponent_ci'][1]:.2f}]")
    ax.errorbar(tau, measured, yerr=[measured - ci[:, 0], ci[:, 1] - measured], fmt="o", color=OKABE_ITO["black"],
                capsize=3, label=f"measured, 10% {what} ({interval})" + suffix)
    ax.plot(tau, _values(entries, "measured_q50"), "o", mfc="none", color=OKABE_ITO["black"],
            label=f"measured, 50% {what}")
    return measured


def _bound_arrow(ax, t: float, value: float, bound: str | None, color, factor: float = 1.25) -> None:
    """Where a rate lies beyond its grid (``bound`` "above" or "below"; the value is the grid's end): an
    arrow ``factor`` long (in ratio) from it."""
    if bound in ("above", "below"):
        ax.annotate("", (t, value / factor if bound == "below" else value * factor), (t, value),
                    arrowprops=dict(arrowstyle="->", color=color, lw=1))


def _draw_counts(ax, entries: list[dict]) -> None:
    """n = how many learned networks each delay's predictions rest on, under the data."""
    for e in entries:
        if e.get("networks_predicted_from") is not None:
            ax.annotate(f"n={e['networks_predicted_from']}", (e["delay_tau"], 0), xycoords=("data", "axes fraction"),
                        xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7,
                        color=OKABE_ITO["vermillion"])


def plot_network_critical_more(entries: list[dict], *, axes=None) -> Figure:
    """Measured and predicted onsets of failure against the delay, one panel per architecture.

    Parameters
    ----------
    entries : list of dict
        The ``summary.json["network_critical_rate"]`` entries of figure 23: per ``architecture`` and
        ``delay_tau``, ``measured`` (the 10% failed rate, None if never reached), ``measured_ci``,
        ``measured_q50``, ``measured_trapped``, ``rate_grid`` (the sweep's ends), ``ablation`` (each
        prediction's 10% rate, None where it is not reached on ``prediction_grid``: drawn as an
        arrow up from the grid's end when networks were predicted from), ``ablation_bound``
        ("below" where the value is the grid's first rate, an upper bound: an arrow down) and
        ``networks_predicted_from``.
    axes : Axes, one per architecture, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(dict.fromkeys(e["architecture"] for e in entries))
    fig, panels = axes_row(axes, len(names), size=(5.5 * len(names), 4.8))
    panels = np.atleast_1d(panels)
    for ax, name in zip(panels, names, strict=True):
        own = [e for e in entries if e["architecture"] == name]
        tau = _values(own, "delay_tau")
        _draw_measured(ax, own, "failed", "95% CI")
        ax.plot(tau, _values(own, "measured_trapped"), "x", color=OKABE_ITO["purple"], label="measured, 10% trapped")
        for k, (t, e) in enumerate(zip(tau, own, strict=True)):  # the sweep's rates: where an onset can be read
            ax.plot([t, t], e["rate_grid"], color=OKABE_ITO["sky"], lw=6, alpha=0.35, solid_capstyle="butt",
                    zorder=0, label="rates swept" if k == 0 else None)
        for key, (label, color, marker) in MORE_STYLE.items():
            rates = np.array([np.nan if e["ablation"][key] is None else e["ablation"][key] for e in own])
            if all(e["ablation"][key] is None and key == "without_momentum" for e in own):
                continue
            shown = np.isfinite(rates)
            ax.plot(tau[shown], rates[shown], marker=marker, ls="-", lw=1, color=color, label=label)
            for t, e, v in zip(tau, own, rates, strict=True):
                if not np.isfinite(v) and e["networks_predicted_from"]:  # not reached: up from the grid's end
                    v = e["prediction_grid"][1]
                    ax.plot([t], [v], marker=marker, mfc="none", color=color, ls="none")
                    _bound_arrow(ax, t, v, "above", color, factor=1.5)
                else:  # "below": reached at the grid's first rate, an upper bound
                    _bound_arrow(ax, t, v, e.get("ablation_bound", {}).get(key), color, factor=1.5)
        if any(b == "below" for e in own for b in e.get("ablation_bound", {}).values()):
            ax.set_ylim(bottom=0.5 * min(e["prediction_grid"][0] for e in own))  # room for the arrows down
        _draw_counts(ax, own)
        ax.set(xscale="log", yscale="log", xlabel="delay alpha T (tau)",
               ylabel="learning rate at which 10% fail", title=f"{name.capitalize()}: {own[0]['optimizer']}")
        no_minor_labels(ax)
        handles, labels = ax.get_legend_handles_labels()
        legend_below(ax, ncols=2, handles=handles[-1:] + handles[:-1], labels=labels[-1:] + labels[:-1])
    return fig
