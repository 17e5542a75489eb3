"""train_sweep: seeds, bitwise reruns, divergence, resumption, swept axes, NetCDF, the paper's behaviour."""


import jax
import numpy as np
import pytest
import xarray as xr

import analysis.networks.training.chunk as training_chunk
import analysis.networks.training.sweep as training_sweep
from analysis.networks import (
    DelayedActivationRNN,
    delayed_activation,
    train_sweep,
)
from analysis.regimes import LEARNED, TRAPPED

SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)


# --- sweeps: seeds, reruns, divergence, resumption -----------------------------------------------
def test_same_seed_same_network_at_every_rate_and_bitwise_reruns():
    args = dict(lr=[0.01, 0.1, 1.0], seeds=3, epochs=40, checkpoints=[0])
    first = train_sweep(SMALL, SMALL_TASK, **args)
    again = train_sweep(SMALL, SMALL_TASK, **args)
    xr.testing.assert_identical(first.drop_attrs(), again.drop_attrs())
    m0 = first.param_m.isel(checkpoint=0).values  # (lr, seed, unit, rank)
    assert np.array_equal(m0[0], m0[1]) and np.array_equal(m0[0], m0[2])
    assert not np.array_equal(m0[0, 0], m0[0, 1])
    assert np.all(first.initial_loss.values == first.initial_loss.values[:1])


def test_diverged_run_is_frozen_and_does_not_touch_the_others():
    # Adam's steps of about lr each overflow float32 within a few epochs at lr = 1e38
    healthy = train_sweep(SMALL, SMALL_TASK, lr=[0.05], seeds=2, epochs=30, optimizer="adam")
    mixed = train_sweep(SMALL, SMALL_TASK, lr=[0.05, 1e38], seeds=2, epochs=30, optimizer="adam")
    assert np.all(mixed.regime.sel(lr=1e38).values == 3)  # diverged
    assert np.all(mixed.diverged_epoch.sel(lr=1e38).values >= 0)
    assert np.isnan(mixed.loss.sel(lr=1e38).values[:, -1]).all()
    # the healthy runs are untouched; a batch of another size may round differently (XLA picks the
    # vectorisation by shape), so equality is to float32 rounding, not bit for bit
    np.testing.assert_array_equal(mixed.regime.sel(lr=0.05).values, healthy.regime.sel(lr=0.05).values)
    for name in ("loss", "grad_norm", "final_loss"):
        assert np.isfinite(mixed[name].sel(lr=0.05).values).all()
        np.testing.assert_allclose(mixed[name].sel(lr=0.05).values, healthy[name].sel(lr=0.05).values, rtol=1e-4)


def test_interrupted_sweep_resumes_without_recomputing(tmp_path, monkeypatch):
    args = dict(lr=[0.01, 0.03, 0.1, 0.3], seeds=2, epochs=30, chunk_size=1, out=tmp_path / "s.nc")
    reference = train_sweep(SMALL, SMALL_TASK, **{**args, "out": None})
    real, calls = training_chunk.train_chunk, []

    def flaky(settings, chunk):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(chunk["lr"])
        return real(settings, chunk)

    monkeypatch.setattr(training_sweep, "train_chunk", flaky)
    with pytest.raises(KeyboardInterrupt):
        train_sweep(SMALL, SMALL_TASK, **args)
    resumed = []
    monkeypatch.setattr(training_sweep, "train_chunk", lambda s, c: resumed.append(c["lr"]) or real(s, c))
    ds = train_sweep(SMALL, SMALL_TASK, **args)
    assert len(resumed) == 2 and not any(c in calls for c in resumed)
    xr.testing.assert_identical(ds.drop_attrs(), reference.drop_attrs())
    monkeypatch.setattr(training_sweep, "train_chunk", lambda s, c: pytest.fail("recomputed a finished sweep"))
    xr.testing.assert_identical(train_sweep(SMALL, SMALL_TASK, **args).drop_attrs(), reference.drop_attrs())


def test_swept_axis_equals_separate_runs():
    ds = train_sweep(SMALL, SMALL_TASK, lr=[0.1], seeds=2, epochs=20, sweep={"gain": [2.0, 10.0]})
    assert ds.loss.dims == ("gain", "lr", "seed", "epoch")
    alone = train_sweep(SMALL.replace(gain=2.0), SMALL_TASK, lr=[0.1], seeds=2, epochs=20)
    np.testing.assert_array_equal(ds.loss.sel(gain=2.0).values, alone.loss.values)
    delays = train_sweep(SMALL, SMALL_TASK, lr=[0.1], seeds=1, epochs=10, sweep={"delay": [3, 5]})
    assert delays.delay.values.tolist() == [3, 5]


def test_dataset_round_trips_through_netcdf(tmp_path):
    ds = train_sweep(SMALL, SMALL_TASK, lr=[0.1], seeds=2, epochs=10, checkpoints=[0, 10], out=tmp_path / "r.nc")
    back = xr.open_dataset(tmp_path / "r.nc", engine="scipy").load()
    xr.testing.assert_allclose(back, ds)
    assert back.attrs["device"].startswith(jax.devices()[0].platform)


# --- the paper's behaviour in the rank-one network ------------------------------------------------
def test_rank_one_network_plateaus_drops_abruptly_and_traps_above_a_critical_rate():
    """Every third rate of the reference's grid logspace(-4, -1, 30), 4 seeds, at 6000 epochs
    instead of 200k (the whole grid is figure 14's)."""
    lr = np.logspace(-4, -1, 30)[::3]
    ds = train_sweep(DelayedActivationRNN(), delayed_activation(20), lr=lr, seeds=4, epochs=6000, record_every=50)
    assert np.allclose(ds.initial_loss, 1.0, atol=1e-3)  # the output starts off: the plateau near 1
    # at 6000 epochs the runs that dropped are still polishing (loss ~0.03, regime "descending"), so
    # "learned" here is the end state: below a tenth of the plateau loss
    learned = (ds.regime == LEARNED) | (ds.final_loss < 0.1 * ds.initial_loss)
    trapped = ds.regime == TRAPPED
    window = ds.lr.values[learned.any("seed").values]
    assert window.size > 0
    top = ds.lr.values[trapped.all("seed").values]
    assert top.size > 0 and top.min() > window.max()  # every network traps above the learning window
    assert np.all(ds.final_loss.values[trapped.values] > 0.95)  # confidently wrong
    # learning is abrupt: a long plateau, then most of the loss goes within a few epochs
    drop = ds.drop_size.values[learned.values]
    plateau = ds.plateau_length.values[learned.values]
    assert np.all(plateau > 500) and np.median(drop) > 0.1


def test_executor_gives_the_serial_result():
    from concurrent.futures import ThreadPoolExecutor

    args = dict(lr=[0.01, 0.1], seeds=2, epochs=20, chunk_size=1)
    serial = train_sweep(SMALL, SMALL_TASK, **args)
    with ThreadPoolExecutor(2) as pool:
        threaded = train_sweep(SMALL, SMALL_TASK, **args, executor=pool)
    xr.testing.assert_identical(serial.drop_attrs(), threaded.drop_attrs())
