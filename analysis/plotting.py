"""Figures of the ghost mechanism (matplotlib only).

Every function takes ``ax=None`` (or ``axes=``), draws on it or on a new figure, and returns
the :class:`matplotlib.figure.Figure`; none calls ``plt.show()``. Figures are created with
``matplotlib.figure.Figure`` directly, so no global pyplot state is touched. Colours are the
Okabe-Ito palette and colormaps are cividis/viridis, both colour-blind safe. Theory lines are
drawn dashed and labelled: r*, r*/4, eta_c, eta_s.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from scipy.integrate import solve_ivp

from reduced import (
    critical_learning_rate,
    loss,
    loss_and_grad,
    no_learning_gradient_asymptotic,
    no_learning_threshold,
    optimal_r,
    passage_time,
    sharp_gradient,
    sharp_loss,
)
from reduced.trajectory import trajectory_and_sensitivity

from .regimes import REGIMES

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]
REGIME_COLORS = {
    "learned": OKABE_ITO["blue"],
    "oscillating": OKABE_ITO["orange"],
    "trapped": OKABE_ITO["vermillion"],
    "diverged": OKABE_ITO["black"],
    "descending": "#BBBBBB",
}
THEORY = dict(ls="--", lw=1.3, color=OKABE_ITO["black"])
SPLIT_SHARE = 0.7  # phase maps hatch the cells where fewer seeds than this agree
ZONE_SHADE = dict(color=OKABE_ITO["vermillion"], alpha=0.10, lw=0)


def _convention(normalized: bool) -> str:
    return "normalized" if normalized else "integral"


def _new_axes(ax=None, *, size=(5.2, 3.8)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _new_axes_row(axes, n: int, *, size):
    if axes is not None:
        if len(axes) != n:
            raise ValueError(f"axes must hold {n} Axes")
        return axes[0].figure, list(axes)
    fig = Figure(figsize=size, layout="constrained")
    return fig, list(fig.subplots(1, n))


def _no_minor_labels(ax):
    """Keep log axes readable: no crowded minor labels; under two decades, label 1, 2 and 5 per
    decade in plain numbers so that the axis still carries several labels."""
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        if axis.get_scale() != "log":
            continue
        axis.set_minor_formatter(NullFormatter())
        if np.log10(max(limits) / min(limits)) < 2:
            axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(FormatStrFormatter("%g"))


def _mark_r_lines(ax, T: float, *, scale: float = 1.0, shade: bool = True, xmin=None):
    """Dashed r* and r*/4 lines and the shaded no-learning zone, on an axis in units of r/scale."""
    r_star, r_q = optimal_r(T) / scale, no_learning_threshold(T) / scale
    ax.axvline(r_star, **THEORY, label=r"$r^*=\pi^2/4T^2$")
    ax.axvline(r_q, ls=":", lw=1.3, color=OKABE_ITO["vermillion"], label=r"$r^*/4$ (no-learning edge)")
    if shade:
        left = ax.get_xlim()[0] if xmin is None else xmin
        ax.axvspan(left, r_q, **ZONE_SHADE, label="no-learning zone")


# --- 1. canonical form --------------------------------------------------------------------
def plot_canonical_form(r_values: Sequence[float] = (-0.25, 0.0, 0.25), *, ax=None):
    """dx/dt = x^2 + r against x, with fixed points (filled stable, open unstable) and the ghost."""
    fig, ax = _new_axes(ax)
    x = np.linspace(-1.2, 1.2, 401)
    ax.axhline(0, color="0.6", lw=0.8)
    for color, r in zip(CYCLE, r_values, strict=False):
        ax.plot(x, x**2 + r, color=color, lw=2, label=f"r = {r:g}")
        if r < 0:
            q = np.sqrt(-r)
            ax.plot([-q], [0], "o", color=color, ms=8, label="stable fixed point" if r == min(r_values) else None)
            ax.plot([q], [0], "o", mfc="white", mec=color, mew=2, ms=8,
                    label="unstable fixed point" if r == min(r_values) else None)
        elif r == 0:
            ax.plot([0], [0], marker="o", color=color, mfc="none", ms=9, mew=2, label="saddle-node (r = 0)")
        else:
            # inside the parabolas, above the ghost: the one place no curve passes
            ax.annotate("ghost: slow passage\n(min speed r)", xy=(0, r + 0.02), xytext=(0, r + 0.55),
                        ha="center", va="bottom", arrowprops=dict(arrowstyle="->", color=color),
                        color=color, fontsize=9)
    ax.set_xlabel("state x (a.u.)")
    ax.set_ylabel("dx/dt = x² + r (a.u. per unit time)")
    ax.set_title("Canonical saddle-node form")
    ax.set_ylim(-0.45, 2.6)
    ax.legend(fontsize=8, loc="upper center", ncols=2)
    return fig


# --- 2. trajectories and passage times ------------------------------------------------------
def plot_trajectories(r_values: Sequence[float] = (0.01, 0.04, 0.16), *, axes=None, x_max: float = 10.0):
    """x(t) from x0 = 0 for several r > 0, and the blow-up time against r (closed form vs ODE)."""
    fig, (ax_x, ax_t) = _new_axes_row(axes, 2, size=(10, 3.8))
    for color, r in zip(CYCLE, r_values, strict=False):
        t_inf = passage_time(r)
        t = np.linspace(0, 0.999 * t_inf, 600)
        x = trajectory_and_sensitivity(t, r)[0]
        ax_x.plot(t, np.clip(x, None, x_max), color=color, lw=2, label=f"r = {r:g}")
        ax_x.axvline(t_inf, color=color, ls="--", lw=1)
    ax_x.axhline(0, color="0.6", lw=0.8)
    ax_x.set_ylim(-0.5, x_max)
    ax_x.set_xlabel("time t (units of the ODE)")
    ax_x.set_ylabel("x(t), from x0 = 0")
    ax_x.set_title(r"Lingering at the ghost; dashed: $t_\infty=\pi/2\sqrt{r}$")
    ax_x.legend(fontsize=8)

    r_grid = np.geomspace(1e-4, 10, 40)
    ax_t.loglog(r_grid, passage_time(r_grid), color=OKABE_ITO["blue"], lw=2,
                label=r"closed form $\pi/(2\sqrt{r})$")
    r_pts = np.geomspace(1e-4, 10, 9)
    ax_t.loglog(r_pts, [_integrated_blowup(r, x_max=1e6) for r in r_pts], "o", color=OKABE_ITO["orange"],
                label="numerical: solve_ivp from x = 0 to 10⁶,\nplus the closed-form tail 1/10⁶")
    _no_minor_labels(ax_t)
    ax_t.set_xlabel("scale parameter r")
    ax_t.set_ylabel(r"blow-up time $t_\infty$")
    ax_t.set_title("Passage time through the ghost")
    ax_t.legend(fontsize=8)
    return fig


def _integrated_blowup(r: float, x_max: float) -> float:
    """Time from 0 to x_max by solve_ivp, plus the exact 1/x_max tail to infinity (~1e-6)."""
    def reach(_, y):
        return y[0] - x_max

    reach.terminal = True
    sol = solve_ivp(lambda _, y: y**2 + r, (0, 10 * passage_time(r)), [0.0], events=reach, rtol=1e-10,
                    atol=1e-12)
    return float(sol.t_events[0][0]) + 1.0 / x_max


# --- 3. the loss landscape ------------------------------------------------------------------
def plot_landscape(T: float = 100.0, a_values: Sequence[float] = (0.1, 1.0), *, x_star: float = 10.0,
                   dt: float = 0.1, normalized: bool = True, ax=None):
    """Sharp loss, finite-a continuous loss and the discrete reference model, against r/r*."""
    fig, ax = _new_axes(ax, size=(6.4, 4.2))
    r_star = optimal_r(T)
    rho = np.linspace(-1, 2, 601)
    r = rho * r_star
    scale = 1.0 if normalized else T
    ax.plot(rho, sharp_loss(r, T) * scale, color=OKABE_ITO["black"], lw=2.2, label="sharp limit (closed form)")
    rho_dots = np.linspace(-1, 2, 100)  # the reference code's grid
    for color, a in zip(CYCLE, a_values, strict=False):
        ax.plot(rho, loss(r, T, a=a, x_star=x_star, normalized=normalized), color=color, lw=1.8,
                label=f"a = {a:g}, continuous time")
        ax.plot(rho_dots, loss(rho_dots * r_star, T, a=a, x_star=x_star, dt=dt, normalized=normalized), "o",
                ms=3.2, color=color, mfc="none", label=f"a = {a:g}, Euler dt = {dt:g}")
    ax.set_xlim(-1, 2)
    _mark_r_lines(ax, T, scale=r_star, xmin=-1)
    ax.set_xlabel(r"scale parameter $r/r^*$")
    ax.set_ylabel(f"loss L(r) ({_convention(normalized)})")
    ax.set_title(f"Loss landscape, T = {T:g}, x* = {x_star:g}")
    ax.legend(fontsize=7, loc="lower left")
    return fig


# --- 4. vanishing gradients -----------------------------------------------------------------
def plot_vanishing_gradient(T: float = 100.0, a_values: Sequence[float] = (0.1, 0.3, 1.0, 2.0), *,
                            x_star: float = 10.0, normalized: bool = True, ax=None):
    """|dL/dr| against r/r* for several a, with the leading-order closed form at r = 0."""
    fig, ax = _new_axes(ax, size=(6.4, 4.2))
    r_star = optimal_r(T)
    rho = np.linspace(-1, 2, 901)
    rho = rho[np.abs(rho - 1) > 2e-3]
    for color, a in zip(CYCLE, a_values, strict=False):
        grad = np.abs(loss_and_grad(rho * r_star, T, a=a, x_star=x_star, normalized=normalized)[1])
        ax.semilogy(rho, grad, color=color, lw=1.8, label=f"a = {a:g}")
        asym = no_learning_gradient_asymptotic(T, a, x_star=x_star, normalized=normalized)
        ax.plot([0], [asym], marker="*", ms=13, color=color, mec="black", mew=0.6, ls="none",
                label=r"$3aT\,e^{-a x^*}$ at r = 0 (large $a x^*$)" if a == a_values[0] else None)
    sharp = np.abs(sharp_gradient(rho * r_star, T, normalized))
    ax.semilogy(rho[sharp > 0], sharp[sharp > 0], color=OKABE_ITO["black"], lw=1.2, ls="-.",
                label="sharp limit (0 in the zone)")
    ax.set_xlim(-1, 2)
    _mark_r_lines(ax, T, scale=r_star, xmin=-1)
    ax.set_xlabel(r"scale parameter $r/r^*$")
    ax.set_ylabel(f"|dL/dr| ({_convention(normalized)} loss)")
    ax.set_title("Vanishing gradient in the no-learning zone")
    ax.legend(fontsize=7, ncols=2, loc="lower right")
    return fig


# --- 5. learning dynamics -------------------------------------------------------------------
def plot_learning_dynamics(runs: dict, *, axes=None):
    """r_k and the loss against epoch for labelled runs, and GD against the gradient flow.

    ``runs`` maps a label to a dict with ``epochs``, ``r`` (in units of r*), ``loss``; an
    optional entry ``"flow"`` holds ``tau``, ``r_flow``, and ``gd`` as {label: (tau, r)}.
    """
    fig, (ax_r, ax_l, ax_f) = _new_axes_row(axes, 3, size=(15, 5.0))
    flow = runs.get("flow")
    for color, (label, run) in zip(CYCLE, ((k, v) for k, v in runs.items() if k != "flow"), strict=False):
        ax_r.plot(run["epochs"], run["r"], color=color, lw=1.2, label=label)
        ax_l.plot(run["epochs"], run["loss"], color=color, lw=1.5, label=label)
    ax_r.axhline(1.0, **THEORY, label=r"$r^*$")
    ax_r.axhline(0.25, ls=":", lw=1.3, color=OKABE_ITO["vermillion"], label=r"$r^*/4$")
    ax_r.axhspan(min(ax_r.get_ylim()[0], 0.0), 0.25, **ZONE_SHADE, label="no-learning zone")
    last = max(run["epochs"][-1] for k, run in runs.items() if k != "flow")
    for ax in (ax_r, ax_l):
        ax.set_xscale("symlog", linthresh=10)
        ax.set_xlim(0, last)
        ax.set_xlabel("epoch k (linear to 10, log beyond)")
    ax_r.set_ylabel(r"$r_k / r^*$")
    ax_r.set_title("Scale parameter under gradient descent")
    ax_r.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    ax_l.set_ylabel("loss (normalized)")
    ax_l.set_title("Loss: plateau, abrupt drop, oscillation, trapping")
    ax_l.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    if flow is not None:
        ax_f.plot(flow["tau"], flow["r_flow"], color=OKABE_ITO["black"], lw=2.5, label="gradient flow (solve_ivp)")
        for color, (label, (tau, r)) in zip(CYCLE[1:], flow["gd"].items(), strict=False):
            ax_f.plot(tau, r, color=color, lw=1.2, ls="--", label=label)
        ax_f.axhline(1.0, **THEORY, label=r"$r^*$")
        ax_f.set_xlabel(r"flow time $\tau = \eta k$")
        ax_f.set_ylabel(r"$r / r^*$")
        ax_f.set_title("Gradient descent approaches the flow as η → 0")
        ax_f.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    return fig


# --- 6. reference experiment ----------------------------------------------------------------
def plot_reference_experiment(ds, *, ax=None):
    """Mean loss against eta at several epochs (log-log), with the closed-form eta_c."""
    fig, ax = _new_axes(ax, size=(6.0, 4.2))
    colors = [_viridis(x) for x in np.linspace(0.1, 0.85, ds.epoch.size)]
    for color, epoch in zip(colors, ds.epoch.values, strict=True):
        m = ds.loss_mean.sel(epoch=epoch).values
        e = ds.loss_sem.sel(epoch=epoch).values
        ax.errorbar(ds.eta.values, m, yerr=e, color=color, lw=1.4, capsize=0, label=f"epoch {epoch}")
    ax.axvline(ds.attrs["eta_c_closed_form"], **THEORY, label=r"$\eta_c=3\pi^4/32T^5$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate η (integral convention)")
    ax.set_ylabel("mean loss over seeds (normalized)")
    ax.set_title(f"Reference experiment, T = {ds.attrs['T']:g}, {ds.attrs['seeds']} seeds")
    ax.legend(fontsize=7, title="after", title_fontsize=7)
    return fig


def _viridis(x):
    from matplotlib import colormaps

    return colormaps["viridis"](x)


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
    cmap = ListedColormap([REGIME_COLORS[name] for name in REGIMES])
    norm = BoundaryNorm(np.arange(len(REGIMES) + 1) - 0.5, cmap.N)
    mesh = ax.pcolormesh(x, y, codes, cmap=cmap, norm=norm, shading="nearest", rasterized=True)
    cbar = ax.figure.colorbar(mesh, ax=ax, ticks=np.arange(len(REGIMES)))
    cbar.ax.set_yticklabels(REGIMES)
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
    fig, ax = _new_axes(ax, size=(6.4, 4.6))
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
    fig, ax = _new_axes(ax, size=(6.4, 4.6))
    _regime_map(ax, ds, "a", "output confidence a (sigmoid gain)")
    ax.plot(ds.a.values, ds.eta_s.isel(T=0).values, color=OKABE_ITO["sky"], lw=2.2, ls="--",
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
    fig, ax = _new_axes(ax, size=(5.6, 4.2))
    T = np.asarray(T, dtype=float)
    T_line = np.geomspace(T.min(), T.max(), 100)
    # the fit underneath, wide and pale; the theory line dashed on top, so both stay visible
    ax.loglog(T_line, fit.prefactor * T_line**fit.exponent, color=OKABE_ITO["sky"], lw=5, alpha=0.6, zorder=1,
              label=f"fit: exponent {fit.exponent:.4f} [{fit.ci[0]:.4f}, {fit.ci[1]:.4f}] (95% CI)")
    ax.loglog(T_line, critical_learning_rate(T_line, normalized), **(THEORY | {"zorder": 3}),
              label=rf"closed form $3\pi^4/32T^{{{4 if normalized else 5}}}$")
    ax.loglog(T, eta_numeric, "o", ms=7, color=OKABE_ITO["orange"], label=label, zorder=2)
    ax.set_xlabel("task delay T")
    ax.set_ylabel(rf"critical learning rate $\eta_c$ ({_convention(normalized)})")
    ax.set_title("Critical learning rate falls as a power of T")
    ax.legend(fontsize=8)
    return fig


# --- 10. normal-form reduction --------------------------------------------------------------
def plot_normal_form(reduction, distances, *, axes=None, half_width: float = 0.5):
    """Integrated bottleneck passage time against mu - mu_c with the prediction pi/sqrt(r(mu)),
    and a phase portrait of the (2-D) flow just past the fold, showing the ghost."""
    fig, (ax_t, ax_flow) = _new_axes_row(axes, 2, size=(10.5, 4.2))
    mu_c = float(reduction.mu_c)
    side = 1.0 if float(reduction.r_numeric(mu_c + 1e-6)) > 0 else -1.0
    distances = np.asarray(distances, dtype=float)
    mus = mu_c + side * distances
    measured = [reduction.integrated_passage_time(m, half_width) for m in mus]
    d_line = np.geomspace(distances.min(), distances.max(), 100)
    ax_t.loglog(d_line, reduction.passage_time(mu_c + side * d_line), **THEORY,
                label=r"prediction $\pi/\sqrt{r(\mu)}$, $r = AB(\mu-\mu_c)$")
    ax_t.loglog(distances, measured, "o", ms=7, color=OKABE_ITO["orange"], label="full system, solve_ivp")
    _no_minor_labels(ax_t)
    ax_t.set_xlabel(r"distance past the fold $|\mu-\mu_c|$")
    ax_t.set_ylabel("time to cross the bottleneck")
    ax_t.set_title(f"Normal form predicts the passage (A = {float(reduction.A):.3g}, B = {float(reduction.B):.3g})")
    ax_t.legend(fontsize=8)

    if len(reduction.x) == 2:
        import sympy as sp

        mu_plot = mu_c + side * distances.max()
        f = sp.lambdify(reduction.x, list(reduction.f.subs(reduction.mu, mu_plot)), "numpy")
        xc = np.array(reduction.x_c, dtype=float).ravel()
        g0, g1 = np.meshgrid(np.linspace(xc[0] - 1, xc[0] + 1, 40), np.linspace(xc[1] - 1, xc[1] + 1, 40))
        u, v = (np.broadcast_to(np.asarray(c, dtype=float), g0.shape) for c in f(g0, g1))
        speed = np.hypot(u, v)
        strm = ax_flow.streamplot(g0, g1, u, v, color=np.log10(speed + 1e-12), cmap="cividis", density=1.1)
        fig.colorbar(strm.lines, ax=ax_flow, label="log10 speed")
        ax_flow.plot(*xc, marker="*", ms=16, color=OKABE_ITO["vermillion"], mec="black", ls="none",
                     label="ghost (former saddle-node)")
        vv = np.array(reduction.v, dtype=float).ravel()
        vv = vv / np.linalg.norm(vv)
        ax_flow.plot([xc[0] - vv[0], xc[0] + vv[0]], [xc[1] - vv[1], xc[1] + vv[1]], **THEORY,
                     label="centre direction v")
        ax_flow.set_xlabel(f"{reduction.x[0]}")
        ax_flow.set_ylabel(f"{reduction.x[1]}")
        ax_flow.set_title(f"Flow at μ − μ_c = {side * distances.max():.2g}: slow near the ghost")
        ax_flow.legend(fontsize=8, loc="upper left")
    else:
        ax_flow.set_axis_off()
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
    fig, (left, right) = _new_axes_row(axes, 2, size=(11.0, 4.2))
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
    right.set_ylabel(rf"critical learning rate $\eta_c$ ({_convention(normalized)})")
    right.set_title(r"Adam: $\eta_c \propto r^* \propto T^{-2}$; momentum keeps $T^{-4}$")
    right.legend(fontsize=7.5, loc="lower left")
    return fig
