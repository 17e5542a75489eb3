"""Figure 22's plot: the measured onset with its interval, each prediction, and their ratios."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from analysis.plotting import plot_network_critical_rate


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
