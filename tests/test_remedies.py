"""Continued training, the remedies, the network scaling law, slow points of trained networks and
the ``ghost rnn`` command line."""

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import analysis.networks.scaling as scaling
from analysis.networks import DelayedActivationRNN, TaskRNN, cue_discrimination, delayed_activation, train_sweep
from analysis.networks.continuation import start_from
from analysis.networks.remedies import gain_ablation, learnable_gain
from analysis.networks.slow import slow_points_dataset
from analysis.regimes import LEARNED, TRAPPED

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


# --- the scaling law: the nested scan, on a fake sweep with a known onset ------------------------
def _fake_sweep(threshold):
    def fake(model, task, *, lr, seeds, epochs, **kwargs):
        lr = np.asarray(lr)
        delay = task.params["T"]
        regime = np.where(lr[:, None] > threshold(delay), TRAPPED, LEARNED) * np.ones((1, seeds), int)
        return xr.Dataset({"regime": (("lr", "seed"), regime)}, coords={"lr": lr, "seed": np.arange(seeds)})

    return fake


def test_network_critical_rates_brackets_a_known_onset(monkeypatch):
    def threshold(delay):
        return 0.3 * delay**-2.0

    monkeypatch.setattr(scaling, "train_sweep", _fake_sweep(threshold))
    ds = scaling.network_critical_rates(DelayedActivationRNN(), delayed_activation(20), [10, 20, 40],
                                        lr=np.logspace(-5, -1, 9), seeds=2, refinements=2, refine_points=8)
    true = threshold(np.array([10, 20, 40]))
    assert np.all(ds.lower.values <= true) and np.all(true < ds.upper.values)
    width = ds.upper.values / ds.lower.values
    assert np.all(width < (10 ** 0.5) ** (1 / 81) * 1.0001)  # one coarse step split 9 ways, twice
    from analysis import fit_power_law

    assert fit_power_law(ds.delay_tau.values, ds.upper.values).exponent == pytest.approx(-2.0, abs=0.01)


def test_no_learning_onset_is_searched_above_the_best_rate(monkeypatch):
    def fake(model, task, *, lr, seeds, epochs, **kwargs):
        lr = np.asarray(lr)
        learned = (lr > 1e-3) & (lr < 0.1)  # slow below, failing above
        regime = np.where(learned[:, None], LEARNED, 4) * np.ones((1, seeds), int)
        return xr.Dataset({"regime": (("lr", "seed"), regime)}, coords={"lr": lr, "seed": np.arange(seeds)})

    monkeypatch.setattr(scaling, "train_sweep", fake)
    ds = scaling.network_critical_rates(DelayedActivationRNN(), delayed_activation(20), [20], lr=np.logspace(-4, 0, 9),
                                        seeds=2, refinements=0, onset="no_learning")
    assert float(ds.lower[0]) < 0.1 <= float(ds.upper[0])
    with pytest.raises(ValueError, match="onset"):
        scaling.network_critical_rates(DelayedActivationRNN(), delayed_activation(20), [20], lr=[0.1, 1.0],
                                       onset="diverged")
    with pytest.raises(ValueError, match="out_dir must be an existing directory"):
        scaling.network_critical_rates(DelayedActivationRNN(), delayed_activation(20), [20], lr=[0.1, 1.0],
                                       out_dir="/nonexistent-cache-dir")
    from analysis.networks.remedies import gain_ablation

    with pytest.raises(ValueError, match="out_dir must be an existing directory"):
        gain_ablation(seeds=1, base_epochs=2, epochs=1, out_dir="/nonexistent-cache-dir")


# --- slow points of a trained network ------------------------------------------------------------
def test_slow_points_dataset_counts_what_it_lists():
    model = TaskRNN(N=16, rank=2, readout="tanh", noise_sigma=0.0, r0_sigma=0.3)
    ds = train_sweep(model, FULL_TASK, lr=[0.05], seeds=1, epochs=30, checkpoints=[0, 30], dtype="float64")
    found = slow_points_dataset(ds)
    assert found.x.shape[1] == 2  # the latent plane
    for k, epoch in enumerate(found.checkpoint.values):
        here = found.kind.values[found.checkpoint_of_point.values == epoch]
        assert found.n_fixed.values[k] == np.sum(here == "fixed point")
        assert found.n_ghosts.values[k] == np.sum(here == "ghost")
    fixed = found.kind.values == "fixed point"
    m, n, b = (ds[f"param_{k}"].values[0, 0, -1] for k in "mnb")
    last = fixed & (found.checkpoint_of_point.values == 30)
    for kappa in found.x.values[last]:  # an independent check of the flow at each fixed point
        F = -kappa + n.T @ np.tanh(m @ kappa + b)
        assert np.linalg.norm(F) < 1e-8


# --- the command line -------------------------------------------------------------------------------
def ghost(*args):
    return subprocess.run([sys.executable, "-m", "analysis.cli", *args], capture_output=True, text=True)


def test_rnn_cli_trains_and_writes(tmp_path):
    proc = ghost("rnn", "train", "fig5-dcdt", "--epochs", "20", "--seeds", "1", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    ds = xr.open_dataset(tmp_path / "fig5-dcdt-train.nc")
    assert ds.sizes["epoch"] == 20 and ds.sizes["seed"] == 1
    assert (tmp_path / "fig5-dcdt-train.png").stat().st_size > 10_000
    listing = ghost("rnn", "list")
    assert listing.returncode == 0 and "fig8c" in listing.stdout and "fig3a" in listing.stdout


@pytest.mark.parametrize("args", [("rnn",), ("rnn", "train", "fig99"),
                                  ("rnn", "sweep", "fig3b", "--lr", "1", "0.1", "3"),
                                  ("rnn", "train", "fig3b", "--epochs", "0"), ("rnn", "ghosts")])
def test_rnn_cli_bad_arguments_one_line_exit_2(args, tmp_path):
    proc = ghost(*args, *(("--out", str(tmp_path)) if len(args) > 2 else ()))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


# --- the figures refuse what they cannot draw ----------------------------------------------------
def test_network_plots_refuse_what_they_cannot_draw():
    from analysis.networks.plots import plot_regime_fractions, plot_training
    from analysis.networks.plots_remedies import plot_gain_ablation, plot_rank_remedy

    ds = train_sweep(SMALL, SMALL_TASK, lr=[0.05], seeds=2, epochs=10)
    with pytest.raises(ValueError, match="two learning rates"):
        plot_regime_fractions(ds)
    swept = train_sweep(SMALL, SMALL_TASK, lr=[0.05, 0.1], seeds=1, epochs=10, sweep={"gain": [1.0, 10.0]})
    with pytest.raises(ValueError, match="gain"):
        plot_training(swept)
    with pytest.raises(ValueError, match="rank_remedy"):
        plot_rank_remedy(ds)
    fig = plot_regime_fractions(swept.isel(gain=0))
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_ylabel().startswith("fraction")
    none_trapped = xr.Dataset({"trapped": (("seed",), np.zeros(2, bool))})
    with pytest.raises(ValueError, match="trap"):
        plot_gain_ablation(none_trapped)


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
