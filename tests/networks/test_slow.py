"""Slow points of a trained network, by checkpoint."""


import numpy as np

from analysis.networks import DelayedActivationRNN, TaskRNN, cue_discrimination, delayed_activation, train_sweep
from analysis.networks.slow import slow_points_dataset

SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)
FULL = TaskRNN(N=12, rank=None, readout="tanh", noise_sigma=1e-2, r0_sigma=0.1)
FULL_TASK = cue_discrimination(2, 3, 3)


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


def test_a_selected_combination_is_searched_with_its_own_task():
    import json

    import pytest

    from analysis.ghosts import STABILITIES
    from analysis.networks import combination

    model = TaskRNN(N=12, rank=2, readout="tanh", noise_sigma=0.0, r0_sigma=0.3)
    ds = train_sweep(model, FULL_TASK, lr=[0.05], seeds=1, epochs=10, checkpoints=[10], sweep={"delay": [3, 8]})
    assert combination(ds.isel(delay=1))[1]["n_delay"] == 8
    assert combination(ds.sel(delay=3))[1]["n_delay"] == 3
    with pytest.raises(ValueError, match="swept axes"):
        combination(ds)
    found = slow_points_dataset(ds.isel(delay=1))
    assert json.loads(found.attrs["task"])["n_delay"] == 8
    fixed = found.kind.values == "fixed point"
    assert set(found.stability.values[fixed]) <= set(STABILITIES)
    assert set(found.map_stability.values[fixed]) <= set(STABILITIES)
    assert (found.stability.values[~fixed] == "").all()
