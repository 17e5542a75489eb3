"""The mapping onto the reduced model: the gradient of r_eff and the measured onset."""

import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

from analysis.networks.mapping import r_eff_and_gradient


def test_gradient_of_r_eff_matches_finite_differences_of_the_closed_form():
    from analysis.networks.flows import flow_structure

    rng = np.random.default_rng(0)
    N = 10
    # a network with a ghost: f(kappa) = -kappa + n.tanh(m kappa + b) with one unit-like bump
    m, n, b = rng.normal(0, 0.1, N), rng.normal(0, 0.1, N), rng.normal(0, 0.1, N)
    m[0], n[0], b[0] = 2.0, 1.6, 1.0  # a bump with n m > 1: a fold (three fixed points) ...
    m[1], n[1], b[1] = 0.0, 0.4, 3.0  # ... lifted by a constant 0.4 tanh(3): past the fold, a ghost
    s = flow_structure(m, n, b)
    assert s["n_ghosts"] == 1
    from analysis.ghosts import find_slow_points

    found = find_slow_points(lambda k: -k + jnp.asarray(n) @ jnp.tanh(jnp.asarray(m) * k + jnp.asarray(b)),
                             box=([-5.0], [5.0]), n_box=50).ghosts
    kappa_g = float(found.x[0, 0])
    r, g2 = r_eff_and_gradient(m, n, b, kappa_g + 0.01)  # Newton from a nearby start
    assert r == pytest.approx(found.r_eff[0], rel=1e-8)  # the general finder agrees

    def r_of(mm, nn, bb):
        return r_eff_and_gradient(mm, nn, bb, kappa_g)[0]

    h, fd = 1e-6, 0.0
    for which in range(3):
        for i in range(N):
            up = [m.copy(), n.copy(), b.copy()]
            down = [m.copy(), n.copy(), b.copy()]
            up[which][i] += h
            down[which][i] -= h
            fd += ((r_of(*up) - r_of(*down)) / (2 * h)) ** 2
    assert r > 0
    assert g2 == pytest.approx(fd, rel=1e-5)


def test_measured_critical_rate_is_the_first_trapping_rate():
    from analysis.networks.mapping import measured_critical_rate

    regime = np.array([[0, 0], [0, 4], [2, 0], [2, 2]], dtype=np.int8)
    ds = xr.Dataset({"regime": (("lr", "seed"), regime)}, coords={"lr": [0.1, 0.2, 0.3, 0.4], "seed": [0, 1]})
    got = measured_critical_rate(ds)
    assert (got["lower"], got["upper"]) == (0.2, 0.3)
    assert got["fraction_trapped"] == [0.0, 0.0, 0.5, 1.0]
