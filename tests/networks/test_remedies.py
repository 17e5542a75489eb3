"""The remedies: gain ablation and a learnable gain, continuing their base runs."""


import numpy as np
import pytest

from analysis.networks import DelayedActivationRNN, delayed_activation, train_sweep
from analysis.networks.remedies import gain_ablation, learnable_gain

SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)


# --- the remedies ---------------------------------------------------------------------------------
def test_gain_ablation_at_the_base_gain_continues_the_base_run():
    """With the gain unchanged, the second phase (a fresh SGD, stateless) is the base run continued."""
    ds = gain_ablation(seeds=3, base_epochs=300, gains=[0.1, 10.0], epochs=30)
    longer = train_sweep(DelayedActivationRNN(), delayed_activation(20), lr=[0.02], seeds=3, epochs=330,
                         record_every=1)
    np.testing.assert_allclose(ds.loss.sel(gain=10.0).values, longer.loss.values[0, :, 300:], rtol=1e-5)
    assert ds.trapped.dtype == bool and ds.trapped.shape == (3,)
    assert not np.allclose(ds.loss.sel(gain=0.1).values, ds.loss.sel(gain=10.0).values)
    assert np.all((ds.accuracy.values >= 0) & (ds.accuracy.values <= 1))


def test_learnable_gain_restarts_at_the_given_gain():
    ds = learnable_gain(seeds=[40], epochs=200, checkpoint_every=100, restart_gain=1.0)
    c = ds.c.values[0]
    assert c[0] == pytest.approx(10.0) and c[3] == pytest.approx(1.0)  # checkpoints 0, 100, 200 | 0, ...
    # every 10th epoch and the last of each phase; the second phase counts on from 200
    assert ds.loss.shape == (1, 42) and int(ds.attrs["switch_epoch"]) == 200 and ds.epoch.values[21] == 200
