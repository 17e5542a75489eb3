"""Figure 22's plot: the measured onset with its interval, each prediction, and their ratios."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from analysis.plotting import plot_network_critical_more, plot_network_critical_rate


def _entries(tau=(5.0, 7.0, 10.0)):
    out = []
    for t in tau:
        measured = 0.2 * t**-2
        missing = "no learned network" if t == 10 else None
        out.append({"delay_tau": t, "measured": measured, "measured_ci": [0.9 * measured, 1.1 * measured],
                    "measured_q50": 1.4 * measured, "measured_exponent": -2.0, "measured_exponent_ci": [-2.2, -1.8],
                    "ablation": {"closed_form": 0.5 * measured, "own_landscape": 1.5 * measured,
                                 "start_above": 3 * measured, "sharper_readout": None if t == 10 else measured},
                    "ablation_bound": {"closed_form": None, "own_landscape": "below" if t == 5 else None,
                                       "start_above": None, "sharper_readout": missing},
                    "ablation_exponent": {"closed_form": -2.0, "own_landscape": None, "start_above": -2.0,
                                          "sharper_readout": None}})
    return out


def test_the_ratios_panel_shows_each_prediction_over_the_measurement():
    fig = plot_network_critical_rate(_entries())
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    left, right = fig.axes
    assert "tau" in left.get_xlabel() and "10%" in left.get_ylabel()
    ratios = {line.get_label(): line.get_ydata() for line in right.get_lines() if not line.get_label().startswith("_")}
    np.testing.assert_allclose(ratios["closed-form mapping (sharp)"], 0.5)
    np.testing.assert_allclose(ratios["own 1-D model"], 1.5)
    assert len(ratios["own model, gain x 10"]) == 2  # no value where no network learned
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert labels[0].startswith("measured, 10% trapped") and "-2.00 [-2.20, -1.80]" in labels[0]
    assert any(child.arrow_patch is not None for child in left.texts)  # a bound beyond the grid: an arrow
    # legends sit below the axes, off the data
    for ax in fig.axes:
        box = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
        assert box.y1 <= 0


def test_it_draws_on_given_axes():
    from matplotlib.figure import Figure as F

    fig = F()
    axes = fig.subplots(1, 2)
    assert plot_network_critical_rate(_entries(), axes=axes) is fig
    with pytest.raises(ValueError, match="axes"):
        plot_network_critical_rate(_entries(), axes=[axes[0]])


def _more_entries():
    out = []
    for name, optimizer in (("full rank", "SGD"), ("full rank (companion)", "SGD, momentum 0.9")):
        for t in (5.0, 8.0, 12.0):
            measured = 0.3 * t**-1
            out.append({"architecture": name, "optimizer": optimizer, "delay_tau": t, "measured": measured,
                        "measured_ci": [0.9 * measured, 1.2 * measured], "measured_q50": 1.5 * measured,
                        "measured_trapped": None, "measured_exponent": -1.0, "measured_exponent_ci": [-1.3, -0.7],
                        "rate_grid": [0.01, 1.0], "prediction_grid": [0.003, 4.0], "networks_predicted_from": 7,
                        "ablation": {"closed_form": 0.1 * measured, "own_landscape": None if t == 12 else 2 * measured,
                                     "start_above": 3 * measured,
                                     "without_momentum": 4 * measured if "companion" in name else None},
                        "ablation_bound": {"closed_form": "below"}})
    return out


def test_figure_23_draws_one_panel_per_architecture_with_its_predictions():
    fig = plot_network_critical_more(_more_entries())
    assert len(fig.axes) == 2
    for ax, name in zip(fig.axes, ("Full rank", "Full rank (companion)"), strict=True):
        assert ax.get_title().startswith(name) and "10% fail" in ax.get_ylabel() and "tau" in ax.get_xlabel()
        lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
        np.testing.assert_allclose(lines["closed-form mapping (sharp)"].get_ydata(), 0.1 * 0.3 / np.array([5, 8, 12.0]))
        assert len(lines["own 1-D model"].get_ydata()) == 2  # not reached at 12 tau: an arrow instead
        arrows = [child for child in ax.texts if child.arrow_patch is not None]
        assert len(arrows) == 4  # three closed-form bounds below the grid, one own-model rate above it
        assert ("own model without momentum" in lines) == ("companion" in name)
        box = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
        assert box.y1 <= 0  # the legend below the axes, off the data
