"""Figures of the descent on r: phase diagrams over (T, eta) and (a, eta), eta_c against T, optimisers."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

from reduced import critical_learning_rate

from ..regimes import REGIMES
from .style import (
    CYCLE,
    OKABE_ITO,
    REGIME_COLORS,
    SPLIT_SHARE,
    THEORY,
    axes_row,
    convention_label,
    new_axes,
)


# --- 7 and 8. phase diagrams ----------------------------------------------------------------
def check_phase_diagram(ds, x_name: str, caller: str) -> None:
    """Refuse, with a message saying what is expected, a diagram this map cannot draw faithfully."""
    other = {"T": "a", "a": "T"}[x_name]
    if not all(k in getattr(ds, "variables", {}) for k in ("regime", "eta", x_name, other)):
        raise ValueError(f"{caller} expects a phase_diagram Dataset (variables regime, eta, T, a)")
    if ds.sizes["eta"] < 2 or ds.sizes[x_name] < 2:
        raise ValueError(f"{caller} draws a map over (eta, {x_name}) and needs at least two values of each; "
                         f"got {ds.sizes['eta']} eta and {ds.sizes[x_name]} {x_name}. Sweep {x_name} "
                         f"(phase_diagram({x_name}=[...])) or plot the regime fractions against eta instead")
    if ds.sizes[other] != 1:
        raise ValueError(f"{caller} draws one {other} at a time; the diagram has {ds.sizes[other]} values of "
                         f"{other}: select one, e.g. ds.sel({other}={float(ds[other][0]):g})")


def _regime_map(ax, ds, x_name: str, xlabel: str):
    """The majority-regime map of a phase diagram over (x, eta), log-log, with a colorbar."""
    other = {"T": "a", "a": "T"}[x_name]
    codes = ds.regime.isel({other: 0}).values  # (eta, x)
    x, y = ds[x_name].values, ds.eta.values
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"learning rate η ({ds.attrs['convention']} convention)")
    present = np.unique(codes)  # the colour bar lists only the regimes that appear in the map
    position = np.searchsorted(present, codes)
    cmap = ListedColormap([REGIME_COLORS[REGIMES[c]] for c in present])
    norm = BoundaryNorm(np.arange(present.size + 1) - 0.5, cmap.N)
    mesh = ax.pcolormesh(x, y, position, cmap=cmap, norm=norm, shading="nearest", rasterized=True)
    cbar = ax.figure.colorbar(mesh, ax=ax, ticks=np.arange(present.size))
    cbar.ax.set_yticklabels([REGIMES[c] for c in present])
    cbar.set_label("majority regime over seeds")
    if "regime_fraction" in ds:
        # Near the onset a run is trapped or not depending on the phase of its oscillation, so the
        # seeds of one cell can disagree: hatch those cells rather than let the majority hide it.
        share = ds.regime_fraction.isel({other: 0}).max("regime_name").transpose("eta", x_name).values
        split = (share < SPLIT_SHARE).astype(float)
        if split.any():
            ax.contourf(x, y, split, levels=[0.5, 1.5], colors="none", hatches=["////"])
            ax.fill_between([], [], facecolor="none", hatch="////", edgecolor="0.2",
                            label=f"seeds split (majority < {SPLIT_SHARE:.0%})")
    return mesh


def plot_phase_eta_T(ds, *, ax=None):
    """Regimes over (T, eta) with the closed-form theory line eta_c(T)."""
    check_phase_diagram(ds, "T", "plot_phase_eta_T")
    fig, ax = new_axes(ax, size=(6.4, 4.6))
    _regime_map(ax, ds, "T", "task delay T")
    power = 4 if ds.attrs["convention"] == "normalized" else 5
    ax.plot(ds["T"].values, ds.eta_c.values, **THEORY, label=rf"$\eta_c(T)=3\pi^4/32T^{{{power}}}$ (closed form)")
    learned = np.argwhere(ds.regime.isel(a=0).values == REGIMES.index("learned"))
    if ds.attrs.get("sharp_limit", 1) and learned.size:
        i, j = learned[len(learned) // 2]
        ax.annotate("learned: a thin band. At the kink r* plain descent never settles\n"
                    "(it oscillates with an amplitude that grows with η), so runs\n"
                    "count as learned only while their oscillation still decays",
                    xy=(ds["T"].values[j], ds.eta.values[i]), xytext=(0.03, 0.04), textcoords="axes fraction",
                    fontsize=7, color=OKABE_ITO["black"], arrowprops=dict(arrowstyle="->", color=OKABE_ITO["black"]),
                    bbox=dict(boxstyle="round", fc="white", ec="0.7", alpha=0.9))
    which = "Sharp limit" if ds.attrs.get("sharp_limit", 1) else f"a = {float(ds.a[0]):g}"
    ax.set_title(f"{which}: {ds.attrs['seeds']} seeds, {ds.attrs['epochs']} epochs, r0 ≈ {ds.attrs['rho0']:g} r*")
    ax.legend(fontsize=8, loc="upper right")
    return fig


def plot_phase_eta_a(ds, *, ax=None):
    """Regimes over (a, eta): vanishing-gradient (trapped) and oscillatory; eta_s(a) overlaid."""
    check_phase_diagram(ds, "a", "plot_phase_eta_a")
    fig, ax = new_axes(ax, size=(6.4, 4.6))
    _regime_map(ax, ds, "a", "output confidence a (sigmoid gain)")
    # white under black dashes: the line stays visible on the blue and the orange regions alike
    ax.plot(ds.a.values, ds.eta_s.isel(T=0).values, color="white", lw=3.2, zorder=3)
    ax.plot(ds.a.values, ds.eta_s.isel(T=0).values, color=OKABE_ITO["black"], lw=1.6, ls=(0, (6, 2, 1, 2)), zorder=4,
            label=r"$\eta_s(a)=2/L''(r_{min})$ (landscape)")
    ax.axhline(float(ds.eta_c.isel(T=0)), **THEORY, label=r"sharp-limit $\eta_c$")
    ax.set_title(f"T = {float(ds['T'][0]):g}, r0 ≈ {ds.attrs['rho0']:g} r*, {ds.attrs['seeds']} seeds, "
                 f"{ds.attrs['epochs']} epochs")
    ax.legend(fontsize=8, loc="lower left")
    return fig


# --- 9. scaling ------------------------------------------------------------------------------
def plot_scaling(T, eta_numeric, fit, *, normalized: bool = True, ax=None,
                 label: str = "numeric (first trapping rate)"):
    """eta_c against T (log-log): numeric points, closed form and fitted power law."""
    fig, ax = new_axes(ax, size=(5.6, 4.2))
    T = np.asarray(T, dtype=float)
    T_line = np.geomspace(T.min(), T.max(), 100)
    # the fit underneath, wide and pale; the theory line dashed on top, so both stay visible
    ax.loglog(T_line, fit.prefactor * T_line**fit.exponent, color=OKABE_ITO["sky"], lw=5, alpha=0.6, zorder=1,
              label=f"fit: exponent {fit.exponent:.4f} [{fit.ci[0]:.4f}, {fit.ci[1]:.4f}] (95% CI)")
    ax.loglog(T_line, critical_learning_rate(T_line, normalized), **(THEORY | {"zorder": 3}),
              label=rf"closed form $3\pi^4/32T^{{{4 if normalized else 5}}}$")
    ax.loglog(T, eta_numeric, "o", ms=7, color=OKABE_ITO["orange"], label=label, zorder=2)
    ax.set_xlabel("task delay T")
    ax.set_ylabel(rf"critical learning rate $\eta_c$ ({convention_label(normalized)})")
    ax.set_title("Critical learning rate falls as a power of T")
    ax.legend(fontsize=8)
    return fig


# --- 12. momentum and Adam ------------------------------------------------------------------
def plot_optimizers(momentum, eta_ratio, T, curves: dict, *, normalized: bool = True, axes=None):
    """Critical learning rates of heavy-ball momentum and Adam.

    Left: eta_c(mu) / eta_c(plain descent, closed form) against the momentum coefficient mu,
    with the plain closed form (mu = 0) and the quasi-static estimate 1 - mu. Right: eta_c
    against T for each optimiser, ``curves[label] = (eta_c, fit, theory_or_None)`` where
    ``theory`` is a callable of T drawn dashed.
    """
    momentum = np.asarray(momentum, dtype=float)
    eta_ratio = np.asarray(eta_ratio, dtype=float)
    if momentum.shape != eta_ratio.shape or momentum.ndim != 1:
        raise ValueError("momentum and eta_ratio must be 1-D arrays of the same length")
    fig, (left, right) = axes_row(axes, 2, size=(11.0, 4.2))
    mu_line = np.linspace(0, momentum.max(), 200)
    left.plot(mu_line, 1 - mu_line, **(THEORY | {"color": OKABE_ITO["vermillion"]}),
              label=r"quasi-static estimate $1-\mu$ (effective rate $\eta/(1-\mu)$)")
    left.plot(momentum, eta_ratio, "o-", color=OKABE_ITO["blue"], ms=5, label="numeric (first trapping rate)")
    left.plot([0], [1], "*", ms=14, color=OKABE_ITO["black"], zorder=4,
              label=r"plain descent, closed form $\beta_c=3/4$")
    left.set_xlabel(r"momentum coefficient $\mu$ (heavy ball: $v \leftarrow \mu v + g$, $r \leftarrow r - \eta v$)")
    left.set_ylabel(r"$\eta_c(\mu)\,/\,\eta_c^{\mathrm{GD}}$ (any T: the map is universal)")
    left.set_ylim(0, 1.08)
    left.set_title("Momentum lowers the critical learning rate")
    left.legend(fontsize=8, loc="lower left")
    T = np.asarray(T, dtype=float)
    T_line = np.geomspace(T.min(), T.max(), 100)
    markers = iter("osD^v")
    for color, (label, (eta_c, fit, theory)) in zip(CYCLE, curves.items(), strict=False):
        right.loglog(T, eta_c, next(markers), color=color, ms=6,
                     label=f"{label}: exponent {fit.exponent:.3f} [{fit.ci[0]:.3f}, {fit.ci[1]:.3f}]")
        right.loglog(T_line, fit.prefactor * T_line**fit.exponent, color=color, lw=4, alpha=0.35)
        if theory is not None:
            right.loglog(T_line, theory(T_line), **(THEORY | {"lw": 1.0}))
    right.plot([], [], **THEORY, label=r"closed form (plain descent); $\kappa r^*$, $\kappa$ measured (Adam)")
    right.set_xlabel("task delay T")
    right.set_ylabel(rf"critical learning rate $\eta_c$ ({convention_label(normalized)})")
    right.set_title(r"Adam: $\eta_c \propto r^* \propto T^{-2}$; momentum keeps $T^{-4}$")
    right.legend(fontsize=7.5, loc="lower left")
    return fig
