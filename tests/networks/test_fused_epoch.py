"""The fused rank-one epoch against autodiff of the plain scan (an independent computation), and the
engine's two paths against each other."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from analysis.networks import DelayedActivationRNN, delayed_activation, rank_one_loss_and_grad, train_sweep
from analysis.networks.training.segment import loss_and_accuracy

MODEL = DelayedActivationRNN(N=23)


def problem(dtype, networks=7, trials=2, steps=9, seed=0):
    """Random rank-one networks (a count not a multiple of the kernel's block), two trials, a partial mask."""
    rng = np.random.default_rng(seed)
    N = MODEL.N
    params = {"m": 2.0 * rng.standard_normal((networks, N, 1)), "n": 0.5 * rng.standard_normal((networks, N, 1)),
              "b": 0.3 * rng.standard_normal((networks, N))}
    targets = (rng.random((trials, steps)) > 0.5).astype(float)
    mask = (rng.random((trials, steps)) > 0.3).astype(float)
    cast = lambda a: jnp.asarray(a, dtype)  # noqa: E731
    return {k: cast(v) for k, v in params.items()}, cast(targets), cast(mask)


def autodiff(params, targets, mask, scale):
    inputs = jnp.zeros((*targets.shape, 0), targets.dtype)
    loss = lambda p: loss_and_accuracy(MODEL, "threshold", p, jax.random.PRNGKey(0), inputs, targets, mask,  # noqa: E731
                                       scale)[0]
    return jax.vmap(jax.value_and_grad(loss))(params)


def fused(params, targets, mask, scale):
    return jax.vmap(lambda p: rank_one_loss_and_grad(MODEL.alpha, MODEL.gain, MODEL.x0, p, targets, mask, scale))(
        params)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_loss_outputs_and_gradients_equal_autodiff_of_the_scan(dtype):
    with jax.enable_x64(dtype == "float64"):
        params, targets, mask = problem(getattr(jnp, dtype))
        loss, grads = autodiff(params, targets, mask, 0.1)
        (ours, outputs), our_grads = jax.jit(fused)(params, targets, mask, 0.1)
        rtol = 1e-12 if dtype == "float64" else 2e-5
        np.testing.assert_allclose(ours, loss, rtol=rtol)
        for name in params:
            scale = float(jnp.max(jnp.abs(grads[name])))
            assert our_grads[name].shape == params[name].shape and our_grads[name].dtype == params[name].dtype
            np.testing.assert_allclose(our_grads[name], grads[name], atol=rtol * scale)
        inputs = jnp.zeros((*targets.shape, 0), targets.dtype)
        x0, _ = MODEL.sample_start(jax.random.PRNGKey(0), targets.shape[0], targets.shape[1], targets.dtype)
        expected = jax.vmap(lambda p: MODEL.simulate(p, inputs, x0, None)[1])(params)
        np.testing.assert_allclose(outputs, expected, rtol=rtol, atol=rtol)


def test_one_network_without_vmap_is_the_same_as_under_vmap():
    with jax.enable_x64(True):
        params, targets, mask = problem(jnp.float64, networks=3)
        (loss, outputs), grads = fused(params, targets, mask, 0.2)
        (one, one_outputs), one_grads = rank_one_loss_and_grad(MODEL.alpha, MODEL.gain, MODEL.x0,
                                                               {k: v[1] for k, v in params.items()}, targets, mask, 0.2)
        assert float(one) == float(loss[1])
        np.testing.assert_array_equal(one_outputs, outputs[1])
        for name in grads:
            np.testing.assert_array_equal(one_grads[name], grads[name][1])


def test_only_the_noise_free_fixed_gain_rank_one_network_has_a_fused_epoch():
    assert MODEL.fused_loss_and_grad() is not None
    for other in (MODEL.replace(train_gain=True), MODEL.replace(noise_sigma=0.01), MODEL.replace(readout="linear"),
                  MODEL.replace(rank=2, readout="linear"), MODEL.replace(rank=None, readout="linear")):
        assert other.fused_loss_and_grad() is None


def test_the_engines_agree_on_a_sweep_in_float64_and_the_choice_is_recorded():
    task = delayed_activation(8)
    args = dict(lr=[0.05, 0.5, 5.0], seeds=3, epochs=400, record_every=10, dtype="float64", checkpoints=(0, 400))
    ours, xla = train_sweep(MODEL, task, **args), train_sweep(MODEL, task, fused=False, **args)
    # the two sum in different orders: equal to rounding until the drop at lr 0.5 (epoch ~360), whose sharp
    # gradient (norm ~2, against 1e-3 on the plateau) amplifies the last bits to 5e-6 (seen while writing this)
    before = ours.epoch.values < 300
    np.testing.assert_allclose(ours.loss.values[..., before], xla.loss.values[..., before], rtol=1e-12)
    np.testing.assert_allclose(ours.loss.values, xla.loss.values, rtol=1e-4)
    final = {"lr": [0, 2], "checkpoint": -1}  # the rates without a drop in these 400 epochs
    np.testing.assert_allclose(ours.param_m.isel(final).values, xla.param_m.isel(final).values, rtol=1e-10)
    np.testing.assert_array_equal(ours.regime.values, xla.regime.values)
    np.testing.assert_array_equal(ours.drop_epoch.values, xla.drop_epoch.values)
    assert "fused" not in json.loads(ours.attrs["settings"])
    assert json.loads(xla.attrs["settings"])["fused"] is False


def test_a_diverging_run_is_caught_at_the_same_epoch_by_both_engines():
    args = dict(lr=[1e6], seeds=2, epochs=50, record_every=1, dtype="float64", checkpoints=())
    ours, xla = (train_sweep(MODEL, delayed_activation(8), fused=f, **args) for f in (True, False))
    np.testing.assert_array_equal(ours.diverged_epoch.values, xla.diverged_epoch.values)
    np.testing.assert_array_equal(np.isnan(ours.loss.values), np.isnan(xla.loss.values))


def test_bad_input_is_refused():
    params, targets, mask = problem(jnp.float32, networks=1)
    one = {k: v[0] for k, v in params.items()}
    with pytest.raises(ValueError, match="params must be a rank-one"):
        rank_one_loss_and_grad(0.5, 10.0, -0.3, {**one, "c": jnp.float32(1)}, targets, mask, 0.1)
    with pytest.raises(ValueError, match="params must be a rank-one"):
        rank_one_loss_and_grad(0.5, 10.0, -0.3, {**one, "b": one["b"][:-1]}, targets, mask, 0.1)
    with pytest.raises(ValueError, match="params must be float32 or float64"):
        rank_one_loss_and_grad(0.5, 10.0, -0.3, {k: v.astype(jnp.int32) for k, v in one.items()}, targets, mask, 0.1)
    with pytest.raises(ValueError, match="targets and mask"):
        rank_one_loss_and_grad(0.5, 10.0, -0.3, one, targets, mask[:, :-1], 0.1)
    with pytest.raises(ValueError, match="fused must be a bool"):
        train_sweep(MODEL, delayed_activation(4), lr=[0.1], seeds=1, epochs=2, fused="yes")
