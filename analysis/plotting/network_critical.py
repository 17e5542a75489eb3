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
    def values(key):
        return np.array([np.nan if e[key] is None else e[key] for e in entries], float)

    measured = values("measured")
    ci = np.array([[np.nan if v is None else v for v in e["measured_ci"]] for e in entries], float)
    exponent = entries[0]["measured_exponent"]
    suffix = "" if exponent is None else (f"; exponent {exponent:.2f} [{entries[0]['measured_exponent_ci'][0]:.2f}, "
                                          f"{entries[0]['measured_exponent_ci'][1]:.2f}]")
    left.errorbar(tau, measured, yerr=[measured - ci[:, 0], ci[:, 1] - measured], fmt="o", color=OKABE_ITO["black"],
                  capsize=3, label="measured, 10% trapped (95% CI over seeds)" + suffix)
    left.plot(tau, values("measured_q50"), "o", mfc="none", color=OKABE_ITO["black"],
              label="measured, 50% trapped")
    for key, (label, color, marker) in ABLATION_STYLE.items():
        rates = np.array([np.nan if e["ablation"][key] is None else e["ablation"][key] for e in entries])
        bounds = [e["ablation_bound"][key] for e in entries]
        shown = np.isfinite(rates)
        exponent = entries[0]["ablation_exponent"][key]
        suffix = "" if exponent is None else f"; exponent {exponent:.2f}"
        left.plot(tau[shown], rates[shown], marker=marker, ls="-", lw=1, color=color, label=label + suffix)
        for t, v, b in zip(tau, rates, bounds, strict=True):
            if b in ("above", "below"):  # the 10% rate lies beyond the grid: an arrow from its end
                left.annotate("", (t, v * (0.8 if b == "below" else 1.25)), (t, v),
                              arrowprops=dict(arrowstyle="->", color=color, lw=1))
        ratio = rates / measured
        right.plot(tau[shown], ratio[shown], marker=marker, ls="-", lw=1, color=color, label=label)
    for e in entries:  # how many learned networks each prediction rests on
        if e.get("networks_predicted_from") is not None:
            left.annotate(f"n={e['networks_predicted_from']}", (e["delay_tau"], 0), xycoords=("data", "axes fraction"),
                          xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7,
                          color=OKABE_ITO["vermillion"])
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


MORE_STYLE = {  # (label, colour, marker) of the predictions of figure 23
    "closed_form": ("closed-form mapping (sharp)", OKABE_ITO["orange"], "s"),
    "own_landscape": ("own 1-D model", OKABE_ITO["vermillion"], "o"),
    "start_above": ("own model, started above", OKABE_ITO["green"], "^"),
    "without_momentum": ("own model without momentum", OKABE_ITO["blue"], "v"),
}


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
        tau = np.array([e["delay_tau"] for e in own])

        def values(key, rows=own):
            return np.array([np.nan if e[key] is None else e[key] for e in rows], float)

        measured = values("measured")
        ci = np.array([[np.nan if v is None else v for v in e["measured_ci"]] for e in own], float)
        exponent = own[0]["measured_exponent"]
        suffix = "" if exponent is None else (f"; exponent {exponent:.2f} [{own[0]['measured_exponent_ci'][0]:.2f}, "
                                              f"{own[0]['measured_exponent_ci'][1]:.2f}]")
        ax.errorbar(tau, measured, yerr=[measured - ci[:, 0], ci[:, 1] - measured], fmt="o",
                    color=OKABE_ITO["black"], capsize=3, label="measured, 10% failed (95% CI)" + suffix)
        ax.plot(tau, values("measured_q50"), "o", mfc="none", color=OKABE_ITO["black"], label="measured, 50% failed")
        ax.plot(tau, values("measured_trapped"), "x", color=OKABE_ITO["purple"], label="measured, 10% trapped")
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
                bound = e.get("ablation_bound", {}).get(key)
                if not np.isfinite(v) and e["networks_predicted_from"]:  # not reached: an arrow from the grid's end
                    top = e["prediction_grid"][1]
                    ax.annotate("", (t, top * 1.3), (t, top), arrowprops=dict(arrowstyle="->", color=color, lw=1))
                    ax.plot([t], [top], marker=marker, mfc="none", color=color, ls="none")
                elif bound == "below":  # reached at the grid's first rate: an upper bound, an arrow down
                    ax.annotate("", (t, v / 1.3), (t, v), arrowprops=dict(arrowstyle="->", color=color, lw=1))
        if any(b == "below" for e in own for b in e.get("ablation_bound", {}).values()):
            ax.set_ylim(bottom=0.5 * min(e["prediction_grid"][0] for e in own))  # room for the arrows down
        for e in own:
            ax.annotate(f"n={e['networks_predicted_from']}", (e["delay_tau"], 0), xycoords=("data", "axes fraction"),
                        xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7,
                        color=OKABE_ITO["vermillion"])
        ax.set(xscale="log", yscale="log", xlabel="delay alpha T (tau)",
               ylabel="learning rate at which 10% fail", title=f"{name.capitalize()}: {own[0]['optimizer']}")
        no_minor_labels(ax)
        handles, labels = ax.get_legend_handles_labels()
        legend_below(ax, ncols=2, handles=handles[-1:] + handles[:-1], labels=labels[-1:] + labels[:-1])
    return fig
