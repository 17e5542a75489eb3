"""The saddle-node normal-form reduction on three systems, and its degenerate cases."""

import numpy as np
import pytest
import sympy as sp

from reduced import DegenerateSaddleNodeError, reduce_saddle_node

u, y, mu = sp.symbols("u y mu", real=True)
kappa, b = sp.symbols("kappa b", real=True)

SYSTEMS = {
    # 1-D fold other than x^2 + r: a cubic with two folds; we pick the one at u = 2/3
    "cubic-1d": dict(f=mu + u**2 - u**3, x=u, mu=mu, near=(0.6, -0.1)),
    # 2-D, centre direction v = (2, 1): not a coordinate axis
    "tilted-2d": dict(f=[mu + u**2 - y, u - 2 * y], x=[u, y], mu=mu, near=None),
    # latent flow of a rank-one RNN, dk/dt = -k + w tanh(k) + b with w = 2 and b the parameter
    "rank-one-latent": dict(f=-kappa + 2 * sp.tanh(kappa) + b, x=kappa, mu=b, near=(0.9, -0.5)),
}


def _reduce(name):
    s = SYSTEMS[name]
    return reduce_saddle_node(s["f"], s["x"], s["mu"], near=s["near"])


def test_cubic_coefficients_exact():
    red = _reduce("cubic-1d")
    assert red.x_c[0] == sp.Rational(2, 3) and red.mu_c == sp.Rational(-4, 27)
    assert red.A == -1 and red.B == 1  # f''/2 = (2 - 6u)/2 = -1 at u = 2/3


def test_tilted_coefficients_and_null_vectors():
    red = _reduce("tilted-2d")
    J = sp.Matrix([[2 * red.x_c[0], -1], [1, -2]])
    assert J * red.v == sp.zeros(2, 1) and red.w.T * J == sp.zeros(1, 2)
    assert (red.w.T * red.v)[0] == 1
    assert red.v[0] != 0 and red.v[1] != 0  # centre direction is oblique
    assert red.mu_c == sp.Rational(1, 16)


def test_rank_one_latent_is_exact_in_closed_form():
    red = _reduce("rank-one-latent")
    k_c = sp.log(1 + sp.sqrt(2))  # sech^2(k_c) = 1/2
    assert sp.simplify(red.x_c[0] - k_c) == 0
    assert sp.simplify(red.A + sp.sqrt(2) / 2) == 0  # (1/2) w'' = -tanh(k) sech^2(k) at k_c


@pytest.mark.parametrize("name", list(SYSTEMS))
def test_predicted_passage_time_matches_integration_as_mu_to_mu_c(name):
    """The integrated bottleneck time over pi/sqrt(r(mu)) tends to 1 as mu -> mu_c."""
    red = _reduce(name)
    side = 1.0 if float(red.r_numeric(float(red.mu_c) + 1e-3)) > 0 else -1.0
    distances = [1e-2, 1e-3, 1e-4, 1e-5]
    ratios = [red.integrated_passage_time(float(red.mu_c) + side * d) / red.passage_time(float(red.mu_c) + side * d)
              for d in distances]
    errors = np.abs(np.array(ratios) - 1)
    assert np.all(np.diff(errors) < 0), ratios
    assert errors[-1] < 0.01
    # the correction is O(sqrt(r)): each decade in mu shrinks it by about sqrt(10)
    assert np.all(errors[:-1] / errors[1:] > 2.0)


def test_passage_time_is_inf_on_the_fixed_point_side():
    red = _reduce("tilted-2d")
    assert red.passage_time(float(red.mu_c) - 0.01) == np.inf
    assert red.passage_time(float(red.mu_c) + 0.01) == pytest.approx(np.pi / np.sqrt(float(red.r_numeric(0.0725))))


def test_several_saddle_nodes_need_a_choice():
    with pytest.raises(ValueError, match="2 saddle-nodes"):
        reduce_saddle_node(mu + u**2 - u**3, u, mu)


@pytest.mark.parametrize(
    ("f", "x", "message"),
    [
        (u**2 + 1, u, "no saddle-node"),
        (mu * u - u**2, u, "B = "),
        (mu - u**3, u, "A = "),
        ([mu + u**2 + y**2, u * y], [u, y], "not simple"),
        ([y, mu + u**2], [u, y], "Jordan"),
    ],
)
def test_degenerate_cases_are_named(f, x, message):
    with pytest.raises(DegenerateSaddleNodeError, match=message):
        reduce_saddle_node(f, x, mu)


def test_transverse_eigenvalues_and_attraction():
    x, y, mu = sp.symbols("x y mu", real=True)
    red = reduce_saddle_node([mu + x**2 - y, x - 2 * y], [x, y], mu)
    assert len(red.transverse_eigenvalues) == 1
    assert complex(red.transverse_eigenvalues[0]) == pytest.approx(-1.5)
    assert red.attracting
    with pytest.warns(RuntimeWarning, match="not attracting"):
        unstable = reduce_saddle_node([mu + x**2, y], [x, y], mu)
    assert not unstable.attracting and complex(unstable.transverse_eigenvalues[0]).real == pytest.approx(1.0)
    with pytest.raises(DegenerateSaddleNodeError, match="not attracting"):
        reduce_saddle_node([mu + x**2, y], [x, y], mu, require_attracting=True)


def test_default_half_width_gives_ratios_tending_to_one():
    """With the default half-width on the system's own scale, integrated / predicted -> 1."""
    x, y, mu = sp.symbols("x y mu", real=True)
    for system in ([mu + x**2 - y, x - 2 * y], [mu + x**2 - 3 * y + x * y, 2 * x - 5 * y]):
        red = reduce_saddle_node(system, [x, y], mu)
        side = 1.0 if float(red.r_numeric(float(red.mu_c) + 1e-6)) > 0 else -1.0
        errors = [abs(red.integrated_passage_time(float(red.mu_c) + side * d) / red.passage_time(
            float(red.mu_c) + side * d) - 1) for d in (1e-3, 1e-5, 1e-7)]
        assert errors[0] > errors[1] > errors[2] and errors[2] < 0.01, errors
