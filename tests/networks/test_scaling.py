"""The network scaling law: the nested scan, on fake sweeps with a known onset."""


import numpy as np
import pytest
import xarray as xr

import analysis.networks.scaling as scaling
from analysis.networks import DelayedActivationRNN, delayed_activation
from analysis.networks.remedies import gain_ablation
from analysis.regimes import LEARNED, TRAPPED


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

    with pytest.raises(ValueError, match="out_dir must be an existing directory"):
        gain_ablation(seeds=1, base_epochs=2, epochs=1, out_dir="/nonexistent-cache-dir")


@pytest.mark.parametrize("onset", ["no_learning", "trapped"])
def test_an_onset_with_no_learning_below_it_is_undefined(monkeypatch, onset):
    def nothing_learns(model, task, *, lr, seeds, epochs, **kwargs):
        lr = np.asarray(lr)
        regime = np.where(lr[:, None] > 0.005, TRAPPED, 4) * np.ones((1, seeds), int)  # descending, then trapped
        return xr.Dataset({"regime": (("lr", "seed"), regime)}, coords={"lr": lr, "seed": np.arange(seeds)})

    monkeypatch.setattr(scaling, "train_sweep", nothing_learns)
    ds = scaling.network_critical_rates(DelayedActivationRNN(), delayed_activation(20), [2, 4, 8], lr=[1e-3, 1e-2, 0.1],
                                        seeds=2, epochs=20, onset=onset)
    assert np.isnan(ds.lower.values).all() and np.isnan(ds.upper.values).all()
    assert all("no run learned" in reason for reason in ds.reason.values)
    from analysis import fit_power_law

    with pytest.raises(ValueError, match="eta_c"):
        fit_power_law(ds.delay_tau.values, ds.upper.values)


def test_numbers_as_text_are_refused_as_rates():
    with pytest.raises(ValueError, match="lr"):
        scaling.network_critical_rates(DelayedActivationRNN(), delayed_activation(20), [20], lr=["0.1", "1"])
