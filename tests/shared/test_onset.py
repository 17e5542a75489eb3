"""The one onset bracket: (last rate that does not fail, first that does]."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.onset import first_failing, onset_bracket


@given(st.lists(st.booleans(), min_size=1, max_size=30))
def test_the_bracket_holds_the_first_failing_rate(failing):
    rates = np.geomspace(1e-3, 1.0, len(failing))
    lower, upper = onset_bracket(rates, failing)
    if not any(failing):
        assert (lower, upper) == (rates[-1], np.inf)
        return
    k = failing.index(True)  # brute force
    assert upper == rates[k]
    assert lower == (rates[k - 1] if k else 0.0)
    assert not any(failing[:k])


def test_first_failing_runs_along_the_last_axis():
    some, index = first_failing([[False, True, True], [False, False, False]])
    assert some.tolist() == [True, False] and index[0] == 1


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="rates and failing"):
        onset_bracket([0.1, 0.2], [True])
