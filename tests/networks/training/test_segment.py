"""The compiled segment: each optimiser's first steps against their textbook updates."""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import analysis.networks.training.segment as training_segment
from analysis.networks import (
    DelayedActivationRNN,
    delayed_activation,
    train_sweep,
)

# --- optimiser steps against their textbook first steps ------------------------------------------
SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)


def _grad_at_init(model, task, seed_index):
    key = jax.random.fold_in(jax.random.PRNGKey(0), seed_index)
    init_key, train_key = jax.random.split(key)
    params = model.init(init_key)
    arrays = [jnp.asarray(a, jnp.float32) for a in (task.inputs, task.targets, task.mask)]
    loss_fn = partial(training_segment.loss_and_accuracy, model, task.accuracy_rule)
    (loss, _), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        params, jax.random.fold_in(train_key, 0), *arrays, task.loss_scale)
    return params, grads, float(loss)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_first_step_of_each_optimizer(optimizer):
    lr = 0.05
    ds = train_sweep(SMALL, SMALL_TASK, lr=[lr], seeds=1, epochs=1, optimizer=optimizer, checkpoints=[0, 1])
    params, grads, loss = _grad_at_init(SMALL, SMALL_TASK, 0)
    assert float(ds.initial_loss[0, 0]) == pytest.approx(loss, rel=1e-6)
    for name in params:
        before = ds[f"param_{name}"].isel(lr=0, seed=0, checkpoint=0).values
        after = ds[f"param_{name}"].isel(lr=0, seed=0, checkpoint=1).values
        np.testing.assert_allclose(before, params[name], rtol=1e-6)
        g = np.asarray(grads[name])
        # Adam's first step: the bias-corrected moments are g and g^2, so it moves by lr g / (|g| + eps)
        expected = lr * g if optimizer == "sgd" else lr * g / (np.abs(g) + 1e-8)
        np.testing.assert_allclose(before - after, expected, rtol=2e-3, atol=1e-7)


def test_momentum_matches_heavy_ball_over_two_steps():
    lr, mu = 0.05, 0.9
    args = dict(lr=[lr], seeds=1, epochs=2, checkpoints=[0, 1, 2], dtype="float64")
    ds = train_sweep(SMALL, SMALL_TASK, optimizer="momentum", momentum=mu, **args)
    sgd = train_sweep(SMALL, SMALL_TASK, **args)
    # step 1 equals plain SGD; step 2 adds mu times the first gradient
    for name in ("m", "n", "b"):
        p = ds[f"param_{name}"].isel(lr=0, seed=0).values
        q = sgd[f"param_{name}"].isel(lr=0, seed=0).values
        np.testing.assert_allclose(p[1], q[1], rtol=1e-14, atol=1e-15)
        g1 = (p[0] - p[1]) / lr
        np.testing.assert_allclose(p[1] - p[2], (q[1] - q[2]) + lr * mu * g1, rtol=1e-8, atol=1e-14)
