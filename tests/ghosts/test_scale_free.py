"""What a point is does not depend on the field's scale or on the starts; labels that say what they mean; maps."""

import jax.numpy as jnp
import numpy as np
import pytest

from analysis.ghosts import find_slow_points, stability_label

SCALES = [1e-12, 1e-9, 1e-7, 1e-6, 1e-5, 1e-3, 1.0, 1e3, 1e6]


def _tanh_field(s):
    return lambda k: s * (-k + 2 * jnp.tanh(k) - 0.6)


def _plane_field(s):
    """A 2-D flow with a ghost and a stable fixed point, its slow direction off the axes."""
    c, d = np.cos(0.6), np.sin(0.6)

    def F(x):
        u, v = c * x[0] + d * x[1], -d * x[0] + c * x[1]  # rotated coordinates
        du, dv = -u + 2 * jnp.tanh(u) - 0.6, -3.0 * v
        return s * jnp.stack([c * du - d * dv, d * du + c * dv])

    return F


@pytest.mark.parametrize(("field", "dim"), [(_tanh_field, 1), (_plane_field, 2)], ids=["1-D", "2-D"])
def test_points_and_labels_do_not_change_with_the_fields_scale(field, dim):
    box = ([-4.0] * dim, [4.0] * dim)
    reference = find_slow_points(field(1.0), box=box, n_box=20)
    assert sorted(reference.kind.tolist()) == ["fixed point", "ghost"]
    for s in SCALES:
        found = find_slow_points(field(s), box=box, n_box=20)
        assert found.kind.tolist() == reference.kind.tolist(), s
        assert found.stability.tolist() == reference.stability.tolist(), s
        np.testing.assert_allclose(found.x, reference.x, atol=1e-7)
        ghost = found.kind == "ghost"
        # F -> s F scales A and c0 by s: r_eff by s^2, the passage time by 1/s
        np.testing.assert_allclose(found.r_eff[ghost], s**2 * reference.r_eff[ghost], rtol=1e-6)
        np.testing.assert_allclose(found.passage_time[ghost], reference.passage_time[ghost] / s, rtol=1e-6)


def test_a_label_is_read_from_the_field_near_the_point_not_from_the_starts():
    far = find_slow_points(lambda x: x**2 + 1e-6, [[-1000.0], [1000.0], [-900.0]])
    near = find_slow_points(lambda x: x**2 + 1e-6, [[-1.0], [1.0]])
    assert far.kind.tolist() == near.kind.tolist() == ["ghost"]
    assert far.r_eff[0] == pytest.approx(1e-6, rel=1e-6) and near.r_eff[0] == pytest.approx(1e-6, rel=1e-6)


def test_a_very_slow_ghost_is_not_a_stable_fixed_point():
    found = find_slow_points(lambda x: x**2 + 1e-12, [[0.5], [-0.5]])
    assert found.kind.tolist() == ["ghost"] and found.r_eff[0] == pytest.approx(1e-12, rel=1e-6)


def test_a_centre_is_marginal_not_a_saddle():
    found = find_slow_points(lambda x: jnp.stack([-x[1], x[0]]), [[0.3, 0.2]])
    assert found.kind.tolist() == ["fixed point"] and found.stability.tolist() == ["marginal"]


def test_a_ring_of_fixed_points_is_non_isolated():
    starts = np.random.default_rng(0).normal(size=(30, 2))
    found = find_slow_points(lambda x: x * (1 - jnp.sum(x**2)), starts)
    on_ring = np.abs(np.linalg.norm(found.x, axis=1) - 1) < 1e-6
    assert on_ring.sum() >= 2
    assert set(found.stability[on_ring]) == {"non-isolated"}
    assert found.stability[~on_ring].tolist() == ["unstable"]  # the origin


@pytest.mark.parametrize(("values", "time", "label"), [
    ([-1.0, -2.0], "continuous", "stable"), ([1.0, 2.0], "continuous", "unstable"),
    ([-1.0, 2.0], "continuous", "saddle"), ([1j, -1j], "continuous", "marginal"),
    ([0.0, -1.0], "continuous", "non-isolated"), ([0.5, -0.3], "discrete", "stable"),
    ([-1.5], "discrete", "unstable"), ([0.5, 1.5], "discrete", "saddle"), ([1.0, 0.5], "discrete", "non-isolated"),
    ([np.exp(0.3j), np.exp(-0.3j)], "discrete", "marginal"),
])
def test_stability_labels(values, time, label):
    assert stability_label(np.asarray(values, complex), time, 1e-9) == label


# --- maps ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("a", "label"), [(-1.5, "unstable"), (0.5, "stable"), (-0.5, "stable"), (1.5, "unstable")])
def test_a_linear_map_is_judged_by_its_multiplier(a, label):
    found = find_slow_points(lambda x: a * x, [[0.3]], time="discrete")
    assert found.kind.tolist() == ["fixed point"] and found.stability.tolist() == [label]
    np.testing.assert_allclose(found.multipliers[0], [a])


def _steps_through(r, half_width=0.05):
    x, steps = -half_width, 0
    while x <= half_width:
        x, steps = x + x**2 + r, steps + 1
    return steps


def test_the_passage_of_a_maps_ghost_counts_steps_and_tends_to_pi_over_sqrt_r():
    errors = []  # the steps from -L to L tend to pi / sqrt(r) as r -> 0 at fixed L
    for r in (1e-4, 1e-5, 1e-6, 1e-7):
        found = find_slow_points(lambda x, r=r: x + x**2 + r, [[0.2]], time="discrete")
        assert found.kind.tolist() == ["ghost"] and found.r_eff[0] == pytest.approx(r, rel=1e-6)
        errors.append(abs(_steps_through(r) / found.passage_time[0] - 1))
    assert errors[-1] < 0.01 and errors[0] > errors[1] > errors[2] > errors[3]


def test_a_one_unit_tanh_rnn_just_past_its_fold_has_a_ghost():
    # h -> tanh(w h + b) has a saddle-node where tanh(w h + b) = h and w (1 - h^2) = 1. At the upper
    # fold f(h) = tanh(w h + b) - h has a maximum of 0 (f'' < 0): raising b creates the pair, lowering
    # it leaves a ghost.
    w = 2.0
    h_fold = np.sqrt(1 - 1 / w)
    b_fold = np.arctanh(h_fold) - w * h_fold
    starts = [[0.4], [0.8], [-0.9]]
    past = find_slow_points(lambda h: jnp.tanh(w * h + b_fold - 1e-3), starts, time="discrete")
    assert past.kind.tolist() == ["fixed point", "ghost"]  # the lower branch, and the ghost of the pair
    assert past.x[1, 0] == pytest.approx(h_fold, abs=0.01)
    assert past.r_eff[1] > 0 and past.stability[0] == "stable"
    # the pair is 0.08 apart at b_fold + 0.02: a finer coarse merge keeps its two members apart
    before = find_slow_points(lambda h: jnp.tanh(w * h + b_fold + 0.02), starts + [[0.65], [0.75]], time="discrete",
                              coarse_merge=0.005)
    assert before.kind.tolist() == ["fixed point"] * 3
    assert sorted(before.stability.tolist()) == ["stable", "stable", "unstable"]


def test_a_rank_one_networks_update_can_oscillate_at_a_flow_stable_point():
    """n.m = -5: the flow -k - 5 tanh(k) has a stable point at 0, but the update k + 0.5 f(k) has multiplier -2."""
    found = find_slow_points(lambda k: -k - 5 * jnp.tanh(k), [[0.4]])
    assert found.stability.tolist() == ["stable"]
    assert found.map_stability(0.5).tolist() == ["unstable"]
    assert found.map_stability(0.1).tolist() == ["stable"]  # a smaller step keeps |1 + alpha f'| < 1


def test_fields_that_compute_in_float32_or_integers_are_searched():
    assert find_slow_points(lambda x: (x**2 + 0.01).astype(jnp.float32), [[0.5]]).kind.tolist() == ["ghost"]
    assert find_slow_points(lambda x: -jnp.round(x).astype(jnp.int32), [[0.2]]).kind.tolist() == ["fixed point"]


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(slow_tol=2.0), "slow_tol"), (dict(fixed_tol=1.0), "fixed_tol"), (dict(coarse_steps=-1), "coarse_steps"),
    (dict(coarse_steps=1.5), "coarse_steps"), (dict(coarse_merge=-1.0), "coarse_merge"),
    (dict(coarse_merge=float("nan")), "coarse_merge"), (dict(seed=1.5), "seed"), (dict(time="flow"), "time"),
])
def test_bad_options_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        find_slow_points(lambda x: x**2 + 0.01, [[0.5]], **kwargs)


def test_numbers_as_text_in_starts_are_refused():
    with pytest.raises(ValueError, match="starts"):
        find_slow_points(lambda x: x**2 + 0.01, [["0.5"]])
