"""The slow-point and ghost finder on systems with known answers."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

from analysis.ghosts import find_slow_points, follow_branch, measured_passage_time, normal_form
from reduced import reduce_saddle_node


def test_canonical_form_ghost_and_fixed_points():
    found = find_slow_points(lambda x: x**2 + 0.04, [[-2.0], [0.3], [5.0]])
    assert found.kind.tolist() == ["ghost"]
    assert found.r_eff[0] == pytest.approx(0.04, rel=1e-12)
    assert found.passage_time[0] == pytest.approx(np.pi / 0.2, rel=1e-12)
    assert abs(found.x[0, 0]) < 1e-10 and found.speed[0] == pytest.approx(0.04)
    fixed = find_slow_points(lambda x: x**2 - 0.04, box=([-1.0], [1.0]), n_box=30)
    assert fixed.kind.tolist() == ["fixed point", "fixed point"]
    np.testing.assert_allclose(fixed.x[:, 0], [-0.2, 0.2], atol=1e-12)
    assert fixed.stability.tolist() == ["stable", "unstable"]
    assert np.all(np.isnan(fixed.r_eff))


def _conjugated(G, M):
    """The flow of u' = G(u) in coordinates z = M^{-1} u (M invertible): z' = M^{-1} G(M z).

    M is a float64 numpy array, so the field keeps double precision when the finder traces it."""
    Minv = np.linalg.inv(M)
    return lambda z: Minv @ G(M @ z)


ROTATION = np.array([[np.cos(0.7), -np.sin(0.7)], [np.sin(0.7), np.cos(0.7)]])
SHEAR = np.array([[1.0, 0.8], [-0.3, 1.5]])


@pytest.mark.parametrize("M", [ROTATION, SHEAR], ids=["rotated", "sheared"])
@pytest.mark.parametrize("r", [1e-2, 1e-5])
def test_two_dimensional_folds_off_the_axes(M, r):
    """u1' = u1^2 + r, u2' = -u2 seen in tilted coordinates: the ghost's r_eff is r exactly."""
    F = _conjugated(lambda u: jnp.array([u[0] ** 2 + r, -u[1]]), M)
    found = find_slow_points(F, box=([-1.0, -1.0], [1.0, 1.0]), n_box=40)
    assert found.kind.tolist() == ["ghost"]
    assert found.r_eff[0] == pytest.approx(r, rel=1e-9)
    # a non-orthogonal change of coordinates moves the minimum of |F|^2 off u = 0, by O(r)
    assert np.linalg.norm(found.x[0]) < (1e-9 if M is ROTATION else r)
    slow = np.linalg.inv(M) @ np.array([1.0, 0.0])
    cosine = abs(found.slow_vector[0] @ slow) / np.linalg.norm(slow)
    assert cosine == pytest.approx(1.0, abs=1e-10)  # the slow direction is not a coordinate axis
    assert found.left_vector[0] @ found.slow_vector[0] == pytest.approx(1.0)


def test_three_dimensional_system():
    r = 1e-3
    G = lambda u: jnp.array([u[0] ** 2 + r, -u[1] + u[0] ** 2, -3.0 * u[2] + u[1] * u[0]])  # noqa: E731
    M = np.array([[1.0, 0.3, -0.2], [0.1, 1.0, 0.4], [0.5, -0.2, 1.0]])
    found = find_slow_points(_conjugated(G, M), box=([-0.5] * 3, [0.5] * 3), n_box=60)
    ghosts = found.ghosts
    assert len(ghosts) == 1 and ghosts.r_eff[0] == pytest.approx(r, rel=1e-8)
    assert np.sort(np.abs(ghosts.eigenvalues[0]))[1:] == pytest.approx([1.0, 3.0], rel=1e-6)


def test_rank_one_latent_flow_ghost_matches_its_closed_form():
    """dkappa/dt = -kappa + w tanh(kappa) + b: for w > 1 a fold at tanh^2(kappa_c) = 1 - 1/w, where
    F' = 0 for every b, so r_eff = (1/2) F''(kappa_c) (b - b_c) exactly."""
    w = 2.0
    t = np.sqrt(1 - 1 / w)
    kappa_c = np.arctanh(t)
    b_c = kappa_c - w * t
    for db in (-1e-2, -1e-4, -1e-6):
        found = find_slow_points(lambda k, db=db: -k + w * jnp.tanh(k) + b_c + db, box=([-4.0], [4.0]), n_box=40)
        assert found.kind.tolist() == ["fixed point", "ghost"]
        expected = -w * t * (1 - t**2) * db
        assert found.r_eff[1] == pytest.approx(expected, rel=1e-6)
        # far inside the bottleneck, whose width is sqrt(|c0 / A|) >= 1e-3 here
        assert found.x[1, 0] == pytest.approx(kappa_c, abs=1e-7)
        assert found.unconverged.size == 0


def test_sympy_field_and_reduce_saddle_node_agree_near_the_fold():
    """The tilted 2-D fold of the README: the numeric r_eff equals the symbolic r(mu) = 16 mu/9 - 1/9.

    The field is quadratic, so the normal form along the slow line is exact, not only leading order."""
    x, y, mu = sp.symbols("x y mu", real=True)
    exprs = [mu + x**2 - y, x - 2 * y]
    red = reduce_saddle_node(exprs, [x, y], mu)
    errors = []
    for dmu in (1e-2, 1e-3, 1e-4):
        value = float(red.mu_c) + dmu
        field = ([e.subs(mu, value) for e in exprs], [x, y])
        found = find_slow_points(field, box=([-1.0, -1.0], [1.0, 1.0]), n_box=30)
        assert found.kind.tolist() == ["ghost"]
        errors.append(abs(found.r_eff[0] / float(red.r_of_mu.subs(mu, value)) - 1))
    assert max(errors) < 1e-9


def test_measured_passage_tends_to_the_prediction():
    """Bottleneck time of a tilted 2-D fold / (pi / sqrt r_eff) -> 1 as r_eff -> 0 (error O(sqrt r))."""
    ratios = []
    for r in (1e-2, 1e-4, 1e-6):
        F = _conjugated(lambda u, r=r: jnp.array([u[0] ** 2 + r, -u[1]]), SHEAR)
        g = find_slow_points(F, [[0.2, -0.1]]).ghosts
        measured = measured_passage_time(F, g.x[0], g.slow_vector[0], g.left_vector[0], half_width=1.0)
        ratios.append(measured / g.passage_time[0])
        # the slow line u2 = 0 is invariant and u1 = A s on it, so the exact crossing time of the
        # canonical form from u1 = -A L to +A L is (2 / sqrt r) atan(A L / sqrt r)
        exact = 2 / np.sqrt(r) * np.arctan(abs(g.A[0]) * 1.0 / np.sqrt(r))
        assert measured == pytest.approx(exact, rel=1e-6)
    errors = np.abs(1 - np.array(ratios))
    assert errors[-1] < 2e-3 and errors[0] > errors[1] > errors[2]


def test_branch_finds_where_the_saddle_node_pair_annihilates():
    w = 2.0
    t = np.sqrt(1 - 1 / w)
    b_c = np.arctanh(t) - w * t  # the fold of the upper pair, reached from above as b decreases
    family = lambda b: (lambda k: -k + w * jnp.tanh(k) + b)  # noqa: E731
    values = np.linspace(b_c + 0.3, b_c - 0.3, 13)
    branch = follow_branch(lambda k, b: -k + w * jnp.tanh(k) + b, values, [np.arctanh(t) + 0.5], as_params=True)
    assert branch.kind[0] == "fixed point" and branch.kind[-1] == "ghost"
    assert branch.annihilation == pytest.approx(b_c, abs=1e-6)
    ghosts = branch.kind == "ghost"
    np.testing.assert_allclose(branch.r_eff[ghosts], -w * t * (1 - t**2) * (values[ghosts] - b_c), rtol=1e-5)
    few = values[[0, 6, 12]]  # a new system per value (compiled each time) follows the same branch
    closures = follow_branch(family, few, [np.arctanh(t) + 0.5], bisections=3)
    same = follow_branch(lambda k, b: -k + w * jnp.tanh(k) + b, few, [np.arctanh(t) + 0.5], bisections=3,
                         as_params=True)
    assert closures.kind.tolist() == same.kind.tolist()
    np.testing.assert_allclose(closures.x, same.x, rtol=1e-12, atol=1e-12)
    assert closures.annihilation == same.annihilation


def test_normal_form_does_not_depend_on_the_scale_of_v():
    F = _conjugated(lambda u: jnp.array([u[0] ** 2 + 0.3, -2 * u[1]]), SHEAR)
    nf = normal_form(F, [0.0, 0.0])
    assert nf["r_eff"] == pytest.approx(0.3, rel=1e-10)
    assert nf["w"] @ nf["v"] == pytest.approx(1.0)


def test_network_latent_flow_is_a_field_the_finder_takes():
    from analysis.networks import DelayedActivationRNN

    model = DelayedActivationRNN(N=10)
    params = model.init(jax.random.PRNGKey(0))
    found = find_slow_points(model.flow(params), box=([-3.0], [3.0]), n_box=20)
    assert len(found) >= 1 and found.kind[0] == "fixed point"  # a small random W: one stable fixed point
    assert found.stability[0] == "stable"


def test_parametrised_field_agrees_with_the_closure_and_compiles_once():
    """F(x, params) gives the closure's result, and a second search with new parameters traces nothing."""
    traces = []

    def rank_one(k, p):
        traces.append(1)  # runs only while JAX traces
        return -k + p["w"] * jnp.tanh(k) + p["b"]

    w = 2.0
    t = np.sqrt(1 - 1 / w)
    b_c = np.arctanh(t) - w * t
    for db in (-1e-3, -1e-5, 0.2):
        params = {"w": np.float64(w), "b": np.float64(b_c + db)}
        found = find_slow_points(rank_one, box=([-4.0], [4.0]), n_box=40, params=params)
        closure = find_slow_points(lambda k, db=db: -k + w * jnp.tanh(k) + b_c + db, box=([-4.0], [4.0]), n_box=40)
        assert found.kind.tolist() == closure.kind.tolist()
        np.testing.assert_allclose(found.x, closure.x, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(found.r_eff, closure.r_eff, rtol=1e-10)
        if db == -1e-3:
            after_first = len(traces)
    assert len(traces) == after_first  # the later parameters reused every compiled kernel


def test_a_field_that_cannot_be_weakly_referenced_still_works():
    class Fold:
        __slots__ = ()  # no __weakref__: the kernels cannot be cached on it

        def __call__(self, x):
            return x**2 + 0.01

    found = find_slow_points(Fold(), [[-1.0], [0.5]])
    assert found.kind.tolist() == ["ghost"] and found.r_eff[0] == pytest.approx(0.01, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(field_spec=lambda x: jnp.stack([x[0], x[0]]), starts=[[0.1]]), "shape"),
        (dict(field_spec=lambda x: x**2 + 1, starts=[[np.nan]]), "finite"),
        (dict(field_spec=lambda x: x**2 + 1, starts=np.zeros((0, 1))), "empty"),
        (dict(field_spec=lambda x: x**2 + 1, starts=[[0.1]], fixed_tol=-1), "fixed_tol"),
        (dict(field_spec=lambda x: x**2 + 1, box=([1.0], [0.0]), n_box=3), "box"),
        (dict(field_spec="x**2", starts=[[0.1]]), "field must be"),
        (dict(field_spec=lambda x, p: x**2 + p, starts=[[0.1]], params=np.nan), "params must be finite"),
        (dict(field_spec=lambda x: x**2 + 1, starts=[[0.1]], params=1.0), "field could not be evaluated"),
    ],
)
def test_bad_input_raises_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        find_slow_points(**kwargs)


def test_starts_that_run_away_are_reported():
    found = find_slow_points(lambda x: jnp.exp(x), [[0.0], [1.0]], max_iter=20)  # q decreases forever
    assert len(found) == 0
    assert found.unconverged.tolist() == [0, 1]


def test_normal_form_is_nan_where_the_slowest_mode_is_a_spiral():
    """A focus: the slowest eigenvalues are a complex pair, so no 1-D fold applies (and no warning)."""
    import warnings

    def spiral(x):
        return jnp.array([-0.01 * x[0] - x[1] + 0.1, x[0] - 0.01 * x[1]])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nf = normal_form(spiral, np.array([0.0, 0.1]))
    assert np.isnan(nf["r_eff"]) and np.isnan(nf["A"])
    assert abs(nf["eigenvalues"][0].imag) > 0.5
