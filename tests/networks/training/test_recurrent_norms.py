"""The recurrent_norms monitor: ||W||, ||grad W|| and the loss averaged over every epoch."""

import numpy as np
import pytest

from analysis.networks import DelayedActivationRNN, TaskRNN, cue_discrimination, delayed_activation, train_sweep

MODEL, TASK = TaskRNN(N=12, noise_sigma=0.0, r0_sigma=0.0), cue_discrimination(2, 4, 3)


def test_the_monitor_records_the_norms_and_changes_nothing_else():
    kwargs = dict(lr=[0.05, 0.5], seeds=[0, 1], epochs=60, checkpoints=[0, 30])
    plain = train_sweep(MODEL, TASK, record_every=1, **kwargs)
    ds = train_sweep(MODEL, TASK, record_every=1, monitor="recurrent_norms", **kwargs)
    np.testing.assert_array_equal(ds.loss.values, plain.loss.values)  # the training is the same, bit for bit
    for c, epoch in enumerate(ds.checkpoint.values):  # ||W|| of the checkpoint's own weights
        W = ds.param_W.isel(checkpoint=c).values
        np.testing.assert_allclose(ds.W_norm.sel(epoch=epoch).values, np.linalg.norm(W, axis=(-2, -1)), rtol=1e-5)
    assert np.all(ds.grad_W_norm.values <= ds.grad_norm.values * (1 + 1e-6))  # a part of the whole gradient
    np.testing.assert_allclose(ds.mean_loss.values, ds.loss.mean("epoch").values, rtol=1e-5)
    sparse = train_sweep(MODEL, TASK, record_every=20, monitor="recurrent_norms", **kwargs)
    np.testing.assert_allclose(sparse.mean_loss.values, ds.mean_loss.values, rtol=1e-6)  # every epoch, recorded or not


def test_the_monitor_needs_a_full_rank_network():
    with pytest.raises(ValueError, match="recurrent_norms' needs a full-rank network"):
        train_sweep(DelayedActivationRNN(N=8), delayed_activation(5), lr=[0.1], seeds=1, epochs=5,
                    monitor="recurrent_norms")
