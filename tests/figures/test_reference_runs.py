"""The reference-size experiments' compact results (analysis.figures.reference_runs) and their plots."""

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from analysis.figures import FIGURES, Context, Settings
from analysis.figures.context import saved_data
from analysis.figures.reference_runs import (
    EXPERIMENTS,
    FIG3_LONG,
    FIG7_FILES,
    FIG8C_FILE,
    cost_per_network_epoch,
    estimate_reference_seconds,
    fig3_long_run,
    fig3_short_run,
    fig6a_config,
    fig7_config,
    fig8c_config,
    reference_configs,
    reference_data,
    reference_plan,
)
from analysis.networks import preset, train_sweep
from analysis.networks.flows import ghost_lag
from analysis.plotting import plot_long_rank_one_run, plot_loss_against_rate
from analysis.store import write_netcdf

ROOT = Path(__file__).resolve().parents[2]
TINY_LONG = {"lr": 0.03, "seeds": [40, 41], "epochs": 1500, "checkpoint_every": 50, "record_every": 50,
             "flow_epochs": [0, 500, 1450], "drop_window": 100}


def _context(tmp_path, scale="default", quick=False):
    return Context(tmp_path, "png", Settings.make(quick), None, scale)


def _tiny(config):
    return xr.Dataset({"value": ("x", np.arange(3.0) * config["k"])})


def test_reference_data_runs_only_under_reference_and_reads_back_exactly_its_config(tmp_path):
    calls = []

    def run(config):
        calls.append(config)
        return _tiny(config)

    assert reference_data(_context(tmp_path), "t.nc", {"k": 2}, run) is None  # default scale: not run
    assert reference_data(_context(tmp_path, quick=True), "t.nc", {"k": 2}, run, always=True) is None
    made = reference_data(_context(tmp_path, "reference"), "t.nc", {"k": 2}, run)
    assert calls == [{"k": 2}] and (tmp_path / "data" / "t.nc").is_file()
    again = reference_data(_context(tmp_path), "t.nc", {"k": 2}, run)  # kept: read at the default scale
    assert calls == [{"k": 2}]
    np.testing.assert_array_equal(again.value.values, made.value.values)
    assert json.loads(again.attrs["experiment"]) == {"k": 2}
    assert reference_data(_context(tmp_path), "t.nc", {"k": 3}, run) is None  # other settings: not these


def test_the_long_run_keeps_the_lags_and_flows_of_its_sweep(tmp_path):
    compact = fig3_long_run(_context(tmp_path), TINY_LONG)
    p = preset("fig3a")  # the same sweep, trained again here: the compact copy must hold its numbers
    full = train_sweep(p.model, p.task, lr=[TINY_LONG["lr"]], seeds=TINY_LONG["seeds"], epochs=TINY_LONG["epochs"],
                       record_every=50, checkpoints=range(0, TINY_LONG["epochs"] + 1, 50))
    lag = ghost_lag(full)
    np.testing.assert_array_equal(compact.ghost_epoch.values, lag["ghost_epoch"][0])
    np.testing.assert_array_equal(compact.lag.values, lag["ghost_epoch"][0] - full.drop_epoch.values[0])
    np.testing.assert_array_equal(compact.loss.values, full.loss.values[0])
    for epoch in TINY_LONG["flow_epochs"]:
        np.testing.assert_array_equal(compact.param_n.sel(checkpoint=epoch).values,
                                      full.param_n.isel(lr=0, seed=0).sel(checkpoint=epoch).values)
    drop = float(full.drop_epoch.values[0, 0])
    near = [c for c in full.checkpoint.values if abs(c - drop) <= TINY_LONG["drop_window"]]
    assert set(near) <= set(compact.checkpoint.values.tolist())
    assert compact.attrs["lag_resolution"] == 50.0
    fig = plot_long_rank_one_run(compact)
    assert len(fig.axes) == 3 and all(ax.get_xlabel() for ax in fig.axes)


def test_the_short_run_keeps_every_epoch_and_the_checkpoints_at_its_drop(tmp_path):
    config = {"lr": 0.02, "seed": 40, "epochs": 400, "drop_window": 5}
    ds = fig3_short_run(_context(tmp_path), config)
    drop = float(ds.drop_epoch.squeeze())
    assert ds.epoch.size == 400 and np.all(np.abs(ds.checkpoint.values - drop) <= 5)
    assert json.loads(ds.attrs["experiment"]) == config


def test_the_loss_against_rate_draws_the_mean_and_sem_over_seeds():
    p = preset("fig6a-rank-one")
    ds = train_sweep(p.model, p.task, lr=[0.01, 0.03], seeds=3, epochs=201, record_every=100)
    fig = plot_loss_against_rate(ds, epochs=[100, 200])
    line = fig.axes[0].lines[1]  # the second epoch's mean
    loss = ds.loss.sel(epoch=200).values.astype(float)
    np.testing.assert_allclose(line.get_ydata(), loss.mean(axis=1))
    with pytest.raises(ValueError, match="epochs"):
        plot_loss_against_rate(ds, epochs=[150])


def test_the_fig6a_configs_are_the_reference_sweeps():
    for architecture, top in (("rank one", -1), ("full rank", 1)):
        config = fig6a_config(architecture)
        assert len(config["lr"]) == 30 and config["seeds"] == list(range(10)) and config["epochs"] == 200_001
        np.testing.assert_allclose([config["lr"][0], config["lr"][-1]],
                                   [1e-4, 10.0**top])


def test_the_reference_plan_counts_network_epochs_and_skips_what_is_kept(tmp_path):
    plan = {item["experiment"]: item for item in reference_plan(_context(tmp_path, "reference"))}
    assert plan["Fig 3a/b"]["network_epochs"] == len(FIG3_LONG["seeds"]) * FIG3_LONG["epochs"]
    assert plan["Fig 3c/d"]["network_epochs"] == 6000
    assert plan["Fig 6A full rank"]["network_epochs"] == 300 * 200_001
    cost = {"rank one": 2e-5, "full rank": 1e-4}
    pending = [i for i in plan.values() if not i["kept"]]
    expected = sum(i["network_epochs"] * cost[i["architecture"]] for i in pending)
    assert estimate_reference_seconds(list(plan.values()), cost) == pytest.approx(expected)
    everything_kept = [i | {"kept": True} for i in plan.values()]
    assert estimate_reference_seconds(everything_kept, cost) == 0.0


def test_the_plan_charges_a_task_network_its_trials_and_steps_and_filters_by_figure(tmp_path):
    ctx = _context(tmp_path, "reference")
    plan = {item["experiment"]: item for item in reference_plan(ctx)}
    # Fig 8C by hand: 100 seeds, each trained 10k epochs once and then once per readout (4 norms and
    # a free one), on 10 trials per class of 2 classes x 22 steps, against Fig 6A's 1 trial x 40 steps
    assert plan["Fig 8C"]["network_epochs"] == pytest.approx(100 * 6 * 10_000 * (20 * 22) / 40)
    # Fig 6B: the reference's 9 ranks x 10 rates x 10 seeds x 500k epochs, at Fig 6A's own shape
    assert plan["Fig 6B"]["network_epochs"] == pytest.approx(9 * 10 * 10 * 500_000)
    assert {"Fig 7 cue discrimination", "Fig 7 match-to-sample", "Fig 4 cue discrimination",
            "Fig 5 match-to-sample"} <= set(plan)
    names = {name for name, _, _ in FIGURES}
    assert all(item["figure"] in names for item in plan.values())
    only_fig7 = reference_plan(ctx, ["21_rnn_large_rates"])
    assert {item["experiment"] for item in only_fig7} == {"Fig 7 cue discrimination", "Fig 7 match-to-sample",
                                                          "Fig 7 saturation"}
    assert reference_plan(ctx, ["01_canonical_form"]) == []


def test_the_fig7_and_fig8c_configs_are_the_reference_sizes():
    config = fig7_config("fig7-dcdt", "reference")
    p = preset("fig7-dcdt")
    assert (config["lr"], config["seeds"], config["epochs"]) == (list(p.lr), list(range(20)), 20_000)
    assert fig7_config("fig7-dcdt", "quick")["lr"] == list(p.lr[::4])
    fig8c = preset("fig8c")
    held = [c for c in fig8c.followup["normalize"] if c is not None]
    assert fig8c_config("reference") == {"seeds": len(fig8c.seeds), "epochs": fig8c.epochs,
                                         "record_every": fig8c.epochs // 50, "norms": held}
    for make in (lambda s: fig7_config("fig7-dcdt", s), fig8c_config):
        with pytest.raises(ValueError, match="scale must be one of"):
            make("huge")


@pytest.mark.parametrize(("experiment", "file", "config"), [
    ("Fig 7 cue discrimination", FIG7_FILES["fig7-dcdt"], lambda scale: fig7_config("fig7-dcdt", scale)),
    ("Fig 8C", FIG8C_FILE, fig8c_config)])
def test_an_experiment_counts_as_kept_once_its_results_are_saved_at_the_reference_sizes(tmp_path, experiment,
                                                                                          file, config):
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / file
    write_netcdf(xr.Dataset(attrs={"experiment": json.dumps(config("default"))}), path)
    plan = {item["experiment"]: item for item in reference_plan(_context(tmp_path, "reference"))}
    kept_in_repository = plan[experiment]["kept"]  # another config here: only the repository's counts
    write_netcdf(xr.Dataset(attrs={"experiment": json.dumps(config("reference"))}), path, overwrite=True)
    plan = {item["experiment"]: item for item in reference_plan(_context(tmp_path, "reference"))}
    assert plan[experiment]["kept"]
    assert not kept_in_repository or (ROOT / "figures" / "data" / file).is_file()


def test_the_measured_cost_per_network_epoch_is_positive_and_its_arguments_checked():
    assert 0 < cost_per_network_epoch("rank one", epochs=20) < 1e-2
    with pytest.raises(ValueError, match="architecture"):
        cost_per_network_epoch("rank two")
    with pytest.raises(ValueError, match="epochs"):
        cost_per_network_epoch("rank one", epochs=0)


def test_a_kept_config_matches_across_the_last_bit_of_its_floats_and_nothing_more():
    from analysis.figures.context import same_config

    config = {"lr": [1e-4, 0.00016102620275609394], "seeds": [0, 1], "epochs": 200_001, "fused": False}
    saved = json.loads(json.dumps(config | {"lr": [1e-4, 0.0001610262027560939]}))  # another numpy build's grid
    assert same_config(saved, config)
    assert same_config(saved, config | {"lr": list(np.asarray(config["lr"]))})  # numpy floats, as a recipe makes them
    for other in ({"lr": [1e-4, 0.000161]}, {"lr": [1e-4]}, {"seeds": [0, 2]}, {"epochs": 200_000},
                  {"fused": 0}, {"extra": 1}):
        assert not same_config(saved, config | other), other
    assert not same_config({k: v for k, v in saved.items() if k != "fused"}, config)


def test_the_kept_reference_files_are_found_with_this_machines_rate_grids(tmp_path):
    ctx = _context(tmp_path)
    for experiment in ("Fig 6A rank one", "Fig 6A full rank"):
        file, _ = EXPERIMENTS[experiment]
        if (ROOT / "figures" / "data" / file).is_file():
            assert saved_data(ctx, file, reference_configs()[experiment], attr="experiment") is not None, experiment
    for name, file in FIG7_FILES.items():
        if (ROOT / "figures" / "data" / file).is_file():
            assert saved_data(ctx, file, fig7_config(name, "reference"), attr="experiment") is not None, name
