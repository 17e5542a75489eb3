"""The compiled rollout against autodiff of the plain lax.scan (an independent computation)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from analysis.networks.rollout import full_rank_rollout


def scan_rollout(alpha, W, drive, x0):
    def step(x, d):
        x = (1 - alpha) * x + alpha * jnp.tanh(x @ W + d)
        return x, x

    return jax.lax.scan(step, x0, drive)[1]


def problem(dtype, steps=7, trials=3, N=11, networks=None, seed=0):
    rng = np.random.default_rng(seed)
    lead = () if networks is None else (networks,)
    W = 1.5 * rng.standard_normal((*lead, N, N)) / N**0.5
    drive = 0.3 * rng.standard_normal((*lead, steps, trials, N))
    x0 = np.tanh(0.5 * rng.standard_normal((*lead, trials, N)))
    probe = rng.standard_normal((*lead, steps, trials, N))
    cast = lambda a: jnp.asarray(a, dtype)  # noqa: E731
    return cast(W), cast(drive), cast(x0), cast(probe)


def test_forward_and_gradients_equal_autodiff_of_the_scan_in_float64():
    with jax.enable_x64(True):
        weights, drive, x0, probe = problem(jnp.float64)
        loss = lambda f: lambda w, d, x: jnp.sum(jnp.sin(f(0.5, w, d, x)) * probe)  # noqa: E731
        np.testing.assert_allclose(full_rank_rollout(0.5, weights, drive, x0), scan_rollout(0.5, weights, drive, x0),
                                   rtol=1e-12, atol=1e-13)
        ours = jax.grad(loss(full_rank_rollout), argnums=(0, 1, 2))(weights, drive, x0)
        theirs = jax.grad(loss(scan_rollout), argnums=(0, 1, 2))(weights, drive, x0)
        for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_float32_under_vmap_matches_the_scan_to_float32_rounding():
    weights, drive, x0, probe = problem(jnp.float32, networks=5, N=40, steps=30)
    loss = lambda f: lambda w, d, x, p: jnp.sum(f(0.5, w, d, x) * p)  # noqa: E731
    ours = jax.jit(jax.vmap(jax.value_and_grad(loss(full_rank_rollout))))(weights, drive, x0, probe)
    theirs = jax.vmap(jax.value_and_grad(loss(scan_rollout)))(weights, drive, x0, probe)
    for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs), strict=True):
        scale = float(jnp.max(jnp.abs(b)))
        np.testing.assert_allclose(a, b, atol=2e-5 * scale)


def test_float32_tanh_is_the_rational_approximation_within_its_bound():
    x = np.linspace(-12, 12, 20001).astype(np.float32)
    drive = jnp.asarray(x.reshape(-1, 1, 1))  # one unit, W = 0, alpha = 1: x_{t+1} = tanh(d_t)
    xs = full_rank_rollout(1.0, jnp.zeros((1, 1), jnp.float32), drive, jnp.zeros((1, 1)))
    assert np.max(np.abs(np.asarray(xs)[:, 0, 0] - np.tanh(x.astype(np.float64)))) < 5e-7


def test_integer_drive_is_refused():
    with pytest.raises(ValueError, match="drive"):
        full_rank_rollout(0.5, jnp.zeros((2, 2)), jnp.zeros((3, 1, 2), jnp.int32), jnp.zeros((1, 2)))


def test_a_float64_sweep_keeps_float64_through_the_host_kernels():
    """The callback runs where JAX's 64-bit mode may be off; the recorded loss of a float64 sweep
    must still be the float64 loss of its initial network (the scan's, to 1e-12), not a float32 one."""
    from analysis.networks import TaskRNN, cue_discrimination, train_sweep
    from analysis.networks.training.chunk import init_runs

    model, task = TaskRNN(N=20, noise_sigma=0.0, r0_sigma=0.0), cue_discrimination(2, 5, 3)
    ds = train_sweep(model, task, lr=[0.01], seeds=1, epochs=1, record_every=1, dtype="float64", checkpoints=())
    with jax.enable_x64(True):
        params, _, _ = init_runs(model, [0], 0, [0.01], ("sgd", 0.0, 0.0), jnp.float64)
        p = {k: v[0] for k, v in params.items()}
        x0 = jnp.zeros((task.trials, model.N))
        drive = jnp.swapaxes(jnp.asarray(task.inputs), 0, 1) @ p["W_in"].T + p["b"]
        states = jnp.concatenate([x0[None], scan_rollout(model.alpha, p["W"], drive, x0)])
        outputs = jnp.swapaxes(model.read(p, states[:-1]), 0, 1)
        loss = task.loss_scale * float(jnp.sum(task.mask * (outputs - task.targets) ** 2))
    np.testing.assert_allclose(float(ds.loss.values.ravel()[0]), loss, rtol=1e-12)
