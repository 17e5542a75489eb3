"""The finite-confidence loss landscape against independent computations."""

import warnings

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp
from scipy.special import expit

import reduced as R
from reduced import symbolic as S

T_REF = 100.0
R_STAR = R.optimal_r(T_REF)


def _ode_reference(r, T, a, x_star, x0=0.0):
    """Loss and gradient by integrating x, dx/dr and the two running integrals with solve_ivp.

    Stops once the output has saturated (a (x - x*) > 40) and adds the remaining, constant
    error analytically: an independent method from the library's closed-form quadrature.
    """

    def rhs(t, s):
        x, d, _, _ = s
        y = expit(a * (x - x_star))
        target = 1.0 if t > T else 0.0
        return [x * x + r, 2 * x * d + 1, (y - target) ** 2, 2 * (y - target) * y * (1 - y) * a * d]

    def saturated(_, s):
        return a * (s[0] - x_star) - 40.0

    saturated.terminal = True
    state, t_now = [x0, 0.0, 0.0, 0.0], 0.0
    for t_end in (T, 2 * T):  # integrate the two halves separately: the target jumps at T
        if t_now >= t_end:
            break
        sol = solve_ivp(rhs, (t_now, t_end), state, events=saturated, rtol=1e-11, atol=1e-13, method="DOP853")
        state, t_now = list(sol.y[:, -1]), sol.t[-1]
        if sol.status == 1:
            loss_total = state[2] + max(0.0, T - t_now)  # output 1 until T is wrong, right after
            return loss_total / T, state[3] / T
    return state[2] / T, state[3] / T


@pytest.mark.parametrize("a", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("rho", [-3.0, 0.0, 0.2, 0.3, 0.8, 1.0, 1.3, 4.0, 30.0])
def test_continuous_loss_and_grad_against_ode_solver(a, rho):
    r = rho * R_STAR
    loss, grad = R.loss_and_grad(r, T_REF, a=a)
    ref_loss, ref_grad = _ode_reference(r, T_REF, a, 10.0)
    assert loss == pytest.approx(ref_loss, rel=1e-7, abs=1e-12)
    assert grad == pytest.approx(ref_grad, rel=1e-6, abs=1e-12 * max(1.0, abs(ref_grad)))


def test_nonzero_start_against_ode_solver():
    for r, x0 in [(0.5 * R_STAR, -2.0), (-R_STAR, 1.0), (3 * R_STAR, 0.3)]:
        loss, grad = R.loss_and_grad(r, T_REF, a=1.0, x0=x0)
        ref_loss, ref_grad = _ode_reference(r, T_REF, 1.0, 10.0, x0)
        assert loss == pytest.approx(ref_loss, rel=1e-7)
        assert grad == pytest.approx(ref_grad, rel=1e-6)


@pytest.mark.parametrize("dt", [None, 0.1])
@pytest.mark.parametrize("a", [0.1, 1.0])
def test_gradient_matches_central_differences(a, dt):
    r = R_STAR * np.array([-0.8, 0.1, 0.3, 0.7, 1.05, 1.7, 5.0, 40.0])
    # In the no-learning zone the gradient is ~1e-3 on a loss ~1, so the step must be wider
    # to beat round-off; the loss is smooth there on the scale of r* itself.
    h = np.where(r < R.no_learning_threshold(T_REF), 1e-4, 1e-6) * R_STAR
    _, grad = R.loss_and_grad(r, T_REF, a=a, dt=dt)

    def at(k):
        return R.loss(r + k * h, T_REF, a=a, dt=dt)

    fd = (at(-2) - 8 * at(-1) + 8 * at(1) - at(2)) / (12 * h)  # fourth-order central difference
    np.testing.assert_allclose(grad, fd, rtol=1e-5)


def test_sharp_limit_convergence_rate():
    """a = x* = k -> inf: L -> sharp_loss with error ~ 1/x* (the output switches 1/x* before t_inf)."""
    rho = np.array([0.5, 0.8, 1.5, 3.0, 10.0])
    ks = np.array([10.0, 30.0, 100.0, 300.0, 1000.0])
    errors = np.array([
        np.max(np.abs(R.loss(rho * R_STAR, T_REF, a=k, x_star=k) - R.sharp_loss(rho * R_STAR, T_REF))) for k in ks
    ])
    assert np.all(np.diff(errors) < 0)
    slope = np.polyfit(np.log(ks), np.log(errors), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.05)


def _fitted_order(r, a, dts):
    loss_c, grad_c = R.loss_and_grad(r, T_REF, a=a)
    loss_err, grad_err = [], []
    for dt in dts:
        loss_d, grad_d = R.loss_and_grad(r, T_REF, a=a, dt=dt)
        loss_err.append(np.max(np.abs(loss_d - loss_c)))
        grad_err.append(np.max(np.abs(grad_d - grad_c) / np.abs(grad_c)))
    return np.polyfit(np.log(dts), np.log(loss_err), 1)[0], np.polyfit(np.log(dts), np.log(grad_err), 1)[0]


def test_discrete_loss_converges_to_continuous_first_order():
    r = R_STAR * np.array([0.6, 1.2, 3.0])
    loss_order, _ = _fitted_order(r, 1.0, np.array([0.4, 0.2, 0.1, 0.05, 0.025]))
    assert loss_order == pytest.approx(1.0, abs=0.05)


def test_discrete_gradient_converges_to_continuous_first_order():
    """The gradient reaches its asymptotic regime only once one Euler step no longer jumps
    across the readout's switch, dt (x*^2 + r) << 1/a; for a = 0.1 that is dt <~ 0.01."""
    r = R_STAR * np.array([0.6, 1.2, 3.0])
    _, grad_order = _fitted_order(r, 0.1, np.array([0.0125, 0.00625, 0.003125, 0.0015625]))
    assert grad_order == pytest.approx(1.0, abs=0.15)


def _python_euler_loss(r, T, a, dt, x_star=10.0, clip=1e6):
    """The reference code's way: one r at a time, one step at a time."""
    x, total = 0.0, 0.0
    n_steps = round(2 * T / dt)
    for n in range(1, n_steps + 1):
        x = min(max(x + dt * (x * x + r), -clip), clip)
        y = 1.0 / (1.0 + np.exp(-a * (x - x_star)))
        total += (y - (1.0 if n > T / dt else 0.0)) ** 2
    return dt * total / T


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("a", [0.1, 1.0])
def test_reference_setting_matches_python_loop(a, backend):
    r = np.linspace(-R_STAR, 2 * R_STAR, 100)
    vectorised = R.loss(r, T_REF, a=a, dt=0.1, backend=backend)
    baseline = np.array([_python_euler_loss(ri, T_REF, a, 0.1) for ri in r])
    np.testing.assert_allclose(vectorised, baseline, rtol=0, atol=1e-12)


@pytest.mark.parametrize("clip", [1e6, 50.0, np.inf])
def test_compiled_kernel_matches_numpy_reference(clip):
    r = np.linspace(-10, 100, 301) * R_STAR
    T = np.array([[50.0], [100.0]])
    a = np.array([[0.1], [3.0]])
    for want in ("loss", "grad"):
        fast = R.loss_and_grad(r, T, a=a, dt=0.1, clip=clip, x0=0.05, backend="numba")
        slow = R.loss_and_grad(r, T, a=a, dt=0.1, clip=clip, x0=0.05, backend="numpy")
        index = 0 if want == "loss" else 1
        np.testing.assert_allclose(fast[index], slow[index], rtol=1e-12, atol=1e-14 * np.abs(slow[index]).max())


def test_clip_zeroes_sensitivity_and_gradient_still_exact():
    r = R_STAR * np.array([2.0, 8.0])
    h = 1e-6 * R_STAR
    _, grad = R.loss_and_grad(r, T_REF, a=0.1, dt=0.1, clip=50.0)
    fd = (R.loss(r + h, T_REF, a=0.1, dt=0.1, clip=50.0) - R.loss(r - h, T_REF, a=0.1, dt=0.1, clip=50.0)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-5)


def test_no_nan_and_no_warnings_over_wide_range():
    r = np.linspace(-10 * R_STAR, 100 * R_STAR, 2001)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for a in (0.01, 1.0, 1e3):
            for dt in (None, 0.1):
                loss, grad = R.loss_and_grad(r, T_REF, a=a, dt=dt)
                assert np.isfinite(loss).all() and np.isfinite(grad).all()
                assert np.all((loss >= 0) & (loss <= 2 + 1e-12))
        loss, grad = R.loss_and_grad(np.array([-5.0, 0.0, 5.0]), T_REF, a=1.0)  # far outside
        assert np.isfinite(loss).all() and np.isfinite(grad).all()


def test_broadcasting_over_a_x_star_and_T():
    r = np.linspace(0.5, 3, 5) * R_STAR
    a = np.array([[0.1], [1.0]])
    loss, grad = R.loss_and_grad(r, T_REF, a=a)
    assert loss.shape == grad.shape == (2, 5)
    assert loss[1, 2] == pytest.approx(R.loss(r[2], T_REF, a=1.0), rel=1e-14)
    T = np.array([50.0, 100.0])[:, None]
    both = R.loss(r, T, a=1.0, dt=0.5)  # different step counts per row
    assert both[0, 1] == pytest.approx(R.loss(r[1], 50.0, a=1.0, dt=0.5), rel=1e-14)


def test_integral_convention_is_T_times_normalized():
    r = np.array([0.2, 1.1, 2.0]) * R_STAR
    for dt in (None, 0.1):
        ln, gn = R.loss_and_grad(r, T_REF, a=1.0, dt=dt)
        li, gi = R.loss_and_grad(r, T_REF, a=1.0, dt=dt, normalized=False)
        np.testing.assert_allclose(li, T_REF * ln, rtol=1e-14)
        np.testing.assert_allclose(gi, T_REF * gn, rtol=1e-14)


def test_noise_samples_seed_and_pathwise_gradient():
    r = 1.5 * R_STAR
    one = R.loss(r, T_REF, a=1.0, dt=0.1, noise=0.05, seed=3)
    assert one == R.loss(r, T_REF, a=1.0, dt=0.1, noise=0.05, seed=3)
    assert one != R.loss(r, T_REF, a=1.0, dt=0.1, noise=0.05, seed=4)
    h = 1e-6 * R_STAR
    _, grad = R.loss_and_grad(r, T_REF, a=1.0, dt=0.1, noise=0.05, seed=3, n_samples=8)
    fd = (R.loss(r + h, T_REF, a=1.0, dt=0.1, noise=0.05, seed=3, n_samples=8)
          - R.loss(r - h, T_REF, a=1.0, dt=0.1, noise=0.05, seed=3, n_samples=8)) / (2 * h)
    assert grad == pytest.approx(fd, rel=1e-5)
    # the sample mean tends to the noiseless loss as the noise vanishes (the ghost amplifies
    # noise: a kick of 1e-6 near x = 0 already shifts the loss by ~1e-3, hence 1e-10 here)
    quiet = R.loss(r, T_REF, a=1.0, dt=0.1, noise=1e-10, seed=0, n_samples=4)
    assert quiet == pytest.approx(R.loss(r, T_REF, a=1.0, dt=0.1), rel=1e-4)


# --- failure modes -------------------------------------------------------------------------
@pytest.mark.parametrize("normalized", [True, False])
def test_saddle_node_gradient_exact_closed_form(normalized):
    expr = S.saddle_node_gradient(normalized).exact
    exact = sp.lambdify((S.a_conf, S.x_star, S.T), expr)
    for a in (0.05, 0.3, 1.0, 2.5):
        _, grad = R.loss_and_grad(0.0, T_REF, a=a, normalized=normalized)
        assert grad == pytest.approx(exact(a, 10.0, T_REF), rel=1e-10)


def test_no_learning_gradient_approaches_asymptote_as_a_x_star_grows():
    a = np.array([0.2, 0.5, 1.0, 2.0, 3.0])
    rel = np.abs(R.no_learning_gradient(T_REF, a) / R.no_learning_gradient_asymptotic(T_REF, a) - 1)
    assert np.all(np.diff(rel) < 0)
    # the relative correction is O(e^{-a x*})
    # exact / leading = (3 - e)/(3 (1 + e)^3) = 1 - (10/3) e + O(e^2), e = exp(-a x*)
    np.testing.assert_allclose(rel[1:] / np.exp(-10 * a[1:]), 10 / 3, rtol=0.02)
    lead = sp.lambdify((S.a_conf, S.x_star, S.T), S.saddle_node_gradient(True).leading)
    np.testing.assert_allclose(-lead(a, 10.0, T_REF), R.no_learning_gradient_asymptotic(T_REF, a), rtol=1e-14)


def test_no_learning_gradient_grows_as_confidence_drops():
    a = np.array([2.0, 1.0, 0.5])
    assert np.all(np.diff(R.no_learning_gradient(T_REF, a)) > 0)


def test_minimum_tends_to_switch_optimum_and_eta_s_falls_as_one_over_a():
    a = np.array([1.0, 3.0, 10.0, 30.0, 100.0])
    m = R.minimum(T_REF, a)
    r_x = R.switch_optimum(T_REF, 10.0)
    np.testing.assert_allclose(m.r_min, r_x, rtol=1e-8)
    assert np.all(np.diff(m.eta_s) < 0)
    np.testing.assert_allclose(m.eta_s * a, m.eta_s[0] * a[0], rtol=1e-5)  # eta_s ~ 1/a
    np.testing.assert_allclose(m.eta_s, R.oscillation_threshold_asymptotic(T_REF, a), rtol=1e-5)


def test_minimum_tends_to_r_star_when_threshold_grows_with_a():
    k = np.array([10.0, 30.0, 100.0, 300.0])
    m = R.minimum(T_REF, k, x_star=k)
    gap = np.abs(m.r_min / R_STAR - 1)
    assert np.all(np.diff(gap) < 0)
    np.testing.assert_allclose(gap * k, gap[0] * k[0], rtol=0.01)  # O(1/x*)


def test_oscillation_threshold_matches_symbolic_twin():
    o = S.oscillation_threshold(True)
    twin = sp.lambdify((S.a_conf, S.x_star, S.T, S.r), o.eta_s)
    r_x = R.switch_optimum(T_REF, 10.0)
    assert R.oscillation_threshold_asymptotic(T_REF, 2.0) == pytest.approx(twin(2.0, 10.0, T_REF, r_x), rel=1e-12)
    assert o.profile_curvature == sp.Rational(1, 2)
    ts = sp.lambdify((S.x_star, S.r), o.switch_time)
    assert ts(10.0, r_x) == pytest.approx(T_REF, rel=1e-12)


def test_minimum_discrete_model():
    m = R.minimum(T_REF, 1.0, dt=0.1)
    _, grad = R.loss_and_grad(m.r_min, T_REF, a=1.0, dt=0.1)
    _, g_lo = R.loss_and_grad(0.99 * m.r_min, T_REF, a=1.0, dt=0.1)
    assert abs(grad) < 1e-6 * abs(g_lo) and g_lo < 0


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(a=0.0), "a"),
        (dict(a=-1.0), "a"),
        (dict(a=1.0, dt=0.0), "dt"),
        (dict(a=1.0, dt=-0.1), "dt"),
        (dict(a=1.0, dt=0.3), "dt"),
        (dict(a=1.0, dt=0.1, noise=-0.1), "noise"),
        (dict(a=1.0, noise=0.1), "noise"),
        (dict(a=np.ones(3)), "broadcast"),
        (dict(a=1.0, x_star=np.nan), "x_star"),
        (dict(a=1.0, dt=0.1, n_samples=0), "n_samples"),
        (dict(a=1.0, dt=0.1, backend="cuda"), "backend"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        R.loss_and_grad(np.ones(4) * R_STAR, T_REF, **kwargs)


@pytest.mark.parametrize("a", [1e3, 1e5, 1e7, 1e9])
def test_gradient_matches_finite_differences_at_large_confidence(a):
    """a x* from 1e4 to 1e10 at the reference threshold x* = 10: the gradient stays right."""
    T = 100.0
    r = 2 * R.optimal_r(T)
    _, g = R.loss_and_grad(r, T, a=a)
    h = 1e-6 * r
    fd = (R.loss(r + h, T, a=a) - R.loss(r - h, T, a=a)) / (2 * h)
    assert g == pytest.approx(fd, rel=1e-4)


def test_gradient_refuses_a_switch_too_brief_to_resolve():
    T = 100.0
    r = 2 * R.optimal_r(T)
    with pytest.raises(ValueError, match=r"a \(x_star\^2 \+ r\) T = .* exceeds 5e\+13"):
        R.loss_and_grad(r, T, a=1e5, x_star=1e5)  # a x* = 1e10 near blow-up: was wrong by 100% silently
    assert 0 < R.loss(r, T, a=1e5, x_star=1e5) < 1  # the loss alone is still available
    # in the no-learning zone the state never reaches x*: nothing to resolve, no refusal
    R.loss_and_grad(R.optimal_r(T) / 8, T, a=1e5, x_star=1e5)
