"""A network's own 1-D model: the line's table, the compiled descent, and the rank-one pieces."""

from dataclasses import replace

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from analysis.networks.own_model import (
    descend_line,
    line_landscape,
    path_landscape,
    predict_critical_rate,
    start_above,
)
from analysis.networks.training import NetworkCriteria, classify_runs

C = np.array([0.6, -0.3, 1.1])  # r = c . w: |grad r| = |c|
WIDTH = 0.1


def well(r):
    """A well between two plateaus (loss 1 far from r = 1 on both sides)."""
    return 1 - jnp.exp(-((r - 1.0) ** 2) / WIDTH**2)


def toy_loss(p):
    return well(jnp.asarray(C) @ p["w"])


def toy_r_eff(p):
    return jnp.asarray(C) @ p["w"]


LEARNED = {"w": C / (C @ C)}  # r = 1, the minimum (float64: the table is built in double precision)


def test_line_table_is_the_loss_composed_with_r():
    table = line_landscape(toy_loss, LEARNED, toy_r_eff, start_loss=0.99, points=2001)
    norm = np.linalg.norm(C)
    assert table.grad_r_eff == pytest.approx(norm, rel=1e-12)
    assert table.r_eff == pytest.approx(1.0, rel=1e-12)
    r = 1.0 + norm * table.s
    with jax.enable_x64(True):
        expected = np.asarray(well(jnp.asarray(r)))
        slope = np.asarray(jax.vmap(jax.grad(well))(jnp.asarray(r))) * norm  # dL/ds = |c| dL/dr
    np.testing.assert_allclose(table.loss, expected, atol=1e-13)
    np.testing.assert_allclose(table.slope, slope, atol=1e-11)
    # the start: below the minimum, where the loss is 0.99: r = 1 - w sqrt(-ln 0.01)
    r_start = 1.0 - WIDTH * np.sqrt(-np.log(0.01))
    assert 1.0 + norm * table.start == pytest.approx(r_start, abs=2 * norm * (table.s[1] - table.s[0]))
    # and the start from above mirrors it
    assert 1.0 + norm * start_above(table) == pytest.approx(2.0 - r_start, abs=2 * norm * (table.s[1] - table.s[0]))


def _brute_force(table, rates, epochs, criteria, momentum=0.0):
    """The same descent as a plain loop over runs and epochs with the table's numpy lookup (heavy
    ball as optax's ``sgd(momentum=mu)`` steps: trace <- g + mu trace, update -eta trace)."""
    regimes, finals = [], []
    window = max(1, int(round(criteria.window_fraction * epochs)))
    window_start, quarter = epochs - window, max(1, window // 4)
    for eta in rates:
        s, losses, grads, trace = table.start, [], [], 0.0
        for _ in range(epochs):
            L, g = table(s)
            losses.append(float(L))
            grads.append(abs(float(g)))
            trace = float(g) + momentum * trace
            s = s - eta * trace
        losses, grads = np.array(losses), np.array(grads)
        W, head, tail = losses[window_start:], losses[window_start:window_start + quarter], losses[-quarter:]
        stats = {"initial_loss": losses[:1], "last_loss": losses[-1:], "max_grad": grads.max(keepdims=True),
                 "window_min_loss": W.min(keepdims=True), "window_max_loss": W.max(keepdims=True),
                 "window_max_grad": grads[window_start:].max(keepdims=True), "head_max": head.max(keepdims=True),
                 "head_min": head.min(keepdims=True), "tail_max": tail.max(keepdims=True),
                 "tail_min": tail.min(keepdims=True), "diverged": np.array([not np.isfinite(s)]),
                 "max_accuracy": np.full(1, np.nan), "late_max_accuracy": np.full(1, np.nan)}
        regimes.append(int(classify_runs(stats, criteria)["regime"][0]))
        finals.append(s)
    return np.array(regimes), np.array(finals)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_compiled_descent_equals_a_plain_loop(momentum):
    table = line_landscape(toy_loss, LEARNED, toy_r_eff, start_loss=0.99, points=1001)
    rates = np.geomspace(1e-4, 0.05, 9)
    criteria = NetworkCriteria()
    run = descend_line([table], rates, epochs=600, momentum=momentum, criteria=criteria)
    regimes, finals = _brute_force(table, rates, 600, criteria, momentum)
    np.testing.assert_array_equal(run["regime"][0], regimes)
    np.testing.assert_allclose(run["final_s"][0], finals, rtol=1e-12, atol=1e-14)


def test_momentum_descent_is_optax_heavy_ball():
    """The compiled heavy-ball descent on the table equals optax's sgd(momentum=0.9) on the same table."""
    import optax

    table = line_landscape(toy_loss, LEARNED, toy_r_eff, start_loss=0.99, points=1001)
    eta, mu, epochs = 0.004, 0.9, 400
    run = descend_line([table], [eta], epochs=epochs, momentum=mu)
    optimizer = optax.sgd(eta, momentum=mu)
    s = np.array(table.start)
    state = optimizer.init(s)
    for _ in range(epochs):
        update, state = optimizer.update(np.array(table(s)[1]), state)
        s = optax.apply_updates(s, update)
    assert run["final_s"][0, 0] == pytest.approx(float(s), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_heavy_ball_on_a_well_settles_below_its_stability_bound_only(momentum):
    """Heavy ball on a quadratic of curvature k is stable iff eta k < 2 (1 + mu): on the well's
    minimum a start just beside it settles below that bound and is thrown off above it."""
    def loss(p):
        return 1 - jnp.exp(-((p["w"][0] - 1.0) ** 2) / 0.2**2)

    bound = 2 * (1 + momentum) / (2 / 0.2**2)
    table = line_landscape(loss, {"w": np.array([1.0])}, lambda p: p["w"][0], start_loss=0.99)
    near = replace(table, start=-1e-3)  # inside the quadratic part of the well
    run = descend_line([near], [0.9 * bound, 1.1 * bound], epochs=4000, momentum=momentum)
    assert abs(run["final_s"][0, 0]) < 1e-8
    assert abs(run["final_s"][0, 1]) > 1e-2


def test_descent_on_s_is_descent_on_r_at_the_mapped_rate():
    """One step in s of eta dL/ds moves r by eta |grad r|^2 dL/dr: the mapping's effective rate, exactly
    for a loss that depends on the parameters only through r (up to the table's interpolation)."""
    table = line_landscape(toy_loss, LEARNED, toy_r_eff, start_loss=0.99, points=20001)
    norm2 = float(C @ C)
    eta = 2e-4
    run = descend_line([table], [eta], epochs=300)
    r = 1.0 + np.sqrt(norm2) * table.start
    with jax.enable_x64(True):
        grad = jax.grad(well)
        for _ in range(300):
            r = r - eta * norm2 * float(grad(jnp.asarray(r)))
    assert 1.0 + np.sqrt(norm2) * run["final_s"][0, 0] == pytest.approx(r, abs=1e-6)


@pytest.mark.parametrize("width", [0.05, 0.2])
def test_a_well_learns_below_its_stability_bound_and_traps_far_above_it(width):
    """On a well between plateaus, descent from the plateau's edge settles at the minimum below
    eta = 2 / L''(min); above it, it cannot settle (it oscillates or wanders), and far above it a
    step throws it onto a plateau, where the gradient vanishes: trapped."""
    def loss(p):
        return 1 - jnp.exp(-((p["w"][0] - 1.0) ** 2) / width**2)

    bound = 2 / (2 / width**2)  # 2 / L''(1)
    multiples = np.array([0.1, 0.45, 0.75, 1.5, 2.0, 10.0])
    out = predict_critical_rate(loss, {"w": np.array([1.0])}, lambda p: p["w"][0], start_loss=0.99,
                                lr=multiples * bound, epochs=3000)
    assert out["regime"][:3].tolist() == [0, 0, 0]  # learned
    assert 0 not in out["regime"][3:].tolist()  # not learned above the bound
    assert out["trapped"][-1]
    assert bound < out["critical"] <= 10 * bound


def test_a_straight_path_gives_the_line_table():
    """path_landscape along a straight path that ends at theta_L, continued along grad r_eff, is the line."""
    norm = np.linalg.norm(C)
    u = C / norm
    start = np.asarray(LEARNED["w"]) - 0.3 * u
    path = {"w": np.stack([start + t * (np.asarray(LEARNED["w"]) - start) for t in np.linspace(0, 1, 50)])}
    along_path = path_landscape(toy_loss, path, toy_r_eff, start_loss=0.99, points=3001)
    line = line_landscape(toy_loss, LEARNED, toy_r_eff, start_loss=0.99, points=3001)
    r_path, r_line = 1 + norm * along_path.s, 1 + norm * line.s
    expected = np.interp(r_path, r_line, line.loss)
    inside = (r_path > r_line[0]) & (r_path < r_line[-1])
    np.testing.assert_allclose(along_path.loss[inside], expected[inside], atol=2e-3)
    assert along_path.start == pytest.approx(line.start, abs=2 * (along_path.s[1] - along_path.s[0]))


def test_bad_input_is_refused_by_name():
    with pytest.raises(ValueError, match="start_loss"):
        line_landscape(toy_loss, LEARNED, toy_r_eff, start_loss=1.5)  # above the plateau: never reached
    with pytest.raises(ValueError, match="r_eff"):
        line_landscape(toy_loss, LEARNED, lambda p: 0.0 * p["w"][0], start_loss=0.99)
    table = line_landscape(toy_loss, LEARNED, toy_r_eff, start_loss=0.99, points=101)
    with pytest.raises(ValueError, match="lr"):
        descend_line([table], [-1.0], epochs=10)
    with pytest.raises(ValueError, match="epochs"):
        descend_line([table], [1e-3], epochs=0)
    with pytest.raises(ValueError, match="momentum"):
        descend_line([table], [1e-3], epochs=10, momentum=1.0)


def test_a_map_given_by_the_user_predicts_with_ghost_r_eff_as_with_its_closed_form():
    """The canonical map x' = x + dt (x^2 + r): its ghost's r_eff is dt^2 r exactly (c0 = dt r, A = dt);
    the 1-D model built with ghost_r_eff (implicit differentiation through the search) is the one
    built with the closed form."""
    from analysis.ghosts import Map, ghost_r_eff

    dt, steps = 0.1, 60

    def G(x, params, u):
        return x + dt * (x**2 + params["r"][0])

    def loss(params):  # a delayed-activation loss on the map's trajectory from x0 = -1
        def step(x, _):
            x = jnp.minimum(G(x, params, None), 1e3)
            return x, jax.nn.sigmoid(2.0 * (x[0] - 2.0))

        _, y = jax.lax.scan(step, jnp.array([-1.0]), None, length=steps)
        target = (jnp.arange(steps) >= steps // 2).astype(y.dtype)
        return jnp.mean((y - target) ** 2)

    r_star = {"r": np.array([0.12])}
    system = Map(G, r_star, n_state=1, n_input=0)
    with jax.enable_x64(True):
        by_search = line_landscape(loss, r_star, lambda p: ghost_r_eff(system, [0.0], p), start_loss=0.2,
                                   points=501)
    closed = line_landscape(loss, r_star, lambda p: dt**2 * p["r"][0], start_loss=0.2, points=501)
    assert by_search.grad_r_eff == pytest.approx(dt**2, rel=1e-8)
    assert by_search.r_eff == pytest.approx(dt**2 * 0.12, rel=1e-8)
    np.testing.assert_allclose(by_search.loss, closed.loss, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(by_search.slope, closed.slope, rtol=1e-8, atol=1e-12)


def test_a_start_above_is_clipped_at_a_lower_far_plateau():
    """Where the far side's plateau (0.5) lies below the start loss (0.99), a start above is
    undefined, unless clipped: then it is where the far side first reaches 99% of its plateau."""
    def loss(p):
        r = p["w"][0]
        return (1 - jnp.exp(-((r - 1.0) ** 2) / 0.1**2)) * jnp.where(r < 1.0, 1.0, 0.5)

    table = line_landscape(loss, {"w": np.array([1.0])}, lambda p: p["w"][0], start_loss=0.99, points=20001)
    with pytest.raises(ValueError, match="far side"):
        start_above(table)
    s = start_above(table, clip=True)
    far_max = float(table.loss[np.argmin(table.loss):].max())
    assert float(table(s)[0]) == pytest.approx(0.99 * far_max, rel=1e-4)
    assert s > 0 and float(0.5 * (1 - np.exp(-(s**2) / 0.01))) == pytest.approx(0.99 * far_max, rel=1e-3)


def test_a_start_below_is_clipped_at_a_lower_plateau_only_when_asked():
    def loss(p):
        r = p["w"][0]
        return (1 - jnp.exp(-((r - 1.0) ** 2) / 0.1**2)) * jnp.where(r < 1.0, 0.5, 1.0)

    with pytest.raises(ValueError, match="start_loss"):
        line_landscape(loss, {"w": np.array([1.0])}, lambda p: p["w"][0], start_loss=0.99)
    table = line_landscape(loss, {"w": np.array([1.0])}, lambda p: p["w"][0], start_loss=0.99, clip_start=True,
                           points=20001)
    assert table.start_loss < 0.99  # the level used, where the plateau below is lower than asked
    assert float(table(table.start)[0]) == pytest.approx(table.start_loss, rel=1e-4)
    assert table.start < 0
