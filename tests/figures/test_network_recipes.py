"""The network recipes of the main job, called directly: each returns its figure and its summary entries.

They run on the quick run's cache, so every sweep is read back, not trained again; what a recipe
returns must be what the runner wrote to summary.json.
"""

import json

import numpy as np
import pytest
from matplotlib.figure import Figure

from analysis.figures import FIGURES, Context, Settings, full_rank, network_critical, network_critical_more
from analysis.figures import networks as recipes

pytestmark = pytest.mark.xdist_group("quick_run")  # one worker runs the shared quick run (pytest -n)
RECIPE_MODULES = (recipes.__name__, full_rank.__name__, network_critical.__name__, network_critical_more.__name__)
NETWORK_RECIPES = [(name, make) for name, _, make in FIGURES if make.__module__ in RECIPE_MODULES]


def test_every_network_figure_has_a_recipe_here():
    assert [name for name, _ in NETWORK_RECIPES] == [name for name, _, _ in FIGURES if "_rnn_" in name]


@pytest.mark.parametrize(("name", "make"), NETWORK_RECIPES, ids=[n for n, _ in NETWORK_RECIPES])
def test_a_recipe_returns_its_figure_and_the_entries_the_runner_saved(quick_run, name, make):
    cache = quick_run / ".cache"
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("*.nc")}
    fig, entries = make(Context(quick_run, "png", Settings.make(True)))
    assert isinstance(fig, Figure) and fig.axes
    for ax in fig.axes:
        if ax.has_data() and ax.get_visible() and ax.get_label() != "<colorbar>":
            assert ax.get_xlabel() or ax.get_ylabel() or ax.get_title(), f"{name}: an unlabelled panel"
    saved = json.loads((quick_run / "summary.json").read_text())
    assert entries, f"{name} reports nothing to summary.json"
    scale = entries.pop("scale", None)  # the sizes it was drawn at go under "scales"
    assert scale is not None, f"{name} does not say the sizes it was drawn at"
    assert saved["scales"][name] == json.loads(json.dumps(scale)) | {"option": "quick"}
    assert scale["drawn_at"] in ("reference", "reduced", "own experiment")
    for key, value in entries.items():
        value = json.loads(json.dumps(value))
        if key == "network_critical_rate":  # shared by figures 22 and 23, one entry per delay and architecture
            mine = {e["architecture"] for e in value}
            saved[key] = [e for e in saved[key] if e["architecture"] in mine]
        assert value == saved[key], key  # the same numbers, reproduced from the cache
    after = {p: p.stat().st_mtime_ns for p in cache.rglob("*.nc")}
    assert after == before  # read from the cache: nothing trained again


def test_the_rank_one_run_reports_the_regimes_and_lags_its_datasets_hold(quick_run):
    ctx = Context(quick_run, "png", Settings.make(True))
    _, entries = recipes.fig_rnn_rank_one_run(ctx)
    report = entries["rnn_rank_one_run"]
    long, short = report["long"], report["short"]
    assert (long["lr"], short["lr"]) == (0.003, 0.02)
    assert all(r in ("learned", "oscillating", "trapped", "diverged", "descending") for r in long["regimes"])
    assert short["regime"] in ("learned", "oscillating", "trapped", "diverged", "descending")
    assert np.isfinite(short["final_loss"])
    assert short["flows_at"] == [short["drop_epoch"] + o for o in recipes.SHORT_RUN_OFFSETS]
    lags = [g - d for g, d in zip(long["ghost_epoch"], long["drop_epoch"], strict=True) if g is not None]
    assert long["ghost_lag"]["with_ghost"] == len(lags)


