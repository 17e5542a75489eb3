"""Sweeps that keep everything they computed, say what they cannot do, and survive interruption."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import xarray as xr

import analysis.networks.training.chunk as chunk_module
import analysis.networks.training.plan as plan_module
from analysis.networks import (
    DelayedActivationRNN,
    TaskRNN,
    checkpoint_params,
    cue_discrimination,
    delayed_activation,
    start_from,
    train_sweep,
)

LINEAR = DelayedActivationRNN(N=20, rank=None, readout="linear")
TASK = delayed_activation(5)


@pytest.mark.parametrize(("sweep", "keep_state"), [({"rank": [1, 2]}, False), ({"N": [6, 9]}, True)])
def test_a_shape_changing_sweep_keeps_every_checkpoint(tmp_path, sweep, keep_state):
    model = LINEAR if "rank" in sweep else DelayedActivationRNN(N=6)
    optimizer = "adam" if keep_state else "sgd"
    ds = train_sweep(model, TASK, lr=[0.05], seeds=1, epochs=20, checkpoints=[20], sweep=sweep, optimizer=optimizer,
                     keep_state=keep_state, out=tmp_path / "s.nc")
    name, values = next(iter(sweep.items()))
    for i, value in enumerate(values):
        alone = train_sweep(model.replace(**{name: value}), TASK, lr=[0.05], seeds=1, epochs=20, checkpoints=[20],
                            optimizer=optimizer, keep_state=keep_state)
        kept = checkpoint_params(ds.isel({name: i}))
        expected = checkpoint_params(alone)
        assert set(kept) == set(expected)  # no parameter dropped
        for key in expected:
            np.testing.assert_array_equal(kept[key], expected[key])
        if keep_state:
            resumed = start_from(ds.isel({name: i}), state=True)
            reference = start_from(alone, state=True)
            assert set(resumed.state) == set(reference.state)
            for key in reference.state:
                np.testing.assert_array_equal(resumed.state[key], reference.state[key])
    reloaded = xr.open_dataset(tmp_path / "s.nc")  # the saved file holds the same, and the parts are gone
    assert set(reloaded.data_vars) == set(ds.data_vars)
    assert not (tmp_path / "s.nc.parts").exists()


def test_float64_is_the_same_network_at_higher_precision():
    model, task = DelayedActivationRNN(N=20), delayed_activation(5)
    common = dict(lr=list(np.geomspace(0.005, 0.2, 4)), seeds=3, epochs=300, checkpoints=[0])
    low = train_sweep(model, task, **common)
    high = train_sweep(model, task, dtype="float64", **common)
    for name, value in checkpoint_params(low, checkpoint=0).items():
        np.testing.assert_allclose(checkpoint_params(high, checkpoint=0)[name], value, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(high.regime.values, low.regime.values)


def test_a_run_that_never_dropped_has_no_drop_epoch():
    # a rate far too small to move the loss: every decrease is rounding
    ds = train_sweep(DelayedActivationRNN(N=20), TASK, lr=[1e-9, 0.05], seeds=2, epochs=200)
    assert np.isnan(ds.drop_epoch.values[0]).all() and np.isnan(ds.drop_size.values[0]).all()
    fell = ds.min_loss.values[1] <= 0.95 * ds.initial_loss.values[1]
    assert np.isfinite(ds.drop_epoch.values[1][fell]).all()


def test_a_sweep_too_big_for_memory_is_split_with_the_same_result(monkeypatch):
    model, task = TaskRNN(N=12, rank=None, readout="tanh"), cue_discrimination(2, 3, 3)
    lr = [0.01, 0.05, 0.1]
    whole = train_sweep(model, task, lr=lr, seeds=2, epochs=30)
    one_rate = plan_module.training_bytes(model, task, 2, "float32")
    monkeypatch.setattr(plan_module, "available_memory", lambda: int(1.5 * one_rate))
    split = train_sweep(model, task, lr=lr, seeds=2, epochs=30)
    assert '"chunk_size": 1' in split.attrs["settings"]
    np.testing.assert_array_equal(split.loss.values, whole.loss.values)
    monkeypatch.setattr(plan_module, "available_memory", lambda: int(0.5 * one_rate))
    with pytest.raises(ValueError, match="one learning rate's 2 networks"):
        train_sweep(model, task, lr=lr, seeds=2, epochs=30)
    with pytest.raises(ValueError, match="chunk_size=3"):
        monkeypatch.setattr(plan_module, "available_memory", lambda: int(1.5 * one_rate))
        train_sweep(model, task, lr=lr, seeds=2, epochs=30, chunk_size=3)


def test_an_interrupted_chunk_resumes_from_its_saved_progress(tmp_path, monkeypatch):
    model, task = DelayedActivationRNN(N=10), TASK
    common = dict(lr=[0.02, 0.05], seeds=2, epochs=50, checkpoints=[0, 25, 50], record_every=1)
    whole = train_sweep(model, task, **common)
    monkeypatch.setattr(chunk_module, "SEGMENT_EPOCHS", 10)
    monkeypatch.setattr(chunk_module, "SAVE_EVERY", 0.0)  # save after every segment
    segments = []
    real = chunk_module.compiled_segment

    def dying(*args):
        compiled = real(*args)

        def run(*a):
            if len(segments) == 3:
                raise KeyboardInterrupt  # Ctrl-C after three segments
            segments.append(1)
            return compiled(*a)
        return run

    monkeypatch.setattr(chunk_module, "compiled_segment", dying)
    with pytest.raises(KeyboardInterrupt):
        train_sweep(model, task, out=tmp_path / "s.nc", **common)
    assert (tmp_path / "s.nc.parts" / "progress_00000.npz").exists()
    segments.clear()
    monkeypatch.setattr(chunk_module, "compiled_segment", real)
    resumed = train_sweep(model, task, out=tmp_path / "s.nc", **common)
    for name in ("loss", "grad_norm", "param_m", "param_n", "drop_epoch", "regime"):
        np.testing.assert_array_equal(resumed[name].values, whole[name].values)


def test_a_forking_process_pool_is_refused_before_it_hangs():
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    try:
        with pytest.raises(ValueError, match="spawn"):
            train_sweep(DelayedActivationRNN(N=8), TASK, lr=[0.05], seeds=1, epochs=5, executor=pool)
    finally:
        pool.shutdown()


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(task=cue_discrimination()), "no input weights"),
    (dict(seed=1.5), "seed"), (dict(seed=2**40), "seed"), (dict(seeds=[2**40]), "seeds"),
    (dict(lr=[0.1, 0.1]), "lr must not repeat"), (dict(lr=["0.1"]), "lr"),
    (dict(sweep={"gain": [1.0, 1.0]}), "repeat"), (dict(momentum=0.5), "momentum applies"),
    (dict(epochs=10**12), "epochs"), (dict(checkpoints=3), "checkpoints"), (dict(weight_decay="0.1"), "weight_decay"),
    (dict(init="start"), "init"),
])
def test_nonsense_is_refused_naming_the_argument(kwargs, match):
    args = dict(model=DelayedActivationRNN(N=8), task=TASK, lr=[0.05], seeds=1, epochs=5) | kwargs
    with pytest.raises(ValueError, match=match):
        train_sweep(args.pop("model"), args.pop("task"), **args)


def test_a_start_that_does_not_fit_every_combination_is_refused():
    first = train_sweep(DelayedActivationRNN(N=8), TASK, lr=[0.05], seeds=1, epochs=5, checkpoints=[5])
    with pytest.raises(ValueError, match="init does not fit every combination"):
        train_sweep(DelayedActivationRNN(N=8), TASK, lr=[0.05], seeds=1, epochs=5, init=start_from(first),
                    sweep={"N": [8, 12]})


def test_sizes_that_cannot_be_allocated_are_refused_fast():
    with pytest.raises(ValueError, match="T must be"):
        delayed_activation(10**9)
    with pytest.raises(ValueError, match="trials_per_class"):
        cue_discrimination(trials_per_class=10**9)
