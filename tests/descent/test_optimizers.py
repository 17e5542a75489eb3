"""Momentum and Adam on r: the update rules against optax, the compiled path against the numpy
reference, the symbolic heavy-ball map against the code, and the critical rates' properties."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import sympy as sp

import reduced as R
from analysis import REGIMES, critical_learning_rate_numeric, descend, phase_diagram, summarize_runs
from reduced import symbolic as S

T = 100.0
R_STAR = R.optimal_r(T)
ETA_C = R.critical_learning_rate(T)
RATES = {"sgd": ETA_C, "momentum": 0.4 * ETA_C, "adam": 0.5 * R_STAR}  # each near its own onset


def _optax_path(optimizer, r0, eta, epochs, normalized=True):
    """Independent baseline: optax's own update on the sharp gradient, written out again, in float64."""
    r_star, r_zone = np.pi**2 / (4 * T**2), np.pi**2 / (16 * T**2)
    opt = {"momentum": optax.sgd(eta, momentum=0.9), "adam": optax.adam(eta)}[optimizer]
    with jax.enable_x64(True):
        params = jnp.asarray(r0, dtype=jnp.float64)
        state = opt.init(params)
        path = [float(params)]
        for _ in range(epochs):
            r = path[-1]
            g = 0.0 if r <= r_zone else np.sign(r - r_star) * np.pi / (4 * r**1.5)
            g = g / T if normalized else g
            updates, state = opt.update(jnp.asarray(g, dtype=jnp.float64), state, params)
            params = optax.apply_updates(params, updates)
            path.append(float(params))
    return np.array(path)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_update_rules_match_optax(optimizer):
    r0 = 3 * R_STAR
    eta = RATES[optimizer]
    # Short runs: near the kink at r* the map amplifies rounding differences (optax's sums are
    # ordered differently), so longer paths part by more than rounding without either being wrong.
    run = descend(r0, eta, T, 60, optimizer=optimizer, backend="numpy")
    np.testing.assert_allclose(run.r, _optax_path(optimizer, r0, eta, 60), rtol=1e-9)
    assert run.r.min() < R_STAR < run.r.max()  # the comparison crossed r*, where the gradient flips


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("a", [None, 1.0])
def test_compiled_descend_equals_numpy_reference(optimizer, a):
    rng = np.random.default_rng(1)
    r0 = R_STAR * rng.uniform(0.3, 12, 40)
    eta = RATES[optimizer] * rng.uniform(0.05, 1.5, 40)
    args = dict(a=a, gradient="table", optimizer=optimizer, record_every=7)
    fast = descend(r0, eta, T, 1500, backend="numba", **args)
    slow = descend(r0, eta, T, 1500, backend="numpy", **args)
    for name in ("r", "loss", "grad"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))
    np.testing.assert_array_equal(fast.epochs, slow.epochs)
    assert fast.epochs[-1] == 1500


def test_compiled_descend_freezes_a_diverging_run_as_numpy_does():
    r0 = np.array([5.0, 5.0]) * R_STAR
    eta = np.array([1e308, 0.5 * ETA_C])  # the first step overflows to -inf
    fast = descend(r0, eta, T, 20, backend="numba")
    slow = descend(r0, eta, T, 20, backend="numpy")
    np.testing.assert_array_equal(fast.r, slow.r)
    assert np.isnan(fast.r[-1, 0]) and np.isfinite(fast.r[-1, 1])


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_summaries_compiled_and_numpy_agree(optimizer):
    rng = np.random.default_rng(2)
    r0 = R_STAR * rng.uniform(0.3, 12, 200)
    eta = RATES[optimizer] * rng.uniform(0.05, 2.0, 200)
    fast = summarize_runs(r0, eta, T, 2000, optimizer=optimizer)
    slow = summarize_runs(r0, eta, T, 2000, optimizer=optimizer, backend="numpy")
    np.testing.assert_array_equal(fast.regime, slow.regime)
    np.testing.assert_array_equal(fast.final_r, slow.final_r)
    np.testing.assert_array_equal(fast.stats.drop_epoch, slow.stats.drop_epoch)
    assert {"trapped", "oscillating"} <= {REGIMES[c] for c in np.unique(fast.regime)}


def test_zero_momentum_is_plain_descent():
    eta = np.array([0.3, 1.2]) * ETA_C
    plain = descend(8 * R_STAR, eta, T, 500)
    heavy = descend(8 * R_STAR, eta, T, 500, optimizer="momentum", momentum=0.0)
    np.testing.assert_array_equal(plain.r, heavy.r)


# --------------------------------------------------------------------------------------------
# The symbolic heavy-ball map
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("normalized", [True, False])
def test_momentum_map_reduces_to_gd_at_zero_momentum(normalized):
    m = S.momentum_map(normalized)
    gd = S.gd_map(normalized)
    assert sp.simplify(m.position_above.subs({S.mu: 0}) - gd.above) == 0
    assert sp.simplify(m.position_below.subs({S.mu: 0}) - gd.below) == 0
    assert S.T not in m.position_above.free_symbols | m.velocity_above.free_symbols  # universal in rho
    assert sp.simplify(m.quasi_static_beta_c - sp.Rational(3, 4) * (1 - S.mu)) == 0
    assert sp.simplify(m.quasi_static_beta_c.subs(S.mu, 0) - S.critical_beta().beta_c) == 0


def test_momentum_map_is_what_descend_does():
    """Iterate the lambdified (rho, u) map and compare with descend in units of r*."""
    m = S.momentum_map(True)
    args = (S.rho, S.u, S.beta, S.mu)
    above = sp.lambdify(args, (m.velocity_above, m.position_above))
    below = sp.lambdify(args, (m.velocity_below, m.position_below))
    beta, mu = 0.3, 0.7
    eta = beta * float(m.eta_0.subs(S.T, T))
    run = descend(5 * R_STAR, eta, T, 60, optimizer="momentum", momentum=mu)
    rho, vel = 5.0, 0.0
    path = [rho]
    for _ in range(60):
        vel, rho = (above if rho > 1 else below)(rho, vel, beta, mu)
        path.append(rho)
    np.testing.assert_allclose(run.r / R_STAR, path, rtol=1e-9)
    assert min(path) < 1  # the comparison crossed r*


def test_adam_scaling_is_derived():
    a = S.adam_scaling()
    assert a.gradient_scale_invariance == 0
    assert a.exponent == -2


# --------------------------------------------------------------------------------------------
# Critical learning rates
# --------------------------------------------------------------------------------------------
def test_momentum_critical_rate_limits_and_universality():
    mu = np.array([0.0, 0.5, 0.9])
    T_pair = np.array([50.0, 200.0])[:, None]
    eta_c = critical_learning_rate_numeric(T_pair, optimizer="momentum", momentum=mu, seeds=4, epochs=4000)
    beta_c = eta_c / R.critical_learning_rate(T_pair) * 0.75
    np.testing.assert_allclose(beta_c[0], beta_c[1], rtol=1e-3)  # the same beta_c(mu) at every T
    assert 0.75 <= beta_c[0, 0] < 0.75 * 1.002  # mu = 0: the plain-descent closed form
    assert np.all(np.diff(beta_c[0]) < 0)  # more momentum, a lower critical rate


def test_adam_critical_rate_scales_as_r_star_in_both_conventions():
    T_pair = np.array([50.0, 200.0])
    runs = dict(optimizer="adam", seeds=4, epochs=4000)
    normalized = critical_learning_rate_numeric(T_pair, **runs) / R.optimal_r(T_pair)
    integral = critical_learning_rate_numeric(T_pair, normalized=False, **runs) / R.optimal_r(T_pair)
    np.testing.assert_allclose(normalized[0], normalized[1], rtol=1e-3)  # eta_c / r* does not depend on T
    np.testing.assert_allclose(normalized, integral, rtol=1e-3)  # nor on the gradient's scale
    assert np.all(np.isfinite(normalized))


def test_phase_diagram_records_the_optimizer():
    eta = np.array([0.1, 2.0]) * ETA_C
    ds = phase_diagram(eta=eta, seeds=2, epochs=3000, optimizer="momentum", momentum=0.5)
    assert ds.attrs["optimizer"] == "momentum" and ds.attrs["momentum"] == 0.5
    assert ds.fraction_trapped.squeeze().values.tolist() == [0.0, 1.0]
    plain = phase_diagram(eta=eta, seeds=2, epochs=3000)
    assert "momentum" not in plain.attrs and plain.attrs["optimizer"] == "sgd"


# --------------------------------------------------------------------------------------------
# The labelled view, and bad input
# --------------------------------------------------------------------------------------------
def test_descent_to_xarray():
    eta = np.array([0.5, 1.2]) * ETA_C
    run = descend(10 * R_STAR * np.ones((3, 1)), eta, T, 100, record_every=10)
    ds = run.to_xarray(("seed", "eta"), {"eta": eta})
    assert ds.r.dims == ("epoch", "seed", "eta") and ds.r_min.dims == ("seed", "eta")
    np.testing.assert_array_equal(ds.loss.values, run.loss)
    np.testing.assert_array_equal(ds.eta.values, eta)
    with pytest.raises(ValueError, match="dims"):
        run.to_xarray(("eta",))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [(dict(optimizer="rmsprop"), "optimizer"), (dict(optimizer="momentum", momentum=1.0), "momentum"),
     (dict(optimizer="momentum", momentum=-0.1), "momentum"), (dict(optimizer="momentum", momentum=np.nan), "momentum"),
     (dict(optimizer="momentum", momentum=True), "momentum"), (dict(optimizer="adam", adam=(0.9, 0.999, 0.0)), "eps"),
     (dict(optimizer="adam", adam=(1.0, 0.999, 1e-8)), "b1"), (dict(backend="cuda"), "backend"),
     (dict(a=1.0, backend="numba"), "backend")],
)
def test_bad_optimizer_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        descend(5 * R_STAR, ETA_C, T, 10, **kwargs)
    if "backend" not in kwargs:
        with pytest.raises(ValueError, match=name):
            critical_learning_rate_numeric(T, seeds=2, epochs=10, **kwargs)
