"""Gradient descent, gradient flow and regime classification."""

import numpy as np
import pytest

import reduced as R
from analysis import REGIMES, Criteria, Descent, GradientTable, classify, descend, gradient_flow
from analysis.regimes import DESCENDING, DIVERGED, LEARNED, OSCILLATING, TRAPPED

T = 100.0
R_STAR = R.optimal_r(T)
ETA_C = R.critical_learning_rate(T)


def _scalar_gd(r0, eta, T, epochs, normalized=True):
    """Independent baseline: one run, one step at a time, the gradient written out again."""
    r_star, r_zone = np.pi**2 / (4 * T**2), np.pi**2 / (16 * T**2)
    path = [r0]
    for _ in range(epochs):
        r = path[-1]
        g = 0.0 if r <= r_zone else np.sign(r - r_star) * np.pi / (4 * r**1.5)
        path.append(r - eta * (g / T if normalized else g))
    return np.array(path)


@pytest.mark.parametrize("normalized", [True, False])
def test_descend_matches_scalar_loop(normalized):
    eta = np.array([0.2, 0.7, 1.3]) * R.critical_learning_rate(T, normalized)
    run = descend(9 * R_STAR, eta, T, 500, normalized=normalized)
    for j, e in enumerate(eta):
        baseline = _scalar_gd(9 * R_STAR, e, T, 500, normalized)
        # Exact agreement until r* is first crossed; after that the map is chaotic and
        # rounding differences (r**1.5 here, r*sqrt(r) there) grow, so compare outcomes.
        first = int(np.argmax(baseline < R_STAR))
        np.testing.assert_allclose(run.r[: first + 1, j], baseline[: first + 1], rtol=1e-12)
        assert (run.final_r[j] <= R_STAR / 4) == (baseline[-1] <= R_STAR / 4)


def test_descend_broadcasts_and_records_with_stride():
    r0 = np.array([5.0, 10.0])[:, None, None] * R_STAR
    eta = np.array([0.1, 0.5, 2.0])[None, :, None] * ETA_C
    Ts = np.array([50.0, 100.0])[None, None, :]
    run = descend(r0, eta, Ts, 1000, record_every=300)
    assert run.r.shape == (5, 2, 3, 2)  # epochs 0, 300, 600, 900 and the last, 1000
    np.testing.assert_array_equal(run.epochs, [0, 300, 600, 900, 1000])
    single = descend(10 * R_STAR, 0.5 * ETA_C, 50.0, 1000)
    assert run.final_r[1, 1, 0] == single.final_r


@pytest.mark.parametrize("normalized", [True, False])
@pytest.mark.parametrize("rho0", [10.0, 3.0, 0.5])
def test_gradient_flow_matches_closed_form(rho0, normalized):
    flow = gradient_flow(rho0 * R_STAR, T, [0.0, 1.0], normalized=normalized)
    assert flow.tau_at_r_star == pytest.approx(R.gradient_flow_time(rho0 * R_STAR, T, normalized), rel=1e-6)


def test_gradient_flow_in_zone_never_moves():
    flow = gradient_flow(0.2 * R_STAR, T, [0.0, 1e9])
    assert flow.tau_at_r_star == np.inf and np.all(flow.r == 0.2 * R_STAR)


def test_gradient_descent_approaches_flow_first_order():
    """GD is forward Euler on the flow: at tau = eta k the gap shrinks linearly with eta."""
    r0, tau_end = 10 * R_STAR, 0.5 * R.gradient_flow_time(10 * R_STAR, T)
    flow_r = gradient_flow(r0, T, [tau_end]).r[0]
    steps = np.array([250, 500, 1000, 2000, 4000])
    gaps = [abs(descend(r0, tau_end / k, T, int(k)).final_r - flow_r) for k in steps]
    order = -np.polyfit(np.log(steps), np.log(gaps), 1)[0]
    assert order == pytest.approx(1.0, abs=0.05)


def test_gradient_flow_finite_confidence_approaches_minimum():
    m = R.minimum(T, 1.0)
    flow = gradient_flow(3 * R_STAR, T, [0.0, 1e-3, 1e-2], a=1.0)
    assert flow.r[-1] == pytest.approx(m.r_min, rel=1e-6)


def test_gradient_table_interpolates_exact_landscape():
    table = GradientTable.build(T, 1.0)
    rng = np.random.default_rng(0)
    r = R_STAR * rng.uniform(-2.0, 11.0, 400)
    exact_loss, exact_grad = R.loss_and_grad(r, T, a=1.0)
    loss, grad = table(r)
    np.testing.assert_allclose(loss, exact_loss, atol=1e-5)
    scale = np.abs(R.sharp_gradient(2 * R_STAR, T))
    assert np.max(np.abs(grad - exact_grad)) < 1e-3 * scale


def test_table_and_exact_descent_agree_where_runs_converge():
    eta = R.minimum(T, 1.0).eta_s * np.array([0.2, 0.5])
    exact = descend(1.3 * R_STAR, eta, T, 300, a=1.0, gradient="exact")
    table = descend(1.3 * R_STAR, eta, T, 300, a=1.0, gradient="table")
    np.testing.assert_allclose(table.final_r, exact.final_r, rtol=1e-5)


# --- classification on hand-made trajectories -------------------------------------------------
def _hand_made(r_rows, loss_rows=None, grad_rows=None, r_min=1.0, r_zone=0.25):
    r = np.array(r_rows, dtype=float).T
    n = r.shape[0]
    loss = np.zeros_like(r) if loss_rows is None else np.array(loss_rows, dtype=float).T
    grad = np.ones_like(r) if grad_rows is None else np.array(grad_rows, dtype=float).T
    k = r.shape[1]
    return Descent(np.arange(n), r, loss, grad, np.full(k, r_min), np.full(k, r_zone), np.zeros(k), np.full(k, 1.0),
                   np.full(k, 1.0))


def test_classify_hand_made_regimes():
    n = 100
    settled = np.r_[np.linspace(3, 1.001, 50), np.full(50, 1.001)]
    bouncing = np.r_[np.linspace(3, 1.2, 50), np.tile([1.2, 0.8], 25)]
    in_zone = np.r_[np.linspace(3, 1.1, 50), np.full(50, 0.2)]
    blown = np.r_[np.linspace(3, 2, 60), np.full(40, np.nan)]
    slow = np.linspace(3, 2, n)
    run = _hand_made([settled, bouncing, in_zone, blown, slow])
    summary = classify(run, Criteria(rtol=0.01, window_fraction=0.2))
    assert [REGIMES[c] for c in summary.regime] == ["learned", "oscillating", "trapped", "diverged", "descending"]
    assert summary.amplitude[1] == pytest.approx(0.2)


def test_classify_stalled_run_on_plateau_is_trapped():
    """Above the zone edge, but with a gradient below the floor and the loss at its plateau."""
    r = np.full(100, 0.3)
    stalled = _hand_made([r], loss_rows=[np.full(100, 0.999)], grad_rows=[np.full(100, 1e-6)])
    moving = _hand_made([r], loss_rows=[np.full(100, 0.999)], grad_rows=[np.full(100, 1e-2)])
    assert classify(stalled).regime[0] == TRAPPED
    assert classify(moving).regime[0] == DESCENDING


def test_abrupt_learning_statistics_on_hand_made_curve():
    loss = np.r_[np.full(40, 1.0), np.linspace(1.0, 0.9, 10)[1:], [0.3], np.linspace(0.29, 0.01, 50)]
    run = _hand_made([np.linspace(5, 1, loss.size)], loss_rows=[loss])
    s = classify(run, Criteria(loss_threshold=0.05, plateau_tol=0.05)).stats
    assert s.drop_epoch[0] == 49  # the 0.9 -> 0.3 step
    assert s.drop_sharpness[0] == pytest.approx(0.6)
    assert s.plateau_length[0] == np.argmax(np.abs(loss - 1) > 0.05)
    assert s.epochs_to_learn[0] == np.argmax(loss < 0.05)


def test_classify_real_runs():
    eta = np.array([1e-4, 0.5, 1.2]) * ETA_C
    run = descend(10 * R_STAR, eta, T, 10_000)
    assert list(classify(run).regime) == [DESCENDING, OSCILLATING, TRAPPED]
    finite = descend(1.3 * R_STAR, 0.5 * R.minimum(T, 1.0).eta_s, T, 2000, a=1.0, gradient="table")
    assert int(classify(finite).regime) == LEARNED


def test_diverged_run_is_frozen_not_nan_everywhere():
    run = _hand_made([np.r_[1.0, np.inf, np.inf]])
    assert classify(run).regime[0] == DIVERGED


# --- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(eta=0.0), "eta"),
        (dict(eta=-1e-9), "eta"),
        (dict(epochs=0), "epochs"),
        (dict(epochs=2.5), "epochs"),
        (dict(r0=np.nan), "r0"),
        (dict(eta=np.array([])), "eta"),
        (dict(T=-1.0), "T"),
        (dict(record_every=0), "record_every"),
        (dict(gradient="approx", a=1.0), "gradient"),
        (dict(eta=np.ones(3) * 1e-9, r0=np.ones(2) * R_STAR), "broadcast"),
    ],
)
def test_descend_bad_input(kwargs, name):
    args = dict(r0=10 * R_STAR, eta=1e-9, T=T, epochs=10) | kwargs
    with pytest.raises(ValueError, match=name):
        descend(**args)


def test_criteria_validation():
    with pytest.raises(ValueError, match="rtol"):
        Criteria(rtol=0.0)
    with pytest.raises(ValueError, match="window_fraction"):
        Criteria(window_fraction=2.0)


@pytest.mark.parametrize(
    ("factor", "expected"), [(0.5, LEARNED), (0.9, LEARNED), (1.2, OSCILLATING), (3.0, OSCILLATING)]
)
def test_learned_oscillating_boundary_is_eta_s(factor, expected):
    """Near r_min, GD converges below eta_s = 2 / L''(r_min) and keeps cycling above it."""
    m = R.minimum(T, 1.0)
    run = descend(m.r_min * (1 + 1e-4), factor * m.eta_s, T, 4000, a=1.0, gradient="table")
    assert int(classify(run).regime) == expected


def test_epochs_to_learn_measured_from_the_finite_a_floor():
    """At a = 0.1 the minimum loss is ~0.07 (> 0.05): learning is judged against L(r_min)."""
    m = R.minimum(T, 0.1)
    run = descend(0.2 * R_STAR, 0.5 * m.eta_s, T, 20_000, a=0.1, gradient="table", record_every=10)
    s = classify(run)
    assert m.loss > 0.05 and np.isfinite(s.stats.epochs_to_learn)
    assert s.stats.plateau_length > 100 and s.stats.drop_epoch >= s.stats.plateau_length
