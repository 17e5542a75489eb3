"""Arguments that numpy would accept but that mean something else are refused, by name."""

import numpy as np
import pytest

import reduced as R
from analysis import critical_learning_rate_numeric, descend, phase_diagram


def test_convention_accepts_bools_and_names_only():
    integral = R.critical_learning_rate(100.0, normalized=False)
    assert R.critical_learning_rate(100.0, normalized="integral") == integral
    assert R.critical_learning_rate(100.0, "normalized") == R.critical_learning_rate(100.0, True)
    assert R.sharp_gradient(2 * R.optimal_r(100.0), 100.0, normalized="integral") == pytest.approx(
        R.sharp_gradient(2 * R.optimal_r(100.0), 100.0, normalized=False))
    for bad in ("yes", 1, None, "Integral"):
        with pytest.raises(ValueError, match="normalized must be True, False, 'normalized' or 'integral'"):
            R.critical_learning_rate(100.0, normalized=bad)
    with pytest.raises(ValueError, match="normalized must be"):
        descend(1e-3, 1e-8, 100.0, 10, normalized=1)


@pytest.mark.parametrize("T", ["100", True, np.array(["1", "2"]), [1.0, "2"], np.array([True])])
def test_numbers_given_as_text_or_flags_are_refused(T):
    with pytest.raises(ValueError, match="T must be a real number"):
        R.critical_learning_rate(T)


def test_empty_inputs_follow_one_rule():
    """Elementwise closed forms map an empty array to an empty array; sweeps refuse an empty axis,
    naming the caller's argument."""
    assert R.critical_learning_rate(np.array([])).shape == (0,)
    with pytest.raises(ValueError, match="^T must not be empty"):
        critical_learning_rate_numeric(np.array([]))
    with pytest.raises(ValueError, match="^r0 must not be empty"):
        descend(np.array([]), 1e-8, 100.0, 10)
    with pytest.raises(ValueError, match="^eta must not be empty"):
        phase_diagram(eta=np.array([]))


def test_descend_refuses_a_history_that_cannot_fit():
    with pytest.raises(ValueError, match="descend's recorded history .* GiB"):
        descend(1e-3, 1e-8, 100.0, 10**12)
