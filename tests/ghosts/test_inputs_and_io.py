"""Constant inputs, explicit systems (Flow, Map) and saving what a search found."""

import jax.numpy as jnp
import numpy as np
import pytest

from analysis.ghosts import Flow, Map, SlowPoints, find_slow_points, from_weights


def _rnn(seed=0, N=4, m=2):
    rng = np.random.default_rng(seed)
    return 1.5 * rng.normal(size=(N, N)) / np.sqrt(N), 0.3 * rng.normal(size=N), rng.normal(size=(N, m))


def test_a_constant_input_equals_its_input_bias_folded_in_by_hand():
    W, b, W_in = _rnn()
    u = np.array([0.4, -0.7])
    starts = np.random.default_rng(1).normal(size=(200, 4))
    driven = find_slow_points(from_weights(W, b, W_in=W_in), starts, inputs=u)
    folded = find_slow_points(from_weights(W, b + W_in @ u), starts)
    assert len(driven) == len(folded) >= 1
    np.testing.assert_allclose(driven.x, folded.x, atol=1e-10)
    assert driven.kind.tolist() == folded.kind.tolist() and driven.stability.tolist() == folded.stability.tolist()
    np.testing.assert_array_equal(driven.inputs, np.tile(u, (len(driven), 1)))  # each point carries its input
    assert folded.inputs.shape == (len(folded), 0)
    zero = find_slow_points(from_weights(W, b, W_in=W_in), starts)  # without inputs=, the input is zero
    np.testing.assert_allclose(zero.x, find_slow_points(from_weights(W, b), starts).x, atol=1e-10)


def test_one_input_per_start_searches_each_input_as_its_own_system():
    # x' = x^2 + u: a ghost for u > 0, two fixed points at +-sqrt(-u) for u < 0
    starts = [[0.3], [-0.5], [0.5], [1.0]]
    found = find_slow_points(lambda x, u: x**2 + u[0], starts, inputs=[[0.01], [-0.25], [-0.25], [0.01]])
    by_input = {float(u): sorted(zip(found.kind[found.inputs[:, 0] == u], found.x[found.inputs[:, 0] == u, 0],
                                     strict=True)) for u in (0.01, -0.25)}
    assert [k for k, _ in by_input[0.01]] == ["ghost"] and by_input[0.01][0][1] == pytest.approx(0, abs=1e-9)
    np.testing.assert_allclose([x for _, x in by_input[-0.25]], [-0.5, 0.5], atol=1e-10)
    assert found.r_eff[found.kind == "ghost"][0] == pytest.approx(0.01, rel=1e-10)


def test_params_and_inputs_together_and_one_compiled_search_for_every_checkpoint():
    from analysis.ghosts.kernels import kernels_for

    def field(x, p, u):
        return x**2 + p["r"] + u

    found = [find_slow_points(field, [[0.2]], params={"r": r}, inputs=[0.005]) for r in (0.01, 0.02)]
    assert [float(f.r_eff[0]) for f in found] == pytest.approx([0.015, 0.025], rel=1e-10)
    assert kernels_for(field, True, "continuous", True) is kernels_for(field, True, "continuous", True)


def test_a_system_says_its_own_time_and_refuses_a_contradiction():
    G = Map(lambda x, p, u: -1.5 * x, n_state=1)
    assert find_slow_points(G, [[0.2]]).stability.tolist() == ["unstable"]  # a map: |mu| = 1.5
    F = Flow(lambda x, p, u: -1.5 * x, n_state=1)
    assert find_slow_points(F, [[0.2]]).stability.tolist() == ["stable"]  # the same function as a flow
    with pytest.raises(ValueError, match="time='continuous' contradicts"):
        find_slow_points(G, [[0.2]], time="continuous")
    np.testing.assert_allclose(G([2.0]), [-3.0])


@pytest.mark.parametrize(("call", "match"), [
    (lambda sys: find_slow_points(sys, np.zeros((3, 5))), "starts must have 4 coordinates"),
    (lambda sys: find_slow_points(sys, np.zeros((3, 4)), inputs=[1.0, 2.0, 3.0]), "inputs must have length 2"),
    (lambda sys: find_slow_points(sys, np.zeros((3, 4)), inputs=np.zeros((2, 2))), "one row per start"),
    (lambda sys: find_slow_points(sys, np.zeros((3, 4)), inputs=[np.nan, 0.0]), "inputs must not contain NaN"),
    (lambda sys: find_slow_points(sys, np.zeros((3, 4)), inputs=[np.inf, 0.0]), "inputs must be finite"),
    (lambda sys: find_slow_points(sys, np.zeros((3, 4)), inputs=["1", "2"]), "inputs must be a real number"),
    (lambda sys: find_slow_points(sys, np.full((3, 4), np.inf)), "starts must be finite"),
    (lambda sys: find_slow_points(sys, np.zeros((0, 4))), "starts must not be empty"),
    (lambda sys: find_slow_points(sys, np.zeros((3, 4)), params={**sys.params, "b": np.full(4, np.nan)}),
     "params must be finite"),
])
def test_bad_input_is_refused_by_name(call, match):
    W, b, W_in = _rnn()
    with pytest.raises(ValueError, match=match):
        call(from_weights(W, b, W_in=W_in))


def test_from_weights_is_the_leaky_map_and_its_flow():
    W, b, W_in = _rnn()
    x, u = np.linspace(-1, 1, 4), np.array([0.2, 0.1])
    for convention, matrix in (("column", W), ("row", W.T)):
        G = from_weights(W, b, W_in=W_in, alpha=0.3, convention=convention, nonlinearity="relu")
        drive = np.maximum(matrix @ x + W_in @ u + b, 0)
        np.testing.assert_allclose(G(x, u), 0.7 * x + 0.3 * drive, rtol=1e-14)
        F = from_weights(W, b, W_in=W_in, convention=convention, nonlinearity="relu", time="continuous")
        np.testing.assert_allclose(F(x, u), -x + drive, rtol=1e-14)
    for kwargs, match in (({"alpha": 0.0}, "alpha"), ({"nonlinearity": "gelu"}, "nonlinearity"),
                          ({"convention": "diag"}, "convention"), ({"time": "fast"}, "time")):
        with pytest.raises(ValueError, match=match):
            from_weights(W, b, **kwargs)
    with pytest.raises(ValueError, match="W_rec must be square"):
        from_weights(W[:, :3], b)
    with pytest.raises(ValueError, match="W_rec must be finite"):
        from_weights(np.full((4, 4), np.inf), b)
    with pytest.raises(ValueError, match=r"b must have shape \(4,\)"):
        from_weights(W, b[:3])


def test_the_same_fixed_points_as_a_map_and_as_its_flow_with_alpha_one():
    W, b, _ = _rnn(3)
    starts = np.random.default_rng(2).normal(size=(100, 4))
    as_map = find_slow_points(from_weights(W, b, nonlinearity="tanh"), starts)
    as_flow = find_slow_points(from_weights(W, b, time="continuous"), starts)
    fixed_map, fixed_flow = as_map.fixed_points, as_flow.fixed_points
    order = lambda f: f.x[np.lexsort(f.x.T)]  # noqa: E731
    np.testing.assert_allclose(order(fixed_map), order(fixed_flow), atol=1e-9)
    # alpha = 1: the map's multipliers are the flow's eigenvalues plus one
    np.testing.assert_allclose(np.sort_complex(fixed_map.multipliers.ravel()),
                               np.sort_complex((fixed_flow.eigenvalues + 1).ravel()), atol=1e-9)


def test_slow_points_round_trip_through_netcdf_and_refuse_to_overwrite(tmp_path):
    r = 1e-3
    found = find_slow_points(lambda x: jnp.array([x[0] ** 2 + r, -x[1] + jnp.sin(x[0]) - 0.1 * x[1] ** 2]),
                             box=([-1.0, -1.0], [1.0, 1.0]), n_box=30, inputs=None)
    path = found.save(tmp_path / "points.nc")
    back = SlowPoints.load(path)
    for name in SlowPoints.PER_POINT:
        a, b = getattr(found, name), getattr(back, name)
        if a.dtype == object:
            assert a.tolist() == b.tolist()
        else:
            np.testing.assert_array_equal(a, b)
    assert (back.time, back.slow_tol, back.field_scale, back.candidates) == \
        (found.time, found.slow_tol, found.field_scale, found.candidates)
    with pytest.raises(ValueError, match="exists; pass overwrite=True"):
        found.save(path)
    found.save(path, overwrite=True)
    with pytest.raises(ValueError, match="NetCDF"):
        found.save(tmp_path / "points.txt")


@pytest.mark.parametrize("M", [np.array([[np.cos(0.7), -np.sin(0.7)], [np.sin(0.7), np.cos(0.7)]]),
                               np.array([[1.0, 0.8], [-0.3, 1.5]])], ids=["rotated", "sheared"])
def test_a_two_dimensional_map_with_its_slow_direction_off_the_axes(M):
    """u -> (u1 + u1^2 + r, 0.5 u2) in tilted coordinates z = M^{-1} u: r_eff = r in steps, mu = (1, 0.5)."""
    r = 1e-4
    Minv = np.linalg.inv(M)

    def G(z):
        u = M @ z
        return Minv @ jnp.array([u[0] + u[0] ** 2 + r, 0.5 * u[1]])

    found = find_slow_points(Map(lambda z, p, u: G(z), n_state=2), box=([-0.5, -0.5], [0.5, 0.5]), n_box=30)
    assert found.kind.tolist() == ["ghost"]
    assert found.r_eff[0] == pytest.approx(r, rel=1e-8)
    assert found.passage_time[0] == pytest.approx(np.pi / np.sqrt(r), rel=1e-8)  # in steps
    np.testing.assert_allclose(np.sort(found.multipliers[0].real), [0.5, 1.0], atol=1e-3)
    slow = Minv @ np.array([1.0, 0.0])
    assert abs(found.slow_vector[0] @ slow) / np.linalg.norm(slow) == pytest.approx(1.0, abs=1e-8)
