"""Figures of the 1-D reduced model: the canonical form, passage times, the landscape, the two
failure modes, learning dynamics, the reference experiment and the normal-form reduction.

Theory lines are drawn dashed and labelled: r*, r*/4, eta_c, eta_s.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.integrate import solve_ivp

from reduced import (
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

from .style import (
    CYCLE,
    OKABE_ITO,
    THEORY,
    ZONE_SHADE,
    axes_row,
    convention_label,
    legend_below,
    new_axes,
    no_minor_labels,
    viridis,
)


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
    fig, ax = new_axes(ax)
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
    fig, (ax_x, ax_t) = axes_row(axes, 2, size=(10, 3.8))
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
    no_minor_labels(ax_t)
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
    fig, ax = new_axes(ax, size=(6.4, 4.2))
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
    ax.set_ylabel(f"loss L(r) ({convention_label(normalized)})")
    ax.set_title(f"Loss landscape, T = {T:g}, x* = {x_star:g}")
    legend_below(ax, ncols=3)
    return fig


# --- 4. vanishing gradients -----------------------------------------------------------------
def plot_vanishing_gradient(T: float = 100.0, a_values: Sequence[float] = (0.1, 0.3, 1.0, 2.0), *,
                            x_star: float = 10.0, normalized: bool = True, ax=None):
    """|dL/dr| against r/r* for several a, with the leading-order closed form at r = 0."""
    fig, ax = new_axes(ax, size=(6.4, 4.2))
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
    ax.set_ylabel(f"|dL/dr| ({convention_label(normalized)} loss)")
    ax.set_title("Vanishing gradient in the no-learning zone")
    legend_below(ax, ncols=3)
    return fig


# --- 5. learning dynamics -------------------------------------------------------------------
def plot_learning_dynamics(runs: dict, *, axes=None):
    """r_k and the loss against epoch for labelled runs, and GD against the gradient flow.

    ``runs`` maps a label to a dict with ``epochs``, ``r`` (in units of r*), ``loss``; an
    optional entry ``"flow"`` holds ``tau``, ``r_flow``, and ``gd`` as {label: (tau, r)}.
    """
    fig, (ax_r, ax_l, ax_f) = axes_row(axes, 3, size=(15, 5.0))
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
    fig, ax = new_axes(ax, size=(6.0, 4.2))
    colors = [viridis(x) for x in np.linspace(0.1, 0.85, ds.epoch.size)]
    for color, epoch in zip(colors, ds.epoch.values, strict=True):
        m = ds.loss_mean.sel(epoch=epoch).values
        e = ds.loss_sem.sel(epoch=epoch).values
        ax.errorbar(ds.eta.values, m, yerr=e, color=color, lw=1.4, capsize=0, label=f"epoch {epoch}")
    ax.axvline(ds.attrs["eta_c_closed_form"], **THEORY, label=r"$\eta_c=3\pi^4/32T^5$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    # the reference steps on the gradient of the integral loss but reports its time average
    ax.set_xlabel("learning rate η, on the gradient of the integral loss ∫(y − target)² dt")
    ax.set_ylabel("mean loss over seeds, time-averaged\n(1/T) ∫(y − target)² dt, in [0, 1]")
    ax.set_title(f"Reference experiment, T = {ds.attrs['T']:g}, {ds.attrs['seeds']} seeds")
    ax.legend(fontsize=7, title="after", title_fontsize=7)
    return fig


# --- 10. normal-form reduction --------------------------------------------------------------
def plot_normal_form(reduction, distances, *, axes=None, half_width: float = 0.5):
    """Integrated bottleneck passage time against mu - mu_c with the prediction pi/sqrt(r(mu)),
    and a phase portrait of the (2-D) flow just past the fold, showing the ghost."""
    fig, (ax_t, ax_flow) = axes_row(axes, 2, size=(10.5, 4.2))
    mu_c = float(reduction.mu_c)
    side = 1.0 if float(reduction.r_numeric(mu_c + 1e-6)) > 0 else -1.0
    distances = np.asarray(distances, dtype=float)
    mus = mu_c + side * distances
    measured = [reduction.integrated_passage_time(m, half_width) for m in mus]
    d_line = np.geomspace(distances.min(), distances.max(), 100)
    ax_t.loglog(d_line, reduction.passage_time(mu_c + side * d_line), **THEORY,
                label=r"prediction $\pi/\sqrt{r(\mu)}$, $r = AB(\mu-\mu_c)$")
    ax_t.loglog(distances, measured, "o", ms=7, color=OKABE_ITO["orange"], label="full system, solve_ivp")
    no_minor_labels(ax_t)
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
