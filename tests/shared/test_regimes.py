"""The window statistics and the regime decision, against hand-built histories with known answers."""

import numpy as np
import pytest

from analysis.regimes import DIVERGED, LEARNED, OSCILLATING, TRAPPED, Criteria, amplitude, decide, window_stats


def _stats(r, loss, grad=None, r_min=1.0, learn_level=0.05):
    r = np.asarray(r, dtype=float)[:, None]
    loss = np.asarray(loss, dtype=float)[:, None]
    grad = np.ones_like(r) if grad is None else np.asarray(grad, dtype=float)[:, None]
    return window_stats(r, loss, grad, np.arange(r.shape[0]), np.array([r_min]), learn_level, Criteria())


def test_window_statistics_of_a_known_history():
    # 100 epochs (window 10, quarter 2): r oscillates about 1 in the window with a constant amplitude
    r = np.r_[np.linspace(5, 1.2, 90), 1 + 0.2 * (-1.0) ** np.arange(11)]
    loss = np.r_[np.ones(40), np.linspace(1, 0.01, 61)]
    s = _stats(r, loss)
    assert s.crossings[0] == 9  # the window holds epochs 91-100: ten alternating records, nine sign changes
    assert s.max_deviation[0] == pytest.approx(0.2)
    assert s.deviation_head[0] == pytest.approx(0.2) and s.deviation_tail[0] == pytest.approx(0.2)
    assert s.r_max[0] == pytest.approx(1.2) and s.r_min_seen[0] == pytest.approx(0.8)
    assert s.plateau_length[0] == next(k for k, v in enumerate(loss) if abs(v - 1) > 0.05)
    drop = np.diff(loss)
    assert s.drop_epoch[0] == 1 + int(np.argmin(drop))
    assert s.epochs_to_learn[0] == float(np.argmax(loss < 0.05))
    assert decide(s, 1.0, 0.25, 1.0, 1.0, Criteria())[0] == OSCILLATING
    assert amplitude(s, 1.0)[0] == pytest.approx(0.2)


def test_brute_force_agrees_on_random_histories():
    rng = np.random.default_rng(3)
    r = rng.normal(1, 0.1, (200, 5))
    loss = rng.uniform(0, 1, (200, 5))
    s = window_stats(r, loss, loss, np.arange(200), np.ones(5), 0.1, Criteria())
    window = r[-20:]
    side = np.sign(window - 1)
    for k in range(5):
        assert s.crossings[k] == sum(side[i, k] * side[i + 1, k] < 0 for i in range(19))
        assert s.max_deviation[k] == np.max(np.abs(window[:, k] - 1))
        assert s.min_loss[k] == loss[-20:, k].min()


def test_learned_trapped_and_diverged_are_told_apart():
    epochs = 100
    learned = _stats(np.r_[np.linspace(3, 1, 50), np.ones(50)], np.r_[np.linspace(1, 0, 50), np.zeros(50)])
    assert decide(learned, 1.0, 0.25, 1.0, 1.0, Criteria())[0] == LEARNED
    trapped = _stats(np.full(epochs, 0.1), np.ones(epochs), grad=np.zeros(epochs))
    assert decide(trapped, 1.0, 0.25, 1.0, 1.0, Criteria())[0] == TRAPPED
    diverged = _stats(np.r_[np.ones(50), np.full(50, np.nan)], np.ones(epochs))
    assert decide(diverged, 1.0, 0.25, 1.0, 1.0, Criteria())[0] == DIVERGED
    assert np.isnan(amplitude(diverged, 1.0)[0])
