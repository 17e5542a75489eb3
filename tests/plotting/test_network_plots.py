"""The network figures refuse what they cannot draw."""


import numpy as np
import pytest
import xarray as xr

from analysis.networks import DelayedActivationRNN, delayed_activation, train_sweep
from analysis.plotting import plot_gain_ablation, plot_rank_remedy, plot_regime_fractions, plot_training

SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)


# --- the figures refuse what they cannot draw ----------------------------------------------------
def test_network_plots_refuse_what_they_cannot_draw():

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


def test_a_flat_loss_reads_in_plain_numbers():
    epochs = np.arange(50)
    loss = 0.9991 + 1e-5 * np.sin(epochs)[None, None, :]
    ds = xr.Dataset({"loss": (("lr", "seed", "epoch"), loss), "accuracy": (("lr", "seed", "epoch"), 0 * loss),
                     "regime": (("lr", "seed"), np.zeros((1, 1), int))},
                    coords={"lr": [0.1], "seed": [0], "epoch": epochs}, attrs={"optimizer": "sgd"})
    fig = plot_training(ds)
    ax = fig.axes[0]
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ax.get_yscale() == "linear" and labels
    assert not any("10^" in t or "times" in t for t in labels)
    assert all(float(t.replace("\u2212", "-")) == pytest.approx(0.9991, abs=1e-4) for t in labels)


def test_the_rank_remedy_is_a_heat_map_with_its_values_and_a_few_lines():
    fraction = np.array([[0.0, 0.1, 0.0], [0.3, 0.5, 0.2], [1.0, 0.9, 0.7]])  # (rank, lr)
    ds = xr.Dataset({"fraction_learned": (("rank", "lr"), fraction), "learned_reference": (("seed",), np.ones(4))},
                    coords={"rank": [1, 10, 100], "lr": [1e-3, 1e-2, 1e-1], "seed": np.arange(4)})
    fig = plot_rank_remedy(ds, lines=2)
    heat, lines = fig.axes[0], fig.axes[1]
    assert sorted(t.get_text() for t in heat.texts) == sorted(f"{v:.2f}" for v in fraction.ravel())
    assert "4 seeds per cell" in heat.get_title()
    assert [line.get_label() for line in lines.lines] == ["lr 0.001", "lr 0.1"]
    np.testing.assert_array_equal(lines.lines[1].get_ydata(), fraction[:, 2])
    assert any(a.get_label() == "<colorbar>" for a in fig.axes)
