"""Argument checks shared by every public function.

Each check raises :class:`ValueError` naming the offending parameter and the range it must
lie in, so that a bad call fails loudly at the boundary instead of producing NaN deep inside.
"""

from __future__ import annotations

import numpy as np


def as_float_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a float array, refusing NaN and anything non-numeric."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number or array of real numbers, got {value!r}") from None
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    return arr


def finite(value, name: str) -> np.ndarray:
    """A finite real array (any sign)."""
    arr = as_float_array(value, name)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got a non-finite value")
    return arr


def positive(value, name: str, *, allow_inf: bool = False) -> np.ndarray:
    """A real array with every entry in (0, inf) (or (0, inf] with ``allow_inf``)."""
    arr = as_float_array(value, name)
    bad = arr <= 0 if allow_inf else ~(np.isfinite(arr) & (arr > 0))
    if np.any(bad):
        interval = "(0, inf]" if allow_inf else "(0, inf)"
        raise ValueError(f"{name} must lie in {interval}, got {_first(arr, bad)}")
    return arr


def nonnegative(value, name: str) -> np.ndarray:
    """A finite real array with every entry in [0, inf)."""
    arr = finite(value, name)
    if np.any(arr < 0):
        raise ValueError(f"{name} must lie in [0, inf), got {_first(arr, arr < 0)}")
    return arr


def positive_int(value, name: str, *, minimum: int = 1) -> int:
    """An integer >= ``minimum`` (bools and non-integral floats are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def broadcast(**arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Broadcast the named arrays together, naming them all if their shapes clash."""
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}{np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"shapes do not broadcast: {shapes}") from None


def scalar_or_array(arr: np.ndarray):
    """Return a Python float for 0-d results, the array otherwise."""
    arr = np.asarray(arr)
    return float(arr) if arr.ndim == 0 else arr


def _first(arr: np.ndarray, bad: np.ndarray) -> float:
    return float(np.broadcast_to(arr, bad.shape)[bad].flat[0])
