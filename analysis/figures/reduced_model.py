"""Recipes of the reduced-model figures (01-10, 12): each computes its data and returns
``(figure, summary entries)``; the runner saves the figure and merges the entries into summary.json.
"""

from __future__ import annotations

import numpy as np

from reduced import (
    critical_learning_rate,
    gradient_flow_time,
    minimum,
    optimal_r,
    oscillation_threshold_asymptotic,
    reduce_saddle_node,
)

from .. import plotting
from ..descent import (
    critical_learning_rate_numeric,
    descend,
    fit_power_law,
    gradient_flow,
    reference_experiment,
    summarize_runs,
)
from ..regimes import REGIMES, Criteria
from .context import Context, cached_diagram


def fig_canonical_form(ctx: Context):
    return plotting.plot_canonical_form(), {}


def fig_trajectories(ctx: Context):
    return plotting.plot_trajectories(), {}


def fig_landscape(ctx: Context):
    return plotting.plot_landscape(100.0, (0.1, 1.0)), {}


def fig_vanishing_gradient(ctx: Context):
    return plotting.plot_vanishing_gradient(100.0, (0.1, 0.3, 1.0, 2.0)), {}


def fig_learning_dynamics(ctx: Context):
    summary = {}
    T = 100.0
    r_star = optimal_r(T)
    eta_c = critical_learning_rate(T)
    runs = {}
    for label, factor in (("sharp, η = 0.5 η_c (oscillates)", 0.5), ("sharp, η = 1.1 η_c (trapped)", 1.1)):
        run = descend(10 * r_star, factor * eta_c, T, 3000)
        runs[label] = dict(epochs=run.epochs, r=run.r / r_star, loss=run.loss)
    # abrupt learning: low confidence, start inside the no-learning zone, stable step size
    a = 0.1
    eta = 0.5 * float(minimum(T, a).eta_s)
    run = descend(0.2 * r_star, eta, T, 60_000, a=a, gradient="table", record_every=20)
    label = f"a = {a:g}, from r0 = 0.2 r*, η = 0.5 η_s (plateau, abrupt drop)"
    runs[label] = dict(epochs=run.epochs, r=run.r / r_star, loss=run.loss)
    outcome = summarize_runs(0.2 * r_star, eta, T, 60_000, a=a, criteria=Criteria())
    summary["plateau"] = {
        "setting": f"T = {T:g}, a = {a:g}, x* = 10, r0 = 0.2 r*, eta = 0.5 eta_s = {eta:.4g}, 60000 epochs",
        "regime": REGIMES[int(outcome.regime)],
        "plateau_length": float(outcome.stats.plateau_length),
        "drop_epoch": float(outcome.stats.drop_epoch),
        "drop_sharpness_per_epoch": float(outcome.stats.drop_sharpness),
        "epochs_to_learn": float(outcome.stats.epochs_to_learn),
    }
    # GD against the gradient flow
    r0 = 4 * r_star
    tau_end = 1.2 * float(gradient_flow_time(r0, T))
    tau = np.linspace(0, tau_end, 400)
    flow = gradient_flow(r0, T, tau)
    gd = {}
    for k in (8, 32, 128):
        run = descend(r0, tau_end / k, T, k)
        gd[f"GD, {k} steps (η = τ_end/{k})"] = (run.epochs * tau_end / k, run.r / r_star)
    runs["flow"] = dict(tau=tau, r_flow=flow.r / r_star, gd=gd)
    return plotting.plot_learning_dynamics(runs), summary


def fig_reference_experiment(ctx: Context):
    summary = {}
    ds = reference_experiment()
    final = ds.loss_mean.sel(epoch=10_000).values
    below_half = np.flatnonzero(final <= 0.5)  # the jump: from here on the loss stays above 1/2
    jump = float(ds.eta.values[below_half[-1] + 1]) if below_half.size < final.size else float(ds.eta.values[0])
    summary["reference_experiment"] = {
        "eta_c_closed_form": ds.attrs["eta_c_closed_form"],
        "eta_where_loss_jumps_above_half": jump,
        "ratio": jump / ds.attrs["eta_c_closed_form"],
    }
    return plotting.plot_reference_experiment(ds), summary


def fig_phase_eta_T(ctx: Context):
    n_eta, n_T = ctx.settings.eta_T_grid
    T = np.geomspace(10, 1000, n_T)
    eta_c = critical_learning_rate(T)
    eta = np.geomspace(eta_c.min() / 10, eta_c.max() * 10, n_eta)
    ds = cached_diagram(ctx, "phase_eta_T", eta=eta, T=T, seeds=ctx.settings.seeds, epochs=ctx.settings.epochs)
    return plotting.plot_phase_eta_T(ds), {}


def eta_a_diagram(ctx: Context):
    n_eta, n_a = ctx.settings.eta_a_grid
    a = np.geomspace(0.05, 5.0, n_a)
    eta = np.geomspace(3e-12, 1e-6, n_eta)
    return cached_diagram(ctx, "phase_eta_a", eta=eta, a=a, T=100.0, seeds=ctx.settings.seeds,
                           epochs=ctx.settings.epochs, rho0=1.5)


def fig_phase_eta_a(ctx: Context):
    return plotting.plot_phase_eta_a(eta_a_diagram(ctx)), {}


def fig_scaling(ctx: Context):
    summary = {}
    T = np.geomspace(10, 1000, ctx.settings.scaling_T)
    rows, fits = [], {}
    for normalized in (True, False):
        # the onset of trapping needs enough seeds to be caught within 1% of eta_c: 10, as the reference;
        # new runs at every T, so that the fit's confidence interval measures real scatter
        eta_num = critical_learning_rate_numeric(T, normalized=normalized, seeds=10, independent=True)
        fit = fit_power_law(T, eta_num)
        name = "normalized" if normalized else "integral"
        fits[name] = {"exponent": fit.exponent, "ci95": list(fit.ci), "closed_form_exponent": -4 if normalized else -5}
        for t, e in zip(T, eta_num, strict=True):
            closed = float(critical_learning_rate(t, normalized))
            rows.append({"T": float(t), "convention": name, "closed_form": closed, "numeric": float(e),
                         "relative_difference": float(e / closed - 1)})
        if normalized:
            fig = plotting.plot_scaling(T, eta_num, fit, normalized=True)
    T_finite = np.geomspace(25, 400, 5)
    for a in (1.0, 3.0):
        eta_a = critical_learning_rate_numeric(T_finite, a=a, seeds=ctx.settings.seeds,
                                               epochs=min(ctx.settings.epochs, 5000), independent=True)
        fit = fit_power_law(T_finite, eta_a)
        fits[f"finite a = {a:g}, x* = 10"] = {"exponent": fit.exponent, "ci95": list(fit.ci),
                                              "T": T_finite.tolist(), "eta_c": np.asarray(eta_a).tolist()}
    summary["eta_c"] = rows
    summary["exponents"] = fits
    a = np.array([0.3, 1.0, 3.0, 10.0])
    eta_a = critical_learning_rate_numeric(100.0, a=a, seeds=ctx.settings.seeds, epochs=ctx.settings.epochs)
    rho0 = np.array([2.0, 5.0, 10.0, 20.0])
    eta_rho = critical_learning_rate_numeric(100.0, rho0=rho0, seeds=ctx.settings.seeds, epochs=ctx.settings.epochs)
    closed = float(critical_learning_rate(100.0))
    summary["eta_c_vs_a"] = {"T": 100.0, "x_star": 10.0, "closed_form_sharp": closed,
                                 "a": a.tolist(), "eta_c": np.asarray(eta_a).tolist()}
    summary["eta_c_vs_rho0"] = {"T": 100.0, "closed_form_sharp": closed,
                                    "rho0": rho0.tolist(), "eta_c": np.asarray(eta_rho).tolist()}
    return fig, summary


def fig_optimizers(ctx: Context):
    """eta_c against the momentum coefficient, and against T for plain descent, momentum and Adam."""
    summary = {}
    mu = np.round(np.linspace(0.0, 0.9, 10) if ctx.settings.quick else np.linspace(0.0, 0.95, 20), 6)
    T0 = 100.0
    runs = dict(seeds=10, epochs=ctx.settings.epochs)
    eta_mu = critical_learning_rate_numeric(T0, optimizer="momentum", momentum=mu, **runs)
    ratio = np.asarray(eta_mu) / float(critical_learning_rate(T0))
    T = np.geomspace(10, 1000, ctx.settings.scaling_T)
    curves, fits = {}, {}
    for label, options, theory in (
        ("plain descent", {}, critical_learning_rate),
        ("momentum 0.9", dict(optimizer="momentum", momentum=0.9), None),
        ("Adam (optax defaults)", dict(optimizer="adam"), None),
    ):
        eta = np.asarray(critical_learning_rate_numeric(T, independent=True, **runs, **options))
        fit = fit_power_law(T, eta)
        if options.get("optimizer") == "adam":
            kappa = float(np.median(eta / optimal_r(T)))

            def theory(t, kappa=kappa):
                return kappa * optimal_r(t)

            fits[label] = {"eta_c_over_r_star_median": kappa}
        curves[label] = (eta, fit, theory)
        fits[label] = fits.get(label, {}) | {"exponent": fit.exponent, "ci95": list(fit.ci), "T": T.tolist(),
                                             "eta_c": eta.tolist()}
    fits["plain descent"]["closed_form_exponent"] = -4
    fits["momentum 0.9"]["closed_form_exponent"] = -4  # universal map: beta_c(mu) eta_0(T)
    fits["Adam (optax defaults)"]["closed_form_exponent"] = -2  # scale invariance: eta_c ~ r*
    summary["optimizers"] = {
        "T": T0, "momentum": mu.tolist(), "eta_c_over_gd_closed_form": ratio.tolist(),
        "quasi_static_estimate": (1 - mu).tolist(), "exponents": fits,
    }
    return plotting.plot_optimizers(mu, ratio, T, curves), summary


def fig_normal_form(ctx: Context):
    import sympy as sp

    x, y, mu = sp.symbols("x y mu", real=True)
    red = reduce_saddle_node([mu + x**2 - y, x - 2 * y], [x, y], mu)
    return plotting.plot_normal_form(red, np.geomspace(1e-5, 1e-2, 7)), {}


def minimum_summary() -> dict:
    a = np.array([0.1, 0.3, 1.0, 3.0, 10.0])
    r_star = optimal_r(100.0)
    out = {}
    for label, dt in (("continuous", None), ("euler_dt_0.1", 0.1)):
        m = minimum(100.0, a, dt=dt)
        out[label] = [
            {"a": float(ai), "r_min_over_r_star": float(rm / r_star), "curvature": float(c), "eta_s": float(e),
             "eta_s_asymptotic": float(oscillation_threshold_asymptotic(100.0, ai))}
            for ai, rm, c, e in zip(a, m.r_min, m.curvature, m.eta_s, strict=True)
        ]
    return out
