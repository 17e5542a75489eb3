"""The companion study's (arXiv:2502.17433) network, task and large-sweep presets."""

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.networks import TaskRNN, cue_discrimination, onehot_cue_discrimination, preset, train_sweep
from analysis.networks.presets import STM, STM_DELAYS, STM_LR


@settings(max_examples=30, deadline=None)
@given(n_in=st.integers(1, 8), n_delay=st.integers(1, 40), n_react=st.integers(1, 12), n_post=st.integers(0, 8))
def test_weighted_loss_gives_the_late_steps_and_the_early_steps_equal_weight(n_in, n_delay, n_react, n_post):
    task = onehot_cue_discrimination(n_in, n_delay, n_react, n_post=n_post, trials_per_class=1)
    late = n_react + n_post
    weights = task.mask[0, :, 0]
    # weight 1 - late/steps on the last `late` steps and late/steps before them: equal totals
    assert weights[-late:].sum() == pytest.approx(weights[:-late].sum())
    assert np.all(task.mask == weights[None, :, None])
    cue = task.inputs[:, :n_in]
    assert np.all(cue.sum(axis=-1) == 1) and np.all(task.inputs[:, n_in:] == 0)
    assert np.array_equal(task.targets[:, n_in + n_delay:n_in + n_delay + n_react], cue[:, :1].repeat(n_react, 1))
    assert task.targets.sum() == 2 * n_react and task.response.sum() == 2 * n_react
    assert onehot_cue_discrimination(n_in, n_delay, n_react, n_post=n_post, weighted=False).mask.min() == 1


def test_companion_network_initialisation():
    with jax.enable_x64(True):
        draws = [STM.init(jax.random.PRNGKey(k)) for k in range(20)]
    W = np.stack([np.asarray(p["W"]) for p in draws])
    assert np.all(np.diagonal(W, axis1=1, axis2=2) == 0)
    assert np.abs(W).max() <= np.sqrt(6 / 200) and np.abs(W).max() > 0.9 * np.sqrt(6 / 200)  # Xavier bound
    for name, bound in [("b", 1 / np.sqrt(2)), ("b_rec", 0.1), ("b_out", 0.1), ("w_out", np.sqrt(6 / 102))]:
        values = np.stack([np.asarray(p[name]) for p in draws])
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound, name
    assert draws[0]["w_out"].shape == (100, 2) and draws[0]["b_out"].shape == (2,)
    # the other parameters keep the draws they have without the second bias
    plain = STM.replace(recurrent_bias=False, zero_diagonal=False).init(jax.random.PRNGKey(0))
    assert np.array_equal(plain["W_in"], draws[0]["W_in"]) and np.array_equal(plain["b"], draws[0]["b"])
    # the flow sees both biases
    x = np.full(100, 0.1, np.float32)
    expected = -x + np.tanh(x @ np.asarray(draws[0]["W"]) + np.asarray(draws[0]["b"]) + np.asarray(draws[0]["b_rec"]))
    np.testing.assert_allclose(STM.flow(draws[0])(x), expected, rtol=1e-5, atol=1e-6)


def test_presets_hold_the_companion_settings():
    p = preset("stm-nopost")
    assert len(STM_LR) == 30 and len(set(STM_LR)) == 30 and list(STM_LR) == sorted(STM_LR, reverse=True)
    assert STM_LR[0] == pytest.approx(10 ** -0.5) and STM_LR[-1] == pytest.approx(1e-3)
    assert STM_DELAYS == tuple(range(4, 81, 4))
    kwargs = p.settings()
    assert kwargs["epochs"] == [max(1000, int(30 / lr)) for lr in STM_LR]
    assert (kwargs["optimizer"], kwargs["momentum"], kwargs["weight_decay"]) == ("momentum", 0.9, 1e-7)
    assert len(kwargs["seeds"]) == 100 and p.task.trials == 128
    assert preset("stm-post").settings()["epochs"][-1] == 100_000 and preset("stm-post").task.steps == 26
    assert preset("stm-longtau").model.alpha == 0.25
    assert p.settings(epochs=50)["epochs"] == 50  # an override is one budget for every rate


def test_per_rate_budgets_train_as_separate_sweeps_joined_along_lr(tmp_path):
    small = preset("stm-nopost").with_model(N=8).with_task(onehot_cue_discrimination(2, 3, 2, trials_per_class=2))
    lr = [0.02, 0.3]  # budgets 1500 and 1000 epochs
    ds = small.run(lr=lr, seeds=[0, 1], sweep={"delay": [3]}, out=tmp_path / "stm.nc")
    assert ds.lr.values.tolist() == lr and ds.attrs["epochs_per_lr"] == [1500, 1000]
    short = ds.loss.sel(lr=0.3, delay=3)
    assert np.all(np.isnan(short.sel(epoch=slice(1000, None)))) and np.all(np.isfinite(short.sel(epoch=slice(0, 999))))
    kwargs = small.settings(lr=[0.02], seeds=[0, 1], sweep={"delay": [3]}, epochs=1500)
    alone = train_sweep(small.model, small.task, **kwargs)
    np.testing.assert_array_equal(ds.loss.sel(lr=[0.02], epoch=alone.epoch).values, alone.loss.values)
    assert sorted(p.name for p in tmp_path.glob("stm.epochs-*.nc")) == ["stm.epochs-1000.nc", "stm.epochs-1500.nc"]
    again = small.run(lr=lr, seeds=[0, 1], sweep={"delay": [3]}, out=tmp_path / "stm.nc")  # from the stores
    np.testing.assert_array_equal(again.final_loss.values, ds.final_loss.values)
    from analysis.networks import start_from

    with pytest.raises(ValueError, match="several epoch budgets"):
        start_from(ds)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: TaskRNN(N=10, rank=2, zero_diagonal=True), "zero_diagonal needs a full-rank"),
        (lambda: TaskRNN(N=10, n_out=0), "n_out must be an integer >= 1"),
        (lambda: TaskRNN(N=10, recurrent_bias=1), "recurrent_bias must be a bool"),
        (lambda: onehot_cue_discrimination(n_delay=0), r"n_delay must be an integer in \[1, 1000000\]"),
        (lambda: onehot_cue_discrimination(n_post=-1), r"n_post must be an integer in \[0, 1000000\]"),
        (lambda: train_sweep(TaskRNN(N=4, n_in=2), onehot_cue_discrimination(), lr=[0.1], epochs=2),
         "2 output channels but model.n_out = 1"),
        (lambda: train_sweep(TaskRNN(N=4, n_out=2), cue_discrimination(), lr=[0.1], epochs=2),
         "1 output channels but model.n_out = 2"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_paper_models_serialise_as_before_the_companion_settings():
    """The companion settings are written only when set, so earlier saved sweeps keep their fingerprints."""
    from analysis.networks import model_from_dict

    plain = TaskRNN().to_dict()
    assert not {"n_out", "recurrent_bias", "zero_diagonal"} & set(plain)
    assert model_from_dict(plain) == TaskRNN()
    assert model_from_dict(STM.to_dict()) == STM and STM.to_dict()["n_out"] == 2


# --- the study's exponent fit ---------------------------------------------------------------------
def _saturation(T, x0, a):
    return np.where(T < x0, 0.0, 1 - np.exp(-a * (T - x0)))


def test_onset_fit_recovers_the_onset_of_exact_fractions():
    from analysis.networks.companion import onset_delays

    T = np.arange(20, 401, 20.0)
    x0 = np.array([35.0, 77.0, 150.0, 290.0])
    fractions = _saturation(T[None, :], x0[:, None], 0.05)
    np.testing.assert_allclose(onset_delays(fractions, T), x0, rtol=1e-6)
    assert np.isnan(onset_delays(np.full((1, T.size), 0.05), T)[0])  # never above 0.1: no fit


def test_companion_exponent_recovers_a_known_power_law():
    """Runs fail (accuracy 1/2) with the probability of a saturating onset at T_c = (lr / A)^(1/B)."""
    import xarray as xr

    from analysis.networks.companion import companion_exponent

    B, A = -2.72, 1.1e4  # onsets from about 300 ms (lr 0.002) down to 55 ms (lr 0.2)
    lr = np.geomspace(2e-3, 0.2, 8)
    delays = np.arange(4, 81, 4)  # steps of 5 ms
    onset = (lr / A) ** (1 / B)
    p_fail = _saturation(5.0 * delays[:, None], onset[None, :], 0.04)  # (delay, lr)
    seeds = 2000
    fail = np.random.default_rng(0).random((delays.size, lr.size, seeds)) < p_fail[..., None]
    accuracy = np.where(fail, 0.5, 1.0)[..., None].repeat(10, axis=-1)
    ds = xr.Dataset({"accuracy": (("delay", "lr", "seed", "epoch"), accuracy)},
                    coords={"delay": delays, "lr": lr, "seed": np.arange(seeds), "epoch": np.arange(10)})
    fit = companion_exponent(ds)
    assert fit["rates_fitted"] == lr.size and all(fit["onset_in_range"])
    np.testing.assert_allclose(fit["onset_ms"], onset, rtol=0.05)
    assert fit["exponent"] == pytest.approx(B, abs=3 * fit["error"] + 0.02) and fit["r2"] > 0.99


def test_no_learning_reads_each_run_over_its_own_epochs():
    import xarray as xr

    from analysis.networks.companion import no_learning

    acc = np.full((2, 100), np.nan)
    acc[0, :] = 0.5
    acc[0, 90:] = 0.9  # learned at the end of a 100-epoch run
    acc[1, :40] = 0.5
    acc[1, 36:40] = 0.9  # a 40-epoch run: its own last 10% are epochs 36-39
    ds = xr.Dataset({"accuracy": (("lr", "epoch"), acc)}, coords={"lr": [0.1, 0.2], "epoch": np.arange(100)})
    assert no_learning(ds).values.tolist() == [False, False]
    assert no_learning(ds, window=0.5).values.tolist() == [True, True]
    with pytest.raises(ValueError, match="window"):
        no_learning(ds, window=0)
