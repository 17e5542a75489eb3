"""Argument checks that both packages share (``reduced`` and every ``analysis`` subpackage).

Each check raises :class:`ValueError` naming the offending parameter and the range it must
lie in, so that a bad call fails loudly at the boundary instead of producing NaN deep inside.
They are public on purpose: the numerical engines of :mod:`analysis` validate their arguments
with the same functions as the closed forms, so one argument is refused with one message
wherever it enters. Strings and booleans are never taken for numbers.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

CONVENTIONS = ("normalized", "integral")


def as_float_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a float array, refusing NaN and anything non-numeric.

    Strings and booleans are refused even though numpy would convert them ("100" -> 100.0,
    True -> 1.0): a number that arrives as text or as a flag is a mistake upstream.
    """
    raw = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
    kinds = {type(v) for v in np.ravel(raw)} if raw.dtype == object else set()
    if raw.dtype.kind in "bUS" or any(issubclass(k, str | bytes | bool | np.bool_) for k in kinds):
        raise ValueError(f"{name} must be a real number or array of real numbers, got {value!r}")
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


def positive_int(value, name: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer in [minimum, maximum] (bools and non-integral floats are refused)."""
    bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer {bound}, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer {bound}, got {value}")
    return int(value)


def finite_scalar(value, name: str) -> float:
    """One finite real number (any sign)."""
    arr = finite(value, name)
    if arr.ndim:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    return float(arr)


def positive_scalar(value, name: str) -> float:
    """One real number in (0, inf)."""
    arr = positive(value, name)
    if arr.ndim:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    return float(arr)


def nonnegative_scalar(value, name: str) -> float:
    """One finite real number in [0, inf)."""
    arr = nonnegative(value, name)
    if arr.ndim:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    return float(arr)


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


def convention(normalized) -> bool:
    """The loss convention as a bool: True for "normalized", False for "integral".

    Accepts a bool or the convention's name (as the command line does); anything else is refused,
    so that ``normalized="integral"`` is never read as a truthy string.
    """
    if isinstance(normalized, bool | np.bool_):
        return bool(normalized)
    if isinstance(normalized, str) and normalized in CONVENTIONS:
        return normalized == "normalized"
    raise ValueError(f"normalized must be True, False, 'normalized' or 'integral', got {normalized!r}")


def convention_argument(func):
    """Decorator: validate a function's ``normalized`` argument with :func:`convention`."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        if "normalized" in bound.arguments:
            bound.arguments["normalized"] = convention(bound.arguments["normalized"])
        return func(*bound.args, **bound.kwargs)

    return wrapper
