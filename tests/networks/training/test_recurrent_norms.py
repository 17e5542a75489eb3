"""The recurrent_norms monitor: ||W||, ||grad W|| and the loss averaged over every epoch."""

import numpy as np
import pytest

from analysis.networks import (
    DelayedActivationRNN,
    TaskRNN,
    compact_norm_sweep,
    cue_discrimination,
    delayed_activation,
    kept_run,
    train_sweep,
)
from analysis.plotting import plot_case_study, plot_lr_summary
from analysis.store import write_netcdf

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


def test_the_compact_sweep_keeps_per_run_means_and_whole_case_records(tmp_path):
    ds = train_sweep(MODEL, TASK, lr=[0.05, 0.5], seeds=[0, 1, 2], epochs=40, record_every=2, monitor="recurrent_norms")
    compact = compact_norm_sweep(ds, [(0.5, 2), (0.05, 0), (0.3, 1), (0.5, 7)])  # the last two are not in ds
    assert compact.sizes["run"] == 2 and list(compact.run_seed.values) == [2, 0]
    for name in ("grad_W_norm", "W_norm"):  # each run's mean over its records, by a plain loop
        assert compact[name].dims == ("lr", "seed")
        for i in range(2):
            for j in range(3):
                expected = np.mean(ds[name].values[i, j].astype(np.float64))
                assert compact[name].values[i, j] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_array_equal(compact.mean_loss.values, ds.mean_loss.values)
    np.testing.assert_array_equal(compact.regime.values, ds.regime.values)
    run = kept_run(compact, 0)
    assert float(run.lr) == 0.5 and int(run.seed) == 2
    for name in ("loss", "grad_W_norm", "W_norm"):
        np.testing.assert_array_equal(run[name].values, ds[name].sel(lr=0.5, seed=2).values)
    fig = plot_case_study(run)
    assert fig.axes[0].get_title() == "lr 0.5, seed 2" and fig.axes[0].get_yscale() == "log"
    summary = plot_lr_summary(compact)  # the per-run means draw as the full sweep's records do
    full = plot_lr_summary(ds)
    for mine, theirs in zip(summary.axes, full.axes, strict=True):
        assert mine.get_ylim() == pytest.approx(theirs.get_ylim())
    write_netcdf(compact, tmp_path / "compact.nc")  # and it is kept as a file
    with pytest.raises(ValueError, match=r"index must be an integer in \[0, 2\)"):
        kept_run(compact, 2)
    with pytest.raises(ValueError, match="recurrent_norms"):
        compact_norm_sweep(ds.drop_vars("W_norm"), [])
    with pytest.raises(ValueError, match="run must be one run"):
        plot_case_study(ds)
