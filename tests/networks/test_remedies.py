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


def test_the_readout_normalisation_trains_its_first_phase_at_the_given_rate(tmp_path):
    from analysis.networks import preset
    from analysis.networks.remedies import readout_normalization

    ds = readout_normalization(seeds=1, lr=0.001, epochs=4, record_every=1, norms=(0.5,), out_dir=tmp_path)
    p = preset("fig8c")
    at_the_rate = p.run(lr=[0.001], seeds=1, epochs=4, record_every=1)
    np.testing.assert_allclose(ds.loss.values[0, 0, :4], at_the_rate.loss.values[0, 0], rtol=1e-6)
    at_the_preset = p.run(seeds=1, epochs=4, record_every=1)  # lr 0.1: a different first phase
    assert not np.allclose(ds.loss.values[0, 0, 1:4], at_the_preset.loss.values[0, 0, 1:])


@pytest.mark.parametrize("gain", [0.0, float("nan"), -1.0])
def test_a_learnable_gain_restart_must_be_positive(gain):
    with pytest.raises(ValueError, match="restart_gain"):
        learnable_gain(seeds=[40], epochs=2, restart_gain=gain)
