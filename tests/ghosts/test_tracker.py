"""SlowPointTracker on systems whose answers are known, and the worked PyTorch example at a small size."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from analysis.ghosts import Map, SlowPointTracker, from_weights, sample_states


def _fold(x, p, u):
    """x -> x + x^2 + r: two fixed points for r < 0, a ghost at 0 for r > 0 (r_eff = r, in steps)."""
    return x + x**2 + p["r"]


FOLD = Map(_fold, {"r": np.array(-0.04)}, n_state=1, description="x + x^2 + r")


def _tracked(r_values, losses, states=None):
    tracker = SlowPointTracker(FOLD, n_starts=16, noise=0.05)
    trajectory = np.linspace(-0.5, 0.5, 21)[:, None] if states is None else states
    for epoch, (r, loss) in enumerate(zip(r_values, losses, strict=True)):
        tracker.update(10 * epoch, {"r": np.array(r)}, states=trajectory if epoch == 0 else None, loss=loss)
    return tracker


def test_the_tracker_records_the_fold_and_its_ghost():
    tracker = _tracked([-0.04, -0.01, 1e-3, 1e-4], [1.0, 0.9, 0.2, 0.1])
    rows = tracker.records
    assert [r["n_fixed"] for r in rows] == [2, 2, 0, 0] and [r["n_stable"] for r in rows] == [1, 1, 0, 0]
    assert [r["n_unstable"] for r in rows] == [1, 1, 0, 0] and [r["n_ghosts"] for r in rows] == [0, 0, 1, 1]
    assert rows[2]["ghost_r_eff"] == pytest.approx(1e-3, rel=1e-8)
    assert rows[3]["ghost_passage_time"] == pytest.approx(np.pi / np.sqrt(1e-4), rel=1e-6)  # in steps
    assert all(r["ghost_on_path"] for r in rows[2:])  # the trajectory runs through x = 0
    timing = tracker.timing()
    # the largest fall of the loss, 0.9 -> 0.2, is at the third update (epoch 20); the ghost appears there too
    assert timing == {"drop_epoch": 20.0, "ghost_epoch": 20.0, "lag": 0.0, "resolution": 10.0}


def _fold_and_contraction(x, p, u):
    import jax.numpy as jnp

    return jnp.array([x[0] + x[0] ** 2 + p["r"], 0.5 * x[1]])


def test_a_ghost_far_from_the_states_is_not_on_the_path_and_the_lag_has_its_sign():
    # the ghost is at (0, 0); the states run along x at y in [2, 3], two extents away
    system = Map(_fold_and_contraction, {"r": np.array(1e-3)}, n_state=2)
    far = np.stack([np.linspace(-0.5, 0.5, 11), np.linspace(2.0, 3.0, 11)], axis=1)
    tracker = SlowPointTracker(system, n_starts=16)
    tracker.update(0, {"r": np.array(1e-3)}, states=far, loss=1.0)
    row = tracker.records[0]
    assert row["n_ghosts"] == 1 and row["ghost_r_eff"] == pytest.approx(1e-3, rel=1e-8)
    assert row["ghost_distance"] == pytest.approx(np.min(np.linalg.norm(far, axis=1)), abs=1e-6)
    assert not row["ghost_on_path"]
    assert np.isnan(tracker.timing()["ghost_epoch"]) and np.isnan(tracker.timing()["lag"])
    early = _tracked([-0.04, 1e-3, 1e-3, 1e-3], [1.0, 1.0, 1.0, 0.1])
    assert early.timing()["lag"] == -20.0  # the ghost (epoch 10) before the drop (epoch 30): negative


def test_every_epochs_loss_can_be_logged_for_the_drop():
    tracker = _tracked([-0.04, 1e-3], [1.0, 0.9])
    for epoch, loss in zip(range(11), np.r_[1.0, 1.0, 1.0, 0.95, 0.3, 0.25, 0.2, 0.2, 0.2, 0.2, 0.9], strict=True):
        tracker.log_loss(epoch, loss)
    assert tracker.timing()["drop_epoch"] == 4.0  # 0.95 -> 0.3, logged between two updates


def test_the_tracker_saves_loads_and_refuses_to_overwrite(tmp_path):
    tracker = _tracked([-0.04, 1e-3, 1e-4], [1.0, 0.3, 0.2])
    path = tracker.save(tmp_path / "tracker.nc")
    back = SlowPointTracker.load(path)
    ds, again = tracker.to_xarray(), back.to_xarray()
    for name in ds.data_vars:
        np.testing.assert_array_equal(ds[name].values, again[name].values)
    assert back.timing() == pytest.approx(tracker.timing(), nan_ok=True)
    with pytest.raises(ValueError, match="exists; pass overwrite=True"):
        tracker.save(path)
    tracker.save(path, overwrite=True)


def test_the_tracker_refuses_nonsense_by_name():
    W, b = np.eye(3) * 0.5, np.zeros(3)
    tracker = SlowPointTracker(n_starts=8)
    with pytest.raises(ValueError, match="states: the first update needs"):
        tracker.update(0, from_weights(W, b))
    with pytest.raises(ValueError, match="states must be a non-empty array"):
        tracker.update(0, from_weights(W, b), states=np.zeros((0, 3)))
    with pytest.raises(ValueError, match="states must not contain NaN"):
        tracker.update(0, from_weights(W, b), states=np.full((4, 3), np.nan))
    with pytest.raises(ValueError, match="states must be finite"):
        tracker.update(0, from_weights(W, b), states=np.full((4, 3), np.inf))
    with pytest.raises(ValueError, match="states must have 3 coordinates"):
        tracker.update(0, from_weights(W, b), states=np.zeros((4, 2)))
    tracker.update(0, from_weights(W, b), states=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="is not the tracked architecture"):
        tracker.update(1, from_weights(np.eye(4), np.zeros(4)))
    with pytest.raises(ValueError, match="epoch must increase"):
        tracker.update(0, from_weights(W, b))
    with pytest.raises(ValueError, match="plain parameters need the tracker's system"):
        SlowPointTracker().update(0, {"W": W}, states=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="loss must not contain NaN"):
        tracker.log_loss(3, float("nan"))
    with pytest.raises(ValueError, match="loss must be finite"):
        tracker.log_loss(3, float("inf"))
    for kwargs, match in (({"on_path": 0.0}, "on_path"), ({"n_starts": 0}, "n_starts"), ({"noise": -1.0}, "noise")):
        with pytest.raises(ValueError, match=match):
            SlowPointTracker(**kwargs)


def test_sample_states_draws_from_the_trajectories():
    trajectories = np.arange(30.0).reshape(5, 3, 2)
    picks = sample_states(trajectories, 10, seed=1)
    rows = {tuple(r) for r in trajectories.reshape(-1, 2)}
    assert picks.shape == (10, 2) and len({tuple(p) for p in picks}) == 10 and {tuple(p) for p in picks} <= rows
    assert sample_states(trajectories, 40).shape == (40, 2)  # more than there are: with replacement
    noisy = sample_states(trajectories, 2000, noise=0.1, seed=2)
    assert np.std(noisy - np.round(noisy)) == pytest.approx(0.1, rel=0.1)
    with pytest.raises(ValueError, match="trajectories must be a non-empty array"):
        sample_states(np.zeros((0, 2)), 3)


def test_the_worked_pytorch_example_runs_small():
    pytest.importorskip("torch")
    path = Path(__file__).parents[2] / "examples" / "torch_rnn_ghosts.py"
    spec = importlib.util.spec_from_file_location("torch_rnn_ghosts", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    run = example.train(0, T=10, units=16, epochs=120, every=20, n_starts=32)
    tracker = run["tracker"]
    assert [r["epoch"] for r in tracker.records] == list(range(0, 121, 20))
    assert len(tracker.losses) == 121 and run["losses"][-1] < run["losses"][0]
    assert all(r["n_fixed"] + r["n_ghosts"] >= 0 for r in tracker.records)
    assert np.isfinite(tracker.timing()["drop_epoch"])
