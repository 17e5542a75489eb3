"""Every plotting function draws the expected artists under the Agg backend."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import reduced as R  # noqa: E402
from analysis import (  # noqa: E402
    REGIMES,
    critical_learning_rate_numeric,
    descend,
    fit_power_law,
    phase_diagram,
    plotting,
    reference_experiment,
)


def _labels(ax):
    return [line.get_label() for line in ax.get_lines()]


def _has_theory(ax, fragment):
    return any(fragment in label for label in _labels(ax))


def _assert_labelled(ax):
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_canonical_form():
    fig = plotting.plot_canonical_form((-0.25, 0.0, 0.25))
    (ax,) = fig.axes
    _assert_labelled(ax)
    labels = _labels(ax)
    assert "stable fixed point" in labels and "unstable fixed point" in labels
    assert sum(label.startswith("r = ") for label in labels) == 3
    assert any("ghost" in t.get_text() for t in ax.texts)


def test_trajectories_two_panels():
    fig = plotting.plot_trajectories((0.04, 0.16))
    ax_x, ax_t = fig.axes
    _assert_labelled(ax_x)
    _assert_labelled(ax_t)
    assert sum(label.startswith("r = ") for label in _labels(ax_x)) == 2
    assert ax_t.get_xscale() == "log" and len(ax_t.get_lines()) == 2


def test_landscape_marks_r_star_and_zone():
    fig = plotting.plot_landscape(100.0, (1.0,))
    (ax,) = fig.axes
    _assert_labelled(ax)
    assert _has_theory(ax, "r^*") and _has_theory(ax, "r^*/4")
    assert len(ax.patches) >= 1  # shaded no-learning zone
    assert "normalized" in ax.get_ylabel()


def test_vanishing_gradient_log_scale_and_asymptote():
    fig = plotting.plot_vanishing_gradient(100.0, (0.5, 1.0))
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert _has_theory(ax, "e^{-a x^*}")
    assert _has_theory(ax, "r^*")


def test_learning_dynamics_three_panels():
    T = 50.0
    r_star = R.optimal_r(T)
    run = descend(5 * r_star, np.array([0.5, 1.2]) * R.critical_learning_rate(T), T, 200)
    runs = {f"run {j}": dict(epochs=run.epochs, r=run.r[:, j] / r_star, loss=run.loss[:, j]) for j in range(2)}
    runs["flow"] = dict(tau=np.linspace(0, 1, 5), r_flow=np.linspace(5, 1, 5), gd={"gd": (np.arange(3), np.ones(3))})
    fig = plotting.plot_learning_dynamics(runs)
    ax_r, ax_l, ax_f = fig.axes
    for ax in fig.axes:
        _assert_labelled(ax)
    assert _has_theory(ax_r, "r^*") and _has_theory(ax_f, "r^*")
    assert len([lab for lab in _labels(ax_l) if lab.startswith("run")]) == 2


def test_reference_experiment_figure():
    ds = reference_experiment(eta=np.geomspace(1e-10, 3e-9, 8), seeds=2, epochs=2000, record=(1000, 2000))
    fig = plotting.plot_reference_experiment(ds)
    (ax,) = fig.axes
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert _has_theory(ax, "eta_c")
    assert len(ax.containers) == 2  # one errorbar series per epoch


@pytest.fixture(scope="module")
def eta_T_dataset():
    T = np.array([20.0, 50.0, 100.0])
    eta = np.geomspace(R.critical_learning_rate(100.0) / 3, R.critical_learning_rate(20.0) * 3, 12)
    return phase_diagram(eta=eta, T=T, seeds=2, epochs=1000)


def test_phase_eta_T_has_colorbar_and_theory_line(eta_T_dataset):
    fig = plotting.plot_phase_eta_T(eta_T_dataset)
    assert len(fig.axes) == 2  # the map and its colorbar
    ax = fig.axes[0]
    _assert_labelled(ax)
    assert _has_theory(ax, "eta_c(T)")
    assert "T^{4}" in "".join(_labels(ax))


def test_the_colour_bar_lists_only_the_regimes_in_the_map(eta_T_dataset):
    fig = plotting.plot_phase_eta_T(eta_T_dataset)
    listed = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    present = {REGIMES[c] for c in np.unique(eta_T_dataset.regime.values)}
    assert set(listed) == present and "diverged" not in listed  # no run of this diagram diverges


def test_phase_eta_a_overlays_eta_s():
    ds = phase_diagram(eta=np.geomspace(1e-11, 1e-7, 6), a=np.array([0.3, 1.0]), seeds=2, epochs=500, rho0=1.5)
    fig = plotting.plot_phase_eta_a(ds)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    assert _has_theory(ax, "eta_s") and _has_theory(ax, "eta_c")


def test_scaling_legend_has_exponent_and_ci():
    T = np.array([20.0, 40.0, 80.0])
    eta = critical_learning_rate_numeric(T, seeds=2, epochs=2000)
    fig = plotting.plot_scaling(T, eta, fit_power_law(T, eta))
    (ax,) = fig.axes
    labels = " ".join(_labels(ax))
    assert "exponent -4.0" in labels and "95% CI" in labels and "closed form" in labels


def test_normal_form_two_panels_with_colorbar():
    x, y, mu = sp.symbols("x y mu", real=True)
    red = R.reduce_saddle_node([mu + x**2 - y, x - 2 * y], [x, y], mu)
    fig = plotting.plot_normal_form(red, np.array([1e-3, 1e-2]))
    assert len(fig.axes) == 3  # passage times, flow, colorbar of the flow speed
    assert _has_theory(fig.axes[0], "prediction") and _has_theory(fig.axes[1], "ghost")


def test_plot_on_given_axes_returns_its_figure():
    fig = Figure()
    ax = fig.add_subplot()
    assert plotting.plot_canonical_form(ax=ax) is fig
    with pytest.raises(ValueError, match="axes"):
        plotting.plot_trajectories(axes=[ax])


def test_phase_maps_refuse_what_they_cannot_draw():
    import numpy as np

    from analysis import phase_diagram

    single_T = phase_diagram(eta=np.geomspace(1e-9, 1e-7, 3), seeds=2, epochs=200)
    with pytest.raises(ValueError, match="plot_phase_eta_T .* at least two values"):
        plotting.plot_phase_eta_T(single_T)
    with pytest.raises(ValueError, match="plot_phase_eta_a .* at least two values"):
        plotting.plot_phase_eta_a(single_T)  # an (eta, T) diagram has no a axis to draw
    several_a = phase_diagram(eta=np.geomspace(1e-9, 1e-7, 3), T=[50.0, 100.0], a=[1.0, 3.0], seeds=2, epochs=200)
    with pytest.raises(ValueError, match="draws one a at a time.*ds.sel"):
        plotting.plot_phase_eta_T(several_a)
    assert plotting.plot_phase_eta_T(several_a.sel(a=[1.0])).axes  # the selection draws
    with pytest.raises(ValueError, match="expects a phase_diagram Dataset"):
        plotting.plot_phase_eta_T(object())


def test_network_flow_maps_draw_trajectories_and_slow_points():
    import jax

    from analysis.networks import TaskRNN, cue_discrimination
    from analysis.plotting import plot_latent_flow_map, plot_network_slow_points_pca

    model, task = TaskRNN(N=12, rank=2, r0_sigma=0.3), cue_discrimination()
    params = model.init(jax.random.PRNGKey(0))
    fig = plot_latent_flow_map(model, params, task, grid=40)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "latent kappa_1" and len(ax.lines) >= task.trials + 1  # trajectories + points
    assert any("fixed point" in t.get_text() for t in ax.get_legend().get_texts())
    with pytest.raises(ValueError, match="rank-2"):
        plot_latent_flow_map(TaskRNN(N=12), TaskRNN(N=12).init(jax.random.PRNGKey(0)), task)
    full = TaskRNN(N=12)
    fig = plot_network_slow_points_pca(full, {0: full.init(jax.random.PRNGKey(1)),
                                              10: full.init(jax.random.PRNGKey(2))}, task)
    assert [a.get_title() for a in fig.axes if a.get_label() != "<colorbar>"] == ["epoch 0", "epoch 10"]


def test_optimizers_figure_marks_the_limits_and_refuses_bad_shapes():
    mu = np.array([0.0, 0.5, 0.9])
    ratio = critical_learning_rate_numeric(50.0, optimizer="momentum", momentum=mu, seeds=2, epochs=2000) \
        / R.critical_learning_rate(50.0)
    T = np.array([20.0, 40.0, 80.0])
    eta = critical_learning_rate_numeric(T, optimizer="adam", seeds=2, epochs=2000)
    fig = plotting.plot_optimizers(mu, ratio, T, {"Adam": (eta, fit_power_law(T, eta), None)})
    left, right = fig.axes
    _assert_labelled(left)
    _assert_labelled(right)
    assert _has_theory(left, "quasi-static") and _has_theory(left, "closed form")
    assert "exponent -2.0" in " ".join(_labels(right))  # eta_c ~ r* ~ T^-2
    with pytest.raises(ValueError, match="same length"):
        plotting.plot_optimizers(mu, ratio[:2], T, {})


def test_phase_map_hatches_cells_where_seeds_disagree():
    ds = phase_diagram(eta=np.geomspace(1e-11, 1e-6, 8), a=np.array([0.05, 0.1]), seeds=6, epochs=2000, rho0=1.5)
    share = ds.regime_fraction.max("regime_name")
    assert bool((share < plotting.SPLIT_SHARE).any())  # the diagram has split cells, so the test can fail
    fig = plotting.plot_phase_eta_a(ds)
    labels = " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    assert "seeds split" in labels
    hatched = [c for c in fig.axes[0].collections if any(h for h in (getattr(c, "get_hatch", lambda: None)(),) if h)]
    assert hatched  # the split cells are drawn hatched, not only named in the legend


def test_phase_map_without_split_cells_has_no_hatching():
    eta_c = float(critical_learning_rate_numeric(100.0, seeds=2, epochs=2000))
    ds = phase_diagram(eta=np.array([0.3, 0.5, 3.0, 5.0]) * eta_c, T=np.array([100.0, 200.0]), seeds=3, epochs=2000)
    assert not bool((ds.regime_fraction.max("regime_name") < plotting.SPLIT_SHARE).any())
    fig = plotting.plot_phase_eta_T(ds)
    legend = fig.axes[0].get_legend()
    assert legend is None or "seeds split" not in " ".join(t.get_text() for t in legend.get_texts())
