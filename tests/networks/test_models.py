"""The network models against an independent float64 numpy forward pass and finite differences."""


import jax
import jax.numpy as jnp
import numpy as np
import pytest

from analysis.networks import (
    DelayedActivationRNN,
    TaskRNN,
    cue_discrimination,
    delayed_activation,
    match_to_sample,
    onehot_cue_discrimination,
)

# --- an independent float64 numpy forward pass, written from the equations of the docs ----------


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_loss(model, task, params, x0, noise):
    """Loss of one forward pass; rates are row vectors, readout before/after the update.

    Column-convention W: the stored full-rank matrix transposed (row convention), or m n^T."""
    p = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    W = p["W"].T if "W" in p else p["m"] @ p["n"].T
    x = np.asarray(x0, dtype=float)
    outputs = []
    for t in range(task.steps):
        u = task.inputs[:, t, :]
        drive = x @ W.T + p["b"] + p.get("b_rec", 0.0) + (u @ p["W_in"].T if "W_in" in p else 0.0) + noise[t]
        x_next = (1 - model.alpha) * x + model.alpha * np.tanh(drive)
        read = x if isinstance(model, TaskRNN) else x_next
        if isinstance(model, TaskRNN):
            feature = read @ p["n"] if model.rank is not None else read
            z = feature @ p["w_out"] + p["b_out"]
            outputs.append(np.tanh(z) if model.readout == "tanh" else _sigmoid(z))
        elif model.readout == "linear":
            outputs.append(_sigmoid(read @ p["w_out"] + p["b_out"]))
        else:
            gain = p.get("c", model.gain)
            outputs.append(_sigmoid(gain * ((read @ p["n"])[:, 0] - 1.0)))
        x = x_next
    y = np.stack(outputs, axis=1)
    return task.loss_scale * np.sum(task.mask * (y - task.targets) ** 2)


CASES = {
    "rank-one latent": (DelayedActivationRNN(N=6, rank=1), delayed_activation(4)),
    "rank-one trainable gain": (DelayedActivationRNN(N=6, rank=1, train_gain=True, gain=3.0), delayed_activation(4)),
    "rank-3 linear readout": (DelayedActivationRNN(N=6, rank=3, readout="linear"), delayed_activation(3)),
    "full delayed": (DelayedActivationRNN(N=6, rank=None, readout="linear"), delayed_activation(3)),
    "low-rank DCDT": (TaskRNN(N=6, rank=2, readout="tanh", noise_sigma=0.1, r0_sigma=0.3),
                      cue_discrimination(1, 3, 2)),
    "full DMTS": (TaskRNN(N=6, rank=None, readout="sigmoid", noise_sigma=0.05), match_to_sample(1, 2, 2)),
    "full DCDT normalized": (TaskRNN(N=6, normalize=0.7), cue_discrimination(1, 2, 2, trials_per_class=2)),
    "companion two-output": (TaskRNN(N=6, n_in=2, n_out=2, readout="sigmoid", noise_sigma=0.05, recurrent_bias=True,
                                     zero_diagonal=True, normalize=1.3),
                             onehot_cue_discrimination(1, 2, 2, n_post=1, trials_per_class=1)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_loss_and_gradient_match_numpy_and_finite_differences(case):
    model, task = CASES[case]
    with jax.enable_x64(True):
        params = model.init(jax.random.PRNGKey(3), jnp.float64)
        # move the parameters off their special initial values (b = 0) so every term counts
        params = {k: v + 0.2 * jax.random.normal(jax.random.PRNGKey(7 + i), v.shape, jnp.float64)
                  for i, (k, v) in enumerate(params.items())}
        params = model.project(params)
        x0, noise = model.sample_start(jax.random.PRNGKey(11), task.trials, task.steps, jnp.float64)
        arrays = [jnp.asarray(a, jnp.float64) for a in (task.inputs, task.targets, task.mask)]

        def loss_of(p):
            _, y = model.simulate(p, arrays[0], x0, noise)
            return task.loss_scale * jnp.sum(arrays[2] * (y - arrays[1]) ** 2)

        loss, grads = jax.value_and_grad(loss_of)(params)
        x0 = np.asarray(x0)
        noise = np.zeros((task.steps, task.trials, model.N)) if noise is None else np.asarray(noise)
        np_params = {k: np.asarray(v) for k, v in params.items()}
        assert float(loss) == pytest.approx(numpy_loss(model, task, np_params, x0, noise), rel=1e-12)
        h = 1e-6
        for name, value in np_params.items():
            flat = value.reshape(-1)
            for index in range(0, flat.size, max(1, flat.size // 7)):
                up, down = flat.copy(), flat.copy()
                up[index] += h
                down[index] -= h
                fd = (numpy_loss(model, task, {**np_params, name: up.reshape(value.shape)}, x0, noise)
                      - numpy_loss(model, task, {**np_params, name: down.reshape(value.shape)}, x0, noise)) / (2 * h)
                got = float(np.asarray(grads[name]).reshape(-1)[index])
                assert got == pytest.approx(fd, rel=1e-6, abs=1e-9), (name, index)


def test_latent_flow_is_the_networks_own_update():
    """kappa = n.x obeys kappa' = kappa + alpha F(kappa) with F the input-free latent flow, exactly."""
    model, task = CASES["rank-one latent"]
    with jax.enable_x64(True):
        params = model.init(jax.random.PRNGKey(0), jnp.float64)
        params["b"] = 0.3 * jax.random.normal(jax.random.PRNGKey(1), (model.N,), jnp.float64)
        x0, noise = model.sample_start(jax.random.PRNGKey(2), 1, 30, jnp.float64)
        states, _ = model.simulate(params, jnp.zeros((1, 30, 0)), x0, noise)
        kappa = np.asarray(model.latent(params, states))[:, 0, :]  # (steps + 1, K)
        flow = model.flow(params)
        predicted = np.array([k + model.alpha * np.asarray(flow(jnp.asarray(k))) for k in kappa[:-1]])
        np.testing.assert_allclose(kappa[1:], predicted, rtol=1e-12, atol=1e-14)
        # and the closed form -kappa + n.tanh(m kappa + b) for rank one
        m, n, b = (np.asarray(params[k]) for k in ("m", "n", "b"))
        k0 = 0.7
        assert float(flow(jnp.array([k0]))[0]) == pytest.approx(-k0 + n[:, 0] @ np.tanh(m[:, 0] * k0 + b), rel=1e-13)


@pytest.mark.parametrize(("family", "kwargs", "match"), [
    (DelayedActivationRNN, dict(x0="0"), "x0"), (DelayedActivationRNN, dict(x0=float("nan")), "x0"),
    (DelayedActivationRNN, dict(gain="10"), "gain"), (DelayedActivationRNN, dict(alpha="0.5"), "alpha"),
    (TaskRNN, dict(normalize="1"), "normalize"), (TaskRNN, dict(r0_sigma="0.1"), "r0_sigma"),
])
def test_settings_given_as_text_or_nan_are_refused_by_name(family, kwargs, match):
    with pytest.raises(ValueError, match=match):
        family(**kwargs)


def test_float64_draws_the_float32_network():
    import jax

    model = TaskRNN(N=12, rank=None, readout="tanh", recurrent_bias=True)
    key = jax.random.PRNGKey(3)
    low = model.init(key, jnp.float32)
    with jax.enable_x64(True):
        high = model.init(key, jnp.float64)
        _, noise_high = model.replace(noise_sigma=0.1).sample_start(key, 4, 5, jnp.float64)
    _, noise_low = model.replace(noise_sigma=0.1).sample_start(key, 4, 5, jnp.float32)
    for name in low:
        np.testing.assert_allclose(np.asarray(high[name]), np.asarray(low[name]), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(noise_high), np.asarray(noise_low), rtol=1e-6, atol=1e-7)
