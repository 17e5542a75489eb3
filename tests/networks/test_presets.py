"""The presets: every experiment builds its settings; the reference's accuracy levels (slow)."""


import numpy as np
import pytest

from analysis.networks import (
    PRESETS,
    preset,
)


# --- presets and bad input --------------------------------------------------------------------------
def test_every_preset_builds_its_settings():
    for name, p in PRESETS.items():
        kwargs = p.settings(epochs=10)
        assert kwargs["epochs"] == 10 and all(e <= 10 for e in kwargs["checkpoints"]), name
    assert preset("fig6a-rank-one").lr[0] == pytest.approx(1e-4)
    assert preset("fig6b-rank").sweep["rank"][-1] == 100
    with pytest.raises(ValueError, match="preset must be one of"):
        preset("fig99")


# --- the reference's accuracy levels (long: marked slow) --------------------------------------------
def test_full_rank_cue_discrimination_reaches_high_accuracy():
    """Fig 5 settings (SGD 1e-2, 3001 epochs, 3 seeds): every network classifies nearly every step."""
    ds = preset("fig5-dcdt").run()
    assert np.all(ds.max_accuracy.values == 1.0)
    assert np.all(ds.final_accuracy.values > 0.95)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fig5-dmts", "fig4-dcdt", "fig4-dmts"])
def test_paper_settings_reach_high_accuracy(name):
    """Every seed ends above 0.9 accuracy and above the silent network's score (an output that
    never responds is right on every step with target 0: 0.886 for Fig 5 DMTS)."""
    p = preset(name)
    ds = p.run()
    silent = p.task.accuracy(np.zeros(p.task.targets.shape))
    final = ds.final_accuracy.values.ravel()
    assert np.all((final > 0.9) & (final > silent)), f"final accuracy {final}, silent network {silent:.3f}"
