"""Symbolic identities: each derived expression satisfies its defining equation."""

import pytest
import sympy as sp

from reduced import symbolic as S

t, x, x0, x1, r, T = S.t, S.x, S.x0, S.x1, S.r, S.T


def _regime_subs(regime):
    q = sp.Symbol("q", positive=True)
    return q, {"positive": q**2, "zero": 0, "negative": -(q**2)}[regime]


@pytest.mark.parametrize("regime", S.SIGNS_OF_R)
def test_trajectory_solves_ode_and_initial_condition(regime):
    q, r_val = _regime_subs(regime)
    xt = S.trajectory(regime).subs(r, r_val)
    assert sp.simplify(sp.diff(xt, t) - (xt**2 + r_val)) == 0
    assert sp.simplify(xt.subs(t, 0) - x0) == 0


@pytest.mark.parametrize("regime", S.SIGNS_OF_R)
def test_antiderivative_differentiates_back(regime):
    q, r_val = _regime_subs(regime)
    F = S.antiderivative(regime).subs(r, r_val)
    assert sp.simplify(sp.diff(F, x) - 1 / (x**2 + r_val)) == 0


@pytest.mark.parametrize("regime", S.SIGNS_OF_R)
def test_passage_time_inverts_trajectory(regime):
    """Running the trajectory for the passage time from x0 lands on x1 (numerically, per regime)."""
    values = {"positive": (0.3, -0.5, 2.0), "zero": (0.0, 0.5, 1.5), "negative": (-0.25, 1.0, 4.0)}[regime]
    r_val, a, b = values
    tp = S.passage_time(regime).subs({r: r_val, x0: a, x1: b})
    xt = S.trajectory(regime).subs({r: r_val, x0: a, t: tp})
    assert float(sp.N(xt)) == pytest.approx(b, rel=1e-12)


def test_blowup_and_ghost_crossing_times():
    rp = sp.Symbol("r", positive=True)
    assert sp.simplify(S.blowup_time().subs(r, rp) - sp.pi / (2 * sp.sqrt(rp))) == 0
    assert sp.simplify(S.ghost_crossing_time().subs(r, rp) - sp.pi / sp.sqrt(rp)) == 0


def test_fixed_points_and_stability():
    (stable, s1), (unstable, s2) = S.fixed_points()
    assert (s1, s2) == ("stable", "unstable")
    rn = sp.Symbol("r", negative=True)
    assert sp.simplify((stable + sp.sqrt(-r)).subs(r, rn)) == 0
    assert sp.simplify((unstable - sp.sqrt(-r)).subs(r, rn)) == 0


def test_optimum_and_threshold_from_blowup_time():
    assert sp.simplify(S.blowup_time().subs(r, S.optimal_r()) - T) == 0
    assert sp.simplify(S.blowup_time().subs(r, S.no_learning_threshold()) - 2 * T) == 0
    assert sp.simplify(S.optimal_r() / S.no_learning_threshold()) == 4


@pytest.mark.parametrize("normalized", [True, False])
def test_gradient_is_derivative_of_loss_on_each_piece(normalized):
    loss, grad = S.sharp_loss(normalized), S.sharp_gradient(normalized)
    for (le, lc), (ge, gc) in zip(loss.args, grad.args, strict=True):
        assert lc == gc
        assert sp.simplify(sp.diff(le, r) - ge) == 0
    assert grad.args[0][0] == 0  # vanishing gradient in the no-learning zone


@pytest.mark.parametrize("normalized", [True, False])
def test_loss_continuous_at_breakpoints(normalized):
    loss = S.sharp_loss(normalized)
    for edge in (S.optimal_r(), S.no_learning_threshold()):
        left = loss.args[0][0] if edge == S.no_learning_threshold() else loss.args[1][0]
        right = loss.args[1][0] if edge == S.no_learning_threshold() else loss.args[2][0]
        assert sp.simplify((left - right).subs(r, edge)) == 0


@pytest.mark.parametrize("normalized", [True, False])
def test_gd_map_is_universal(normalized):
    gm = S.gd_map(normalized)
    assert sp.simplify(gm.above - (S.rho - S.beta * S.rho ** sp.Rational(-3, 2))) == 0
    assert sp.simplify(gm.below - (S.rho + S.beta * S.rho ** sp.Rational(-3, 2))) == 0
    expected = 4 * S.optimal_r() ** sp.Rational(5, 2) / sp.pi * (T if normalized else 1)
    assert sp.simplify(gm.eta_0 - expected) == 0


def test_critical_beta_derivation():
    cb = S.critical_beta()
    assert cb.beta_c == sp.Rational(3, 4)
    assert sp.simplify(cb.lowest_landing - (1 - S.beta)) == 0
    # the landing map above r* is increasing, which is why the limit rho -> 1+ is the lowest
    assert cb.landing_slope.subs({S.rho: 1.7, S.beta: 0.4}) > 1


@pytest.mark.parametrize(("normalized", "power"), [(True, -4), (False, -5)])
def test_critical_learning_rate_closed_form_and_exponent(normalized, power):
    expected = 3 * sp.pi**4 / (32 * T ** (-power))
    assert sp.simplify(S.critical_learning_rate(normalized) - expected) == 0
    assert S.critical_exponent(normalized) == power


@pytest.mark.parametrize("normalized", [True, False])
def test_gradient_flow_time_solves_the_flow(normalized):
    """d tau / d r0 = 1 / (dL/dr) and tau(r*) = 0."""
    tau_expr = S.gradient_flow_time(normalized)
    grad_above = S.sharp_gradient(normalized).args[2][0].subs(r, S.r0)
    assert sp.simplify(sp.diff(tau_expr, S.r0) - 1 / grad_above) == 0
    assert sp.simplify(tau_expr.subs(S.r0, S.optimal_r())) == 0


@pytest.mark.parametrize("normalized", [True, False])
def test_epochs_at_critical_independent_of_T(normalized):
    e = S.epochs_at_critical(normalized)
    assert T not in e.free_symbols
    assert sp.simplify(e - sp.Rational(8, 15) * (S.rho0 ** sp.Rational(5, 2) - 1)) == 0


def test_derivation_chain_has_every_step():
    titles = [title for title, _ in S.derivation_chain()]
    order = ["Canonical", "Passage", "Optimum", "No-learning", "Sharp loss", "Sharp gradient", "GD map",
             "Critical learning rate", "Gradient-flow"]
    positions = [next(i for i, s in enumerate(titles) if s.startswith(o)) for o in order]
    assert positions == sorted(positions)


def test_numeric_value_of_reference_eta_c():
    value = float(S.critical_learning_rate(False).subs(T, 100))
    assert value == pytest.approx(9.13e-10, rel=1e-3)
