"""The plots of any network's slow points and of a tracker's timeline."""

import numpy as np
import pytest

from analysis.ghosts import Map, SlowPointTracker, find_slow_points
from analysis.plotting import plot_ghost_tracker, plot_slow_points_pca, principal_axes


def _fold(x, p, u):
    import jax.numpy as jnp

    return jnp.array([x[0] + x[0] ** 2 + p["r"], 0.5 * x[1] + 0.1 * x[0], 0.2 * x[2]])


SYSTEM = Map(_fold, {"r": np.array(1e-3)}, n_state=3)


def test_pca_plot_marks_ghosts_by_r_eff_and_fixed_points_by_stability():
    trajectory = np.stack([np.linspace(-0.5, 0.5, 30), np.linspace(0, 0.1, 30), np.linspace(0.2, 0, 30)], axis=1)
    ghost = find_slow_points(SYSTEM, trajectory)
    fixed = find_slow_points(SYSTEM.with_params({"r": np.array(-0.01)}), trajectory)
    fig = plot_slow_points_pca(ghost, trajectory)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "PC 1 of the states" and len(fig.axes) == 2  # the colour bar of r_eff
    assert "r_eff" in fig.axes[1].get_ylabel() and "steps" in fig.axes[1].get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "ghost (1)" in labels
    fig = plot_slow_points_pca(fixed, trajectory[:, None])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "stable fixed point (1)" in labels and "saddle fixed point (1)" in labels and len(fig.axes) == 1
    with pytest.raises(ValueError, match="trajectories must have shape"):
        plot_slow_points_pca(ghost, np.zeros((5, 2)))
    with pytest.raises(ValueError, match="n >= 2"):
        principal_axes(np.zeros((5, 1)))


def test_the_tracker_timeline_marks_the_drop_and_the_ghost(tmp_path):
    tracker = SlowPointTracker(SYSTEM, n_starts=8)
    states = np.stack([np.linspace(-0.5, 0.5, 11), np.zeros(11), np.zeros(11)], axis=1)
    for epoch, (r, loss) in enumerate(((-0.01, 1.0), (1e-3, 0.9), (1e-4, 0.1))):
        tracker.update(epoch * 5, {"r": np.array(r)}, states=states, loss=loss)
    fig = plot_ghost_tracker(tracker)
    assert len(fig.axes) == 3
    texts = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    assert "drop epoch 10" in texts and "ghost epoch 5" in texts
    assert fig.axes[1].get_ylabel() == "r_eff (1 / steps^2)"
    assert plot_ghost_tracker(SlowPointTracker.load(tracker.save(tmp_path / "t.nc"))).axes[0].get_yscale() == "log"
