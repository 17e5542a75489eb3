"""Numeric critical learning rates, power laws and the reference experiment."""

import numpy as np
import pytest

import reduced as R
from analysis import (
    REGIMES,
    critical_learning_rate_numeric,
    fit_power_law,
    initial_r,
    reference_experiment,
    summarize_runs,
)


@pytest.mark.parametrize("normalized", [True, False])
def test_numeric_eta_c_matches_closed_form_within_one_percent(normalized):
    T = np.array([10.0, 40.0, 100.0, 400.0])
    numeric = critical_learning_rate_numeric(T, normalized=normalized)
    np.testing.assert_allclose(numeric / R.critical_learning_rate(T, normalized), 1.0, atol=0.01)
    assert np.all(numeric >= R.critical_learning_rate(T, normalized))  # onset lies just above


@pytest.mark.parametrize("normalized", [True, False])
def test_power_law_recovers_exponent(normalized):
    T = np.geomspace(10, 1000, 6)
    fit = fit_power_law(T, critical_learning_rate_numeric(T, normalized=normalized, seeds=5, epochs=5000))
    expected = -4.0 if normalized else -5.0
    assert fit.ci[0] < expected < fit.ci[1]
    assert fit.exponent == pytest.approx(expected, abs=0.01)


def test_power_law_confidence_interval_has_its_coverage():
    """Over many noisy synthetic data sets the 95% interval covers the true slope ~95% of the time."""
    rng = np.random.default_rng(0)
    T = np.geomspace(10, 1000, 8)
    covered = [
        (lambda f: f.ci[0] < -4 < f.ci[1])(fit_power_law(T, 2.0 * T**-4 * np.exp(0.1 * rng.standard_normal(8))))
        for _ in range(400)
    ]
    assert 0.92 < np.mean(covered) < 0.98


def test_eta_c_against_rho0_is_flat_in_sharp_limit():
    rho0 = np.array([2.0, 5.0, 10.0, 20.0])
    numeric = critical_learning_rate_numeric(100.0, rho0=rho0)
    np.testing.assert_allclose(numeric / R.critical_learning_rate(100.0), 1.0, atol=0.01)


def test_finite_confidence_eta_c_tends_to_sharp_value():
    a = np.array([3.0, 10.0])
    numeric = critical_learning_rate_numeric(100.0, a=a)
    np.testing.assert_allclose(numeric / R.critical_learning_rate(100.0), 1.0, atol=0.02)


def test_lower_confidence_raises_critical_rate():
    numeric = critical_learning_rate_numeric(100.0, a=np.array([0.5, 10.0]))
    assert numeric[0] > 1.5 * numeric[1]


def test_reference_experiment_jumps_above_eta_c():
    ds = reference_experiment()
    eta_c = ds.attrs["eta_c_closed_form"]
    assert eta_c == pytest.approx(9.13e-10, rel=1e-3)
    final = ds.loss_mean.sel(epoch=10_000)
    assert np.all(final.where(ds.eta > 1.03 * eta_c, drop=True) == 1.0)
    assert np.all(final.where(ds.eta < eta_c, drop=True) < 1.0)
    # the first grid point above eta_c (2% above it) already traps most runs
    first_above = int(np.searchsorted(ds.eta.values, eta_c))
    assert ds.eta.values[first_above] < 1.03 * eta_c
    assert final.values[first_above] > 0.5 > final.values[first_above - 1]


def test_summaries_numba_and_numpy_agree_exactly():
    T = 60.0
    rng = np.random.default_rng(3)
    r0 = R.optimal_r(T) * rng.uniform(0.3, 12, 300)
    eta = R.critical_learning_rate(T) * rng.uniform(0.05, 1.5, 300)
    fast = summarize_runs(r0, eta, T, 2000, backend="numba")
    slow = summarize_runs(r0, eta, T, 2000, backend="numpy")
    np.testing.assert_array_equal(fast.regime, slow.regime)
    np.testing.assert_array_equal(fast.final_r, slow.final_r)
    for name in ("drop_epoch", "drop_sharpness", "plateau_length", "epochs_to_learn", "max_deviation", "crossings"):
        np.testing.assert_array_equal(getattr(fast.stats, name), getattr(slow.stats, name))


def test_summaries_numba_and_numpy_agree_with_tables():
    T = 100.0
    r0 = initial_r(T, np.array([1.5, 10.0])[:, None], 4)
    eta = np.array([1e-11, 1e-9, 5e-8, 2e-7])
    fast = summarize_runs(r0[..., None], eta, T, 1500, a=1.0)
    slow = summarize_runs(r0[..., None], eta, T, 1500, a=1.0, backend="numpy")
    assert np.mean(fast.regime == slow.regime) > 0.95  # the two interpolations round alike but not always
    assert set(REGIMES[c] for c in np.unique(fast.regime)) >= {"oscillating", "trapped"}


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [(dict(T=0.0), "T"), (dict(seeds=0), "seeds"), (dict(seeds=2.5), "seeds"), (dict(epochs=0), "epochs"),
     (dict(bracket=(10.0, 1.0)), "bracket"), (dict(trapped_fraction=1.0), "trapped_fraction")],
)
def test_critical_bad_input(kwargs, name):
    args = dict(T=100.0, seeds=2, epochs=100) | kwargs
    with pytest.raises(ValueError, match=name):
        critical_learning_rate_numeric(**args)


def test_fit_bad_input():
    with pytest.raises(ValueError, match="3 points"):
        fit_power_law([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="eta_c"):
        fit_power_law([1.0, 2.0, 3.0], [1.0, -2.0, 3.0])


def test_numeric_eta_c_is_a_trapping_rate_just_above_the_infimum():
    """Against a brute-force scan of the same runs on 4000 rates around the closed form.

    Near the onset the trapping rates form very narrow windows (relative width below 1e-6 at
    T = 100), so any scan returns an upper bound on the infimum; the bisection this replaced
    returned a crossing 0.26% above the closed form."""
    T = 100.0
    closed = R.critical_learning_rate(T)
    eta_c = critical_learning_rate_numeric(T)
    r0 = initial_r(T, 10.0, 10)
    grid = np.linspace(0.99, 1.01, 4000) * closed
    s = summarize_runs(r0[None, :], grid[:, None], T, 10_000)
    trapped = np.any(s.regime == REGIMES.index("trapped"), axis=1)
    assert not trapped[grid < closed].any()  # beta_c = 3/4: nothing traps below the closed form
    assert trapped.any()
    assert closed <= eta_c < 1.001 * closed  # within 0.1% of the infimum, far below the old crossing
    at = summarize_runs(r0, eta_c, T, 10_000)
    assert np.any(at.regime == REGIMES.index("trapped"))  # runs do trap at the value returned


def test_independent_runs_give_a_power_law_interval_of_real_width():
    T = np.geomspace(10, 1000, 6)
    common = fit_power_law(T, critical_learning_rate_numeric(T, seeds=5, epochs=5000))
    independent = fit_power_law(T, critical_learning_rate_numeric(T, seeds=5, epochs=5000, independent=True))
    # common runs: values proportional by construction up to rounding, an interval 100x narrower
    assert (common.ci[1] - common.ci[0]) < 0.1 * (independent.ci[1] - independent.ci[0])
    assert independent.ci[1] - independent.ci[0] > 1e-4
    assert independent.ci[0] < -4 < independent.ci[1]
