"""``ghost figures``: regenerate every figure and the table of key numbers (summary.json).

Each entry of :data:`FIGURES` computes its data, draws it with
:mod:`analysis.plotting` and saves it. Phase diagrams are cached under
``OUT/.cache`` (NetCDF, resumable), so a rerun with the same settings reuses them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reduced import (
    __version__,
    critical_learning_rate,
    gradient_flow_time,
    minimum,
    optimal_r,
    oscillation_threshold_asymptotic,
    reduce_saddle_node,
)

from . import (
    REGIMES,
    critical_learning_rate_numeric,
    descend,
    figures_rnn,
    fit_power_law,
    gradient_flow,
    phase_diagram,
    plotting,
    reference_experiment,
)
from .regimes import Criteria
from .sweep import summarize_runs

FORMATS = ("png", "pdf", "svg")


@dataclass(frozen=True)
class Settings:
    """Grid sizes of the main job; ``quick`` is the coarse variant."""

    quick: bool
    eta_T_grid: tuple[int, int]
    eta_a_grid: tuple[int, int]
    seeds: int
    epochs: int
    scaling_T: int

    @classmethod
    def make(cls, quick: bool) -> Settings:
        if quick:
            return cls(True, (40, 10), (28, 8), 4, 4000, 5)
        return cls(False, (200, 50), (100, 30), 10, 10_000, 9)


@dataclass
class Context:
    out: Path
    fmt: str
    settings: Settings
    executor: object | None
    summary: dict

    @property
    def rnn(self) -> figures_rnn.RNNSettings:
        return figures_rnn.RNNSettings(self.settings.quick)


def _cached_diagram(ctx: Context, name: str, **kwargs):
    """phase_diagram cached under OUT/.cache, one file per distinct setting (never refused)."""
    key = json.dumps({k: np.asarray(v).tolist() for k, v in kwargs.items()}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    (ctx.out / ".cache").mkdir(exist_ok=True)
    return phase_diagram(**kwargs, out=ctx.out / ".cache" / f"{name}-{digest}.nc", executor=ctx.executor)


def _save(fig, ctx: Context, name: str) -> Path:
    path = ctx.out / f"{name}.{ctx.fmt}"
    fig.savefig(path, dpi=150)
    return path


# --- the figures ---------------------------------------------------------------------------
def fig_canonical_form(ctx: Context):
    return plotting.plot_canonical_form()


def fig_trajectories(ctx: Context):
    return plotting.plot_trajectories()


def fig_landscape(ctx: Context):
    return plotting.plot_landscape(100.0, (0.1, 1.0))


def fig_vanishing_gradient(ctx: Context):
    return plotting.plot_vanishing_gradient(100.0, (0.1, 0.3, 1.0, 2.0))


def fig_learning_dynamics(ctx: Context):
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
    summary = summarize_runs(0.2 * r_star, eta, T, 60_000, a=a, criteria=Criteria())
    ctx.summary["plateau"] = {
        "setting": f"T = {T:g}, a = {a:g}, x* = 10, r0 = 0.2 r*, eta = 0.5 eta_s = {eta:.4g}, 60000 epochs",
        "regime": REGIMES[int(summary.regime)],
        "plateau_length": float(summary.stats.plateau_length),
        "drop_epoch": float(summary.stats.drop_epoch),
        "drop_sharpness_per_epoch": float(summary.stats.drop_sharpness),
        "epochs_to_learn": float(summary.stats.epochs_to_learn),
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
    return plotting.plot_learning_dynamics(runs)


def fig_reference_experiment(ctx: Context):
    ds = reference_experiment()
    final = ds.loss_mean.sel(epoch=10_000).values
    below_half = np.flatnonzero(final <= 0.5)  # the jump: from here on the loss stays above 1/2
    jump = float(ds.eta.values[below_half[-1] + 1]) if below_half.size < final.size else float(ds.eta.values[0])
    ctx.summary["reference_experiment"] = {
        "eta_c_closed_form": ds.attrs["eta_c_closed_form"],
        "eta_where_loss_jumps_above_half": jump,
        "ratio": jump / ds.attrs["eta_c_closed_form"],
    }
    return plotting.plot_reference_experiment(ds)


def fig_phase_eta_T(ctx: Context):
    n_eta, n_T = ctx.settings.eta_T_grid
    T = np.geomspace(10, 1000, n_T)
    eta_c = critical_learning_rate(T)
    eta = np.geomspace(eta_c.min() / 10, eta_c.max() * 10, n_eta)
    ds = _cached_diagram(ctx, "phase_eta_T", eta=eta, T=T, seeds=ctx.settings.seeds, epochs=ctx.settings.epochs)
    return plotting.plot_phase_eta_T(ds)


def _eta_a_diagram(ctx: Context):
    n_eta, n_a = ctx.settings.eta_a_grid
    a = np.geomspace(0.05, 5.0, n_a)
    eta = np.geomspace(3e-12, 1e-6, n_eta)
    return _cached_diagram(ctx, "phase_eta_a", eta=eta, a=a, T=100.0, seeds=ctx.settings.seeds,
                           epochs=ctx.settings.epochs, rho0=1.5)


def fig_phase_eta_a(ctx: Context):
    return plotting.plot_phase_eta_a(_eta_a_diagram(ctx))


def fig_rnn_gain(ctx: Context):
    return figures_rnn.fig_rnn_gain_ablation(ctx, _eta_a_diagram(ctx))


def fig_scaling(ctx: Context):
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
    ctx.summary["eta_c"] = rows
    ctx.summary["exponents"] = fits
    a = np.array([0.3, 1.0, 3.0, 10.0])
    eta_a = critical_learning_rate_numeric(100.0, a=a, seeds=ctx.settings.seeds, epochs=ctx.settings.epochs)
    rho0 = np.array([2.0, 5.0, 10.0, 20.0])
    eta_rho = critical_learning_rate_numeric(100.0, rho0=rho0, seeds=ctx.settings.seeds, epochs=ctx.settings.epochs)
    closed = float(critical_learning_rate(100.0))
    ctx.summary["eta_c_vs_a"] = {"T": 100.0, "x_star": 10.0, "closed_form_sharp": closed,
                                 "a": a.tolist(), "eta_c": np.asarray(eta_a).tolist()}
    ctx.summary["eta_c_vs_rho0"] = {"T": 100.0, "closed_form_sharp": closed,
                                    "rho0": rho0.tolist(), "eta_c": np.asarray(eta_rho).tolist()}
    return fig


def fig_optimizers(ctx: Context):
    """eta_c against the momentum coefficient, and against T for plain descent, momentum and Adam."""
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
    ctx.summary["optimizers"] = {
        "T": T0, "momentum": mu.tolist(), "eta_c_over_gd_closed_form": ratio.tolist(),
        "quasi_static_estimate": (1 - mu).tolist(), "exponents": fits,
    }
    return plotting.plot_optimizers(mu, ratio, T, curves)


def fig_normal_form(ctx: Context):
    import sympy as sp

    x, y, mu = sp.symbols("x y mu", real=True)
    red = reduce_saddle_node([mu + x**2 - y, x - 2 * y], [x, y], mu)
    return plotting.plot_normal_form(red, np.geomspace(1e-5, 1e-2, 7))


FIGURES: list[tuple[str, str, Callable]] = [
    ("01_canonical_form", "dx/dt = x^2 + r: fixed points merge and leave a ghost", fig_canonical_form),
    ("02_trajectories", "lingering near the ghost; passage time pi/(2 sqrt r)", fig_trajectories),
    ("03_landscape", "sharp, finite-a and Euler loss landscapes", fig_landscape),
    ("04_vanishing_gradient", "the gradient in the no-learning zone is exponentially small", fig_vanishing_gradient),
    ("05_learning_dynamics", "oscillation, trapping, abrupt learning; GD vs flow", fig_learning_dynamics),
    ("06_reference_experiment", "loss vs learning rate jumps above eta_c", fig_reference_experiment),
    ("07_phase_eta_T", "regimes over (T, eta) with eta_c(T)", fig_phase_eta_T),
    ("08_phase_eta_a", "vanishing-gradient and oscillatory regimes over (a, eta)", fig_phase_eta_a),
    ("09_scaling", "eta_c against T: numeric, closed form and fitted exponent", fig_scaling),
    ("10_normal_form", "normal-form passage-time prediction in a 2-D system", fig_normal_form),
    ("11_rnn_ghost_lag", "rank-one networks: ghost epoch against the epoch of the abrupt drop",
     figures_rnn.fig_rnn_ghost_lag),
    ("12_optimizers", "momentum and Adam: eta_c against the momentum coefficient and against T", fig_optimizers),
    ("13_rnn_rank_one_run", "a rank-one network's abrupt drop and its latent flow before, at and after it",
     figures_rnn.fig_rnn_rank_one_run),
    ("14_rnn_lr_sweeps", "regimes against the learning rate, rank-one and full-rank networks",
     figures_rnn.fig_rnn_lr_sweeps),
    ("15_rnn_flow_maps", "rank-2 networks: latent flow maps with fixed points and ghosts",
     figures_rnn.fig_rnn_flow_maps),
    ("16_rnn_slow_points", "full-rank networks: slow points near the trajectories, PCA",
     figures_rnn.fig_rnn_slow_points),
    ("17_rnn_rank_remedy", "more trainable rank, more networks learn", figures_rnn.fig_rnn_rank_remedy),
    ("18_rnn_gain_ablation", "lowering the gain frees trapped networks; the reduced model's trap against a",
     fig_rnn_gain),
    ("19_rnn_confidence", "a learnable gain restarted at 1, and a normalised readout", figures_rnn.fig_rnn_confidence),
    ("20_rnn_scaling", "the critical learning rate against the delay in networks", figures_rnn.fig_rnn_scaling),
]


def _minimum_summary() -> dict:
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


def check_output_dir(out: Path) -> Path:
    """Create ``out`` if needed and make sure it is writable (ValueError otherwise)."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--out: cannot create {out}: {exc.strerror}") from None
    if not os.access(out, os.W_OK):
        raise ValueError(f"--out: directory {out} is not writable")
    return out


def make_figures(out: str | os.PathLike = "figures", *, quick: bool = False, fmt: str = "png", jobs: int = 1,
                 progress: bool | None = None, executor=None) -> dict:
    """Regenerate every figure into ``out`` and write ``summary.json``; return the summary.

    ``executor`` (any ``concurrent.futures.Executor``, e.g. from :func:`analysis.cluster.cluster_executor`)
    runs the phase-diagram sweeps; otherwise ``jobs > 1`` starts a local process pool.
    """
    from tqdm.auto import tqdm

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    out = check_output_dir(Path(out))
    settings = Settings.make(quick)
    own_pool = executor is None and jobs > 1
    if own_pool:
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    summary: dict = {"version": __version__, "quick": quick, "settings": settings.__dict__, "files": {}}
    ctx = Context(out, fmt, settings, executor, summary)
    start = time.perf_counter()
    try:
        show = None if progress is None else not progress
        for name, caption, make in tqdm(FIGURES, desc="figures", unit="fig", disable=show):
            fig = make(ctx)
            path = _save(fig, ctx, name)
            summary["files"][name] = {"file": path.name, "caption": caption}
    finally:
        if own_pool:
            executor.shutdown()
    summary["minimum"] = _minimum_summary()
    # the committed summary must be reproducible bit for bit: the timing is returned, not saved
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary | {"seconds": round(time.perf_counter() - start, 1)}


# --- the README table -----------------------------------------------------------------------
TABLE_START = "<!-- summary-table:start -->"
TABLE_END = "<!-- summary-table:end -->"


def summary_table(summary: dict) -> str:
    """Markdown table 'closed form vs measured' built from a summary.json dict."""
    lines = ["| quantity | closed form | measured | relative difference |", "| --- | --- | --- | --- |"]
    for row in summary["eta_c"]:
        if row["T"] in _table_T(summary):
            lines.append(f"| eta_c, T = {row['T']:.4g}, {row['convention']} | {row['closed_form']:.4e} | "
                         f"{row['numeric']:.4e} | {row['relative_difference']:+.2%} |")
    for name, fit in summary["exponents"].items():
        expected = fit.get("closed_form_exponent")
        closed = f"{expected}" if expected is not None else "(none: finite a)"
        lines.append(f"| exponent of T in eta_c, {name} | {closed} | {fit['exponent']:.4f} "
                     f"[{fit['ci95'][0]:.4f}, {fit['ci95'][1]:.4f}] | "
                     f"{'' if expected is None else format(fit['exponent'] / expected - 1, '+.2%')} |")
    for a, eta in zip(summary["eta_c_vs_a"]["a"], summary["eta_c_vs_a"]["eta_c"], strict=True):
        closed = summary["eta_c_vs_a"]["closed_form_sharp"]
        lines.append(f"| eta_c at finite a = {a:g} (T = 100, x* = 10) vs sharp closed form | {closed:.4e} | "
                     f"{eta:.4e} | {eta / closed - 1:+.2%} |")
    closed = summary["eta_c_vs_rho0"]["closed_form_sharp"]
    for rho0, eta in zip(summary["eta_c_vs_rho0"]["rho0"], summary["eta_c_vs_rho0"]["eta_c"], strict=True):
        lines.append(f"| eta_c from r0 = {rho0:g} r* (T = 100, sharp) | {closed:.4e} | {eta:.4e} | "
                     f"{eta / closed - 1:+.2%} |")
    if "optimizers" in summary:
        opt = summary["optimizers"]
        for name, fit in opt["exponents"].items():
            if name == "plain descent":
                continue  # already in the rows above
            expected = fit["closed_form_exponent"]
            lines.append(f"| exponent of T in eta_c, {name} (normalized, sharp) | {expected} | {fit['exponent']:.4f} "
                         f"[{fit['ci95'][0]:.4f}, {fit['ci95'][1]:.4f}] | {fit['exponent'] / expected - 1:+.2%} |")
        for mu, ratio, estimate in zip(opt["momentum"], opt["eta_c_over_gd_closed_form"], opt["quasi_static_estimate"],
                                       strict=True):
            if round(mu, 6) in (0.5, 0.9):
                lines.append(f"| eta_c(momentum {mu:g}) / eta_c(plain), quasi-static estimate 1 - mu vs numeric "
                             f"(T = {opt['T']:g}) | {estimate:.3f} | {ratio:.3f} | {ratio / estimate - 1:+.2%} |")
    ref = summary["reference_experiment"]
    lines.append(f"| reference experiment: loss jumps above eta_c (T = 100, integral) | "
                 f"{ref['eta_c_closed_form']:.4e} | eta above which the mean loss stays > 1/2: "
                 f"{ref['eta_where_loss_jumps_above_half']:.4e} | {ref['ratio'] - 1:+.2%} |")
    for row in summary["minimum"]["continuous"]:
        lines.append(f"| eta_s at a = {row['a']:g} (T = 100, x* = 10), large-a form vs exact | "
                     f"{row['eta_s_asymptotic']:.4e} | {row['eta_s']:.4e} | "
                     f"{row['eta_s'] / row['eta_s_asymptotic'] - 1:+.2%} |")
    if "rnn_critical_rate" in summary:
        net = summary["rnn_critical_rate"]
        low, high = net["measured_onset"]
        spread = net["predicted_spread"]
        lines.append(f"| critical lr of the rank-one network (delay {net['delay_tau']:g} tau): 1-D theory eta_c "
                     f"over the squared gradient norm of r_eff at learned ghosts, median [range], vs the onset of "
                     f"trapping in a sweep | {net['predicted_median']:.3g} [{spread[0]:.3g}, {spread[1]:.3g}] | "
                     f"({low:.3g}, {high:.3g}] | x{net['ratio_predicted_to_measured_upper']:.2f} |")
        lines.append(f"| learned rank-one networks: ghost r_eff (median) vs the 1-D optimum r* = pi^2/(4 T^2), "
                     f"T = {net['delay_tau']:g} tau | {net['r_star']:.4f} | {net['r_eff_median']:.4f} | "
                     f"{net['r_eff_median'] / net['r_star'] - 1:+.2%} |")
    if summary.get("rnn_dwell", {}).get("measured"):
        dw = summary["rnn_dwell"]
        low, high = dw["measured_over_crossing_range"]
        lines.append(f"| dwell of trained rank-one networks' own update across their {dw['measured']} ghosts "
                     f"(half-width {dw['half_width']:g}), measured / canonical-form time, median [range] | 1 | "
                     f"{dw['measured_over_crossing_median']:.3f} [{low:.3f}, {high:.3f}] | "
                     f"{dw['measured_over_crossing_median'] - 1:+.2%} |")
    if "rnn_ghost_lag" in summary:
        lag = summary["rnn_ghost_lag"]["all"]
        if lag.get("with_ghost"):
            lines.append(f"| rank-one networks: ghost epoch - drop epoch, median [quartiles], {lag['with_ghost']} of "
                         f"{lag['runs']} runs | (no prediction) | {lag['median']:+.0f} [{lag['q1']:+.0f}, "
                         f"{lag['q3']:+.0f}] epochs, {lag['fraction_after_drop']:.0%} after the drop | |")
    lines.extend(_network_rows(summary))
    return "\n".join(lines)


def _network_rows(summary: dict) -> list[str]:
    """Rows for the remedies and the scaling law in networks (when the summary has them)."""
    rows = []
    for label, fit in summary.get("rnn_scaling", {}).items():
        if not isinstance(fit, dict) or fit.get("exponent") is None:
            continue
        rows.append(f"| exponent of the delay in the network's critical rate, {label}, {fit['seeds']} seeds, "
                    f"{fit['epochs']} epochs | -4 (reduced model, rate on r); companion -2.72 +- 0.07 | "
                    f"{fit['exponent']:.2f} [{fit['ci95'][0]:.2f}, {fit['ci95'][1]:.2f}] | |")
    ablation = summary.get("rnn_gain_ablation", {})
    if ablation.get("final_accuracy_mean"):
        gains = np.asarray(ablation["gains"])
        acc = np.asarray(ablation["final_accuracy_mean"])
        low, high = int(np.argmin(np.abs(np.log(gains / 0.1)))), int(np.argmax(gains))
        rows.append(f"| gain ablation: accuracy of the {ablation['trapped_runs']} trapped rank-one runs of "
                    f"{ablation['seeds']} after 100 epochs at gain {gains[low]:.3g} vs {gains[high]:.3g} | "
                    f"(no prediction) | {acc[low]:.2f} vs {acc[high]:.2f} | |")
    norm = summary.get("rnn_confidence", {}).get("readout_normalization")
    if norm:
        pairs = ", ".join(f"{'free' if c is None else f'c = {c:g}'}: {a:.2f}"
                          for c, a in zip(norm["norms"], norm["final_accuracy_mean"], strict=True))
        rows.append(f"| readout normalisation (full rank, Adam 0.1, {norm['seeds']} seeds): final accuracy | "
                    f"(no prediction) | {pairs} | |")
    return rows


def _table_T(summary: dict) -> set:
    Ts = sorted({row["T"] for row in summary["eta_c"]})
    return {Ts[0], Ts[len(Ts) // 2], Ts[-1]}


def update_readme(readme: Path, summary_path: Path) -> str:
    """Replace the README's table between the markers with one built from summary.json."""
    table = summary_table(json.loads(Path(summary_path).read_text()))
    text = Path(readme).read_text()
    if TABLE_START not in text or TABLE_END not in text:
        raise ValueError(f"readme: {readme} has no {TABLE_START} ... {TABLE_END} markers")
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    Path(readme).write_text(f"{head}{TABLE_START}\n{table}\n{TABLE_END}{tail}")
    return table
