"""The onset of a failure on a grid of rates: one bracket (last rate that does not fail, first that does].

Shared by the network sweeps (:mod:`analysis.networks.scaling`, :mod:`analysis.networks.mapping`):
as for the reduced model, a critical rate is the infimum of the failing rates, and on a grid it
lies in (previous rate, first failing rate].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def first_failing(failing: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Along the last axis (the ascending rates): does any rate fail, and the index of the first that does.

    The index is 0 where none fails; read it together with the first output.
    """
    failing = np.asarray(failing, dtype=bool)
    return failing.any(axis=-1), np.argmax(failing, axis=-1)


def onset_bracket(rates: ArrayLike, failing: ArrayLike) -> tuple[float, float]:
    """The bracket (lower, upper] of the first failing rate on an ascending grid.

    Parameters
    ----------
    rates : array_like
        The grid, ascending.
    failing : array_like of bool
        Per rate: does it fail (e.g. more than a given fraction of the seeds trapped)?

    Returns
    -------
    (float, float)
        ``(rates[k - 1], rates[k])`` for the first failing index k; ``(0.0, rates[0])`` when the
        first rate fails already; ``(rates[-1], inf)`` when none fails.

    Examples
    --------
    >>> onset_bracket([0.1, 0.2, 0.4], [False, True, True])
    (0.1, 0.2)
    >>> onset_bracket([0.1, 0.2], [False, False])
    (0.2, inf)
    """
    rates = np.asarray(rates, dtype=float)
    failing = np.asarray(failing, dtype=bool)
    if rates.ndim != 1 or rates.shape != failing.shape or rates.size == 0:
        raise ValueError(f"rates and failing must be 1-D arrays of one non-zero length, got shapes "
                         f"{rates.shape} and {failing.shape}")
    some, first = first_failing(failing)
    if not some:
        return float(rates[-1]), np.inf
    return (float(rates[first - 1]) if first else 0.0), float(rates[first])
