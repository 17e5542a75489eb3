"""Numeric closed forms against their symbolic twins, solve_ivp, brute force and properties."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import reduced as R
from reduced import symbolic as S

T_VALUES = [5.0, 20.0, 100.0, 400.0]
CONVENTIONS = [True, False]


def _lambdify(expr, *args):
    return sp.lambdify(args, expr, "numpy")


# --- twins -----------------------------------------------------------------------------
def test_optimal_r_and_threshold_match_symbolic():
    T = np.array(T_VALUES)
    np.testing.assert_allclose(R.optimal_r(T), _lambdify(S.optimal_r(), S.T)(T), rtol=1e-15)
    np.testing.assert_allclose(R.no_learning_threshold(T), _lambdify(S.no_learning_threshold(), S.T)(T), rtol=1e-15)


@pytest.mark.parametrize("normalized", CONVENTIONS)
def test_sharp_loss_and_gradient_match_symbolic(normalized):
    T = 37.0
    r_star = R.optimal_r(T)
    r = np.linspace(-r_star, 5 * r_star, 2001)
    loss_sym = _lambdify(S.sharp_loss(normalized), S.r, S.T)
    grad_sym = _lambdify(S.sharp_gradient(normalized), S.r, S.T)
    with np.errstate(invalid="ignore"):  # the lambdified Piecewise evaluates sqrt(r < 0) in dead branches
        expected_loss = loss_sym(r, T)
        expected_grad = grad_sym(r, T)
    # |T - t_inf| cancels near r*, so its rounding is absolute, of size eps * (loss scale)
    scale = 1.0 if normalized else T
    np.testing.assert_allclose(R.sharp_loss(r, T, normalized), expected_loss, rtol=1e-13, atol=1e-15 * scale)
    off_kink = np.abs(r - r_star) > 1e-12
    np.testing.assert_allclose(R.sharp_gradient(r, T, normalized)[off_kink], expected_grad[off_kink], rtol=1e-13)


@pytest.mark.parametrize("normalized", CONVENTIONS)
def test_critical_learning_rate_and_flow_time_match_symbolic(normalized):
    T = np.array(T_VALUES)
    np.testing.assert_allclose(
        R.critical_learning_rate(T, normalized), _lambdify(S.critical_learning_rate(normalized), S.T)(T), rtol=1e-14
    )
    r0 = 7.5 * R.optimal_r(T)
    np.testing.assert_allclose(
        R.gradient_flow_time(r0, T, normalized), _lambdify(S.gradient_flow_time(normalized), S.r0, S.T)(r0, T),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    ("r", "x0", "x1"),
    [(0.3, -0.5, 2.0), (2.0, 0.0, np.inf), (0.0, 0.5, 1.5), (0.0, 0.5, np.inf), (-0.25, 1.0, 4.0),
     (-0.25, 0.3, -0.2), (-0.25, -3.0, -0.7)],
)
def test_passage_time_matches_symbolic(r, x0, x1):
    regime = "positive" if r > 0 else ("zero" if r == 0 else "negative")
    expr = S.passage_time(regime, to_infinity=np.isinf(x1))
    expected = float(sp.N(expr.subs({S.r: r, S.x0: x0, S.x1: x1})))
    assert R.passage_time(r, x0, x1) == pytest.approx(expected, rel=1e-13)


# --- against an ODE solver -------------------------------------------------------------
@pytest.mark.parametrize("r", [-0.5, -0.01, 0.0, 1e-4, 0.01, 0.3, 4.0])
@pytest.mark.parametrize(("x0", "x1"), [(0.15, 3.0), (2.0, 10.0), (-0.05, 0.2)])
def test_passage_time_against_solve_ivp(r, x0, x1):
    predicted = R.passage_time(r, x0, x1)

    def arrive(_, y):
        return y[0] - x1

    arrive.terminal, arrive.direction = True, 0
    horizon = 1e4 if np.isinf(predicted) else 2 * predicted + 1
    sol = solve_ivp(lambda _, y: y**2 + r, (0, horizon), [x0], events=arrive, rtol=1e-11, atol=1e-13,
                    method="DOP853")
    if np.isinf(predicted):
        assert sol.t_events[0].size == 0
    else:
        assert sol.t_events[0][0] == pytest.approx(predicted, rel=1e-6)


def test_passage_time_limits():
    r = np.array([0.01, 1.0, 25.0])
    np.testing.assert_allclose(R.passage_time(r), np.pi / (2 * np.sqrt(r)), rtol=1e-14)
    np.testing.assert_allclose(R.passage_time(r, -np.inf, np.inf), np.pi / np.sqrt(r), rtol=1e-14)


def test_never_arrives_is_inf_not_nan():
    r = np.array([-1.0, -1e-8, 0.0])
    out = R.passage_time(r)
    assert np.all(np.isinf(out)) and not np.isnan(out).any()
    assert R.passage_time(1.0, 2.0, 1.0) == np.inf  # behind the start along the flow
    assert R.passage_time(-1.0, 1.0, 5.0) == np.inf  # starts on the unstable fixed point
    assert R.passage_time(0.5, 1.0, 1.0) == 0.0


# --- brute-force gradient descent --------------------------------------------------------
@pytest.mark.parametrize("normalized", CONVENTIONS)
@pytest.mark.parametrize("T", [10.0, 100.0, 250.0])
def test_brute_force_gd_brackets_critical_learning_rate(T, normalized):
    """Plain GD in r on a fine eta grid: trapping starts within 1% of the closed form."""
    eta_c = R.critical_learning_rate(T, normalized)
    r_star = R.optimal_r(T)
    etas = eta_c * np.linspace(0.95, 1.05, 101)
    rng = np.random.default_rng(1)
    r = 10 * r_star + rng.normal(0, r_star / 10, (etas.size, 20))
    for _ in range(10_000):
        r = r - etas[:, None] * R.sharp_gradient(r, T, normalized)
    trapped = (r <= r_star / 4).mean(axis=1)
    onset = etas[np.argmax(trapped > 0)]
    assert trapped[etas < eta_c].max() == 0.0
    assert abs(onset / eta_c - 1) < 0.01
    assert trapped[etas > 1.04 * eta_c].min() == 1.0


def test_dimensionless_map_jumps_at_beta_c():
    beta = np.linspace(0.6, 0.9, 61)
    rng = np.random.default_rng(0)
    rho = rng.uniform(5.0, 15.0, (beta.size, 100))
    for _ in range(5000):
        step = np.where(rho <= 0.25, 0.0, np.sign(rho - 1) * rho**-1.5)
        rho = rho - beta[:, None] * step
    trapped = (rho <= 0.25).mean(axis=1)
    assert trapped[beta <= 0.75].max() == 0.0
    assert trapped[beta >= 0.8].min() == 1.0
    # below beta_c the runs oscillate about rho = 1 with amplitude of order beta
    below = rho[beta < 0.7]
    assert np.all(np.abs(below - 1) < 1.0)


# --- gradient flow ---------------------------------------------------------------------
@pytest.mark.parametrize("normalized", CONVENTIONS)
@pytest.mark.parametrize(("T", "rho0"), [(20.0, 10.0), (100.0, 3.0), (100.0, 0.5)])
def test_gradient_flow_reaches_r_star_at_closed_form_time(T, rho0, normalized):
    r_star = R.optimal_r(T)

    def at_r_star(_, y):
        return y[0] - r_star

    at_r_star.terminal = True
    tau = R.gradient_flow_time(rho0 * r_star, T, normalized)
    # flow on the smooth branch of the gradient that points towards r*
    side = np.sign(rho0 - 1)
    sol = solve_ivp(lambda _, y: -side * np.abs(R.sharp_gradient(y, T, normalized)), (0, 2 * tau),
                    [rho0 * r_star], events=at_r_star, rtol=1e-12, atol=1e-14 * r_star)
    assert sol.t_events[0][0] == pytest.approx(tau, rel=1e-6)


def test_gradient_flow_time_in_zone_is_inf():
    assert R.gradient_flow_time(0.2 * R.optimal_r(10.0), 10.0) == np.inf


# --- properties --------------------------------------------------------------------------
T_st = st.floats(0.5, 1e3)
rho_st = st.floats(-5.0, 50.0)


@settings(max_examples=200, deadline=None)
@given(T=T_st, rho=rho_st, normalized=st.booleans())
def test_property_loss_bounds_zone_and_sign(T, rho, normalized):
    r = rho * R.optimal_r(T)
    loss = R.sharp_loss(r, T, normalized=True)
    grad = R.sharp_gradient(r, T, normalized)
    assert 0.0 <= loss <= 1.0
    assert R.sharp_loss(r, T, normalized=False) == pytest.approx(T * loss, rel=1e-12)
    if r <= R.no_learning_threshold(T):
        assert grad == 0.0 and loss == 1.0
    elif rho > 1 + 1e-9:
        assert grad > 0
    elif rho < 1 - 1e-9:
        assert grad < 0


@settings(max_examples=100, deadline=None)
@given(T=T_st, normalized=st.booleans())
def test_property_eta_c_scaling(T, normalized):
    p = float(S.critical_exponent(normalized))
    ratio = R.critical_learning_rate(2 * T, normalized) / R.critical_learning_rate(T, normalized)
    assert ratio == pytest.approx(2.0**p, rel=1e-12)


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
@pytest.mark.parametrize(
    "call",
    [R.optimal_r, R.no_learning_threshold, R.critical_learning_rate, lambda T: R.sharp_loss(0.1, T),
     lambda T: R.sharp_gradient(0.1, T), lambda T: R.gradient_flow_time(0.1, T)],
)
def test_bad_T_raises_naming_T(call, bad):
    with pytest.raises(ValueError, match=r"\bT\b"):
        call(bad)


def test_bad_r_and_shapes():
    with pytest.raises(ValueError, match="r0"):
        R.gradient_flow_time(np.nan, 10.0)
    with pytest.raises(ValueError, match=r"\br\b"):
        R.sharp_loss(np.inf, 10.0)
    with pytest.raises(ValueError, match="broadcast"):
        R.sharp_loss(np.ones(3), np.ones(4) * 10)
    with pytest.raises(ValueError, match="x1"):
        R.passage_time(1.0, 0.0, -np.inf)
