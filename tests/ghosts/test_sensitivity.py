"""d r_eff / d weights by implicit differentiation, against finite differences of the search."""

import jax
import numpy as np
import pytest

from analysis.ghosts import find_slow_points, from_weights, ghost_r_eff

W_FOLD = 2.0
H_FOLD = np.sqrt(1 - 1 / W_FOLD)
B_FOLD = np.arctanh(H_FOLD) - W_FOLD * H_FOLD  # h -> tanh(2 h + b) folds here


def _network(b0: float, coupling: float = 0.0):
    """Three tanh units; the first just past its fold, weakly coupled to two contracting ones."""
    W = np.array([[W_FOLD, coupling, -coupling], [coupling, 0.3, 0.1], [0.2 * coupling, -0.1, 0.2]])
    return from_weights(W, np.array([b0, 0.05, -0.02]))


def _searched_r_eff(system):
    found = find_slow_points(system, [[0.7, 0.0, 0.0], [0.4, 0.1, 0.0], [-0.9, 0.0, 0.0]])
    return found.ghosts


@pytest.mark.parametrize(("coupling", "past_fold"), [(0.0, 2e-3), (0.15, 5e-2)])  # the coupling moves the fold
def test_the_gradient_of_r_eff_matches_finite_differences_of_the_search(coupling, past_fold):
    system = _network(B_FOLD - past_fold, coupling)
    ghosts = _searched_r_eff(system)
    assert len(ghosts) == 1
    with jax.enable_x64(True):
        value = float(ghost_r_eff(system, ghosts.x[0]))
        grad = jax.grad(lambda p: ghost_r_eff(system, ghosts.x[0], params=p))(system.params)
    assert value == pytest.approx(ghosts.r_eff[0], rel=1e-8)
    step = 1e-6
    for leaf, index in (("b", (0,)), ("W", (0, 0)), ("W", (0, 1)), ("b", (1,))):
        shifted = []
        for sign in (1, -1):
            p = {k: np.array(v, dtype=float) for k, v in system.params.items()}
            p[leaf][index] += sign * step
            shifted.append(_searched_r_eff(system.with_params(p)).r_eff[0])
        finite_difference = (shifted[0] - shifted[1]) / (2 * step)
        assert float(grad[leaf][index]) == pytest.approx(finite_difference, rel=1e-5, abs=1e-9)


def test_ghost_r_eff_refuses_a_wrong_point_or_system():
    system = _network(B_FOLD - 2e-3)
    with pytest.raises(ValueError, match=r"ghost_x must have shape \(3,\)"):
        ghost_r_eff(system, [0.7])
    with pytest.raises(ValueError, match="system must be a Flow or a Map"):
        ghost_r_eff(lambda x: x, [0.7])
