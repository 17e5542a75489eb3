"""Continuing a sweep from a checkpoint: split runs equal one-piece runs, bit for bit."""


import numpy as np
import pytest
import xarray as xr

from analysis.networks import (
    DelayedActivationRNN,
    TaskRNN,
    cue_discrimination,
    delayed_activation,
    start_from,
    train_sweep,
)

SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)
FULL = TaskRNN(N=12, rank=None, readout="tanh", noise_sigma=1e-2, r0_sigma=0.1)
FULL_TASK = cue_discrimination(2, 3, 3)


# --- continuing a sweep ----------------------------------------------------------------------
@pytest.mark.parametrize(("model", "task", "optimizer"), [(SMALL, SMALL_TASK, "sgd"), (FULL, FULL_TASK, "adam")])
def test_continuation_equals_one_long_run(model, task, optimizer):
    """Two halves, the second started from the first's last checkpoint and optimiser state, equal
    one run of the whole length: parameters, noise stream and Adam's moments all carry over."""
    args = dict(lr=[0.05, 0.01], seeds=2, dtype="float64", optimizer=optimizer)
    whole = train_sweep(model, task, epochs=40, checkpoints=[40], **args)
    half = train_sweep(model, task, epochs=20, checkpoints=[20], keep_state=True, **args)
    rest = train_sweep(model, task, epochs=20, checkpoints=[20], init=start_from(half, state=True), **args)
    np.testing.assert_array_equal(rest.loss.values, whole.loss.values[..., 20:])
    for name in (v for v in whole.data_vars if v.startswith("param_")):
        np.testing.assert_array_equal(rest[name].values, whole[name].values)
    if optimizer == "adam":  # a fresh Adam from the same parameters takes other steps
        fresh = train_sweep(model, task, epochs=20, checkpoints=[20], init=start_from(half), **args)
        assert not np.allclose(fresh.param_W.values, whole.param_W.values)


def test_start_is_checked():
    ds = train_sweep(SMALL, SMALL_TASK, lr=[0.05], seeds=2, epochs=10, checkpoints=[5, 10])
    start = start_from(ds, 5)
    assert start.epoch == 5 and start.params["m"].shape == (1, 2, 8, 1)
    assert np.all(start.with_params(b=0.5).params["b"] == 0.5)
    with pytest.raises(ValueError, match="seeds"):
        train_sweep(SMALL, SMALL_TASK, lr=[0.05], seeds=[0, 3], epochs=5, init=start)
    with pytest.raises(ValueError, match="checkpoint"):
        start_from(ds, 7)
    with pytest.raises(ValueError, match="keep_state"):
        start_from(ds, state=True)
    with pytest.raises(ValueError, match="parameters"):
        train_sweep(SMALL.replace(train_gain=True), SMALL_TASK, lr=[0.05], seeds=2, epochs=5, init=start)
    with pytest.raises(ValueError, match="with_params"):
        start.with_params(c=1.0)
    with pytest.raises(ValueError, match="Start"):
        train_sweep(SMALL, SMALL_TASK, lr=[0.05], seeds=2, epochs=5, init={"m": 1})


def test_normalised_readout_holds_its_norm_after_a_continuation():
    half = train_sweep(FULL, FULL_TASK, lr=[0.05], seeds=2, epochs=10, checkpoints=[10])
    held = train_sweep(FULL.replace(normalize=0.5), FULL_TASK, lr=[0.05], seeds=2, epochs=5, checkpoints=[0, 5],
                       init=start_from(half))
    norms = np.abs(held.param_w_out.values).sum(axis=-1)
    np.testing.assert_allclose(norms, 0.5, rtol=1e-5)  # from the first epoch on, as the reference does
    assert not np.allclose(np.abs(half.param_w_out.values).sum(axis=-1), 0.5)


def test_a_continuation_from_a_reloaded_sweep_resumes_from_its_store(tmp_path):
    """The start's fingerprint does not depend on how the sweep came back (in memory or NetCDF)."""
    model = SMALL.replace(train_gain=True)
    first = train_sweep(model, SMALL_TASK, lr=[0.05], seeds=2, epochs=10, checkpoints=[10], out=tmp_path / "a.nc")
    reloaded = xr.open_dataset(tmp_path / "a.nc")
    done = train_sweep(model, SMALL_TASK, lr=[0.05], seeds=2, epochs=5, out=tmp_path / "b.nc",
                       init=start_from(first).with_params(c=1.0))
    again = train_sweep(model, SMALL_TASK, lr=[0.05], seeds=2, epochs=5, out=tmp_path / "b.nc",
                        init=start_from(reloaded).with_params(c=1.0))
    np.testing.assert_array_equal(done.loss.values, again.loss.values)
