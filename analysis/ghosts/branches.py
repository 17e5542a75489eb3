"""Continuation: one slow point followed as a parameter changes, and where a saddle-node annihilates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .search import find_slow_points


@dataclass(frozen=True)
class Branch:
    """One slow point followed as a parameter changes (one entry per parameter value).

    Attributes
    ----------
    values : ndarray
        The parameter values followed.
    x : ndarray, shape (values, n)
        The point at each value.
    kind : ndarray of str
        "fixed point" or "ghost" (or another slow point) at each value.
    speed : ndarray
        Its speed |F| and, for a ghost, its local scale parameter.
    r_eff : ndarray
        Its speed |F| and, for a ghost, its local scale parameter.
    annihilation : float
        The parameter where the fixed point turned into a ghost, refined by bisection (NaN if it
        did not).
    """

    values: np.ndarray
    x: np.ndarray
    kind: np.ndarray
    speed: np.ndarray
    r_eff: np.ndarray
    annihilation: float  # where the fixed point turned into a ghost (NaN if it did not)


def follow_branch(family: Callable, values: Sequence[float], start: np.ndarray | Sequence[float], *,
                  fixed_tol: float = 1e-10, slow_tol: float = 1e-4, bisections: int = 40,
                  as_params: bool = False) -> Branch:
    """Follow a fixed point or ghost of ``family(p)`` over the parameter ``values`` by continuation.

    At each value the search starts from the point found at the previous one. Where the point
    changes from a fixed point to a ghost (a saddle-node pair has annihilated), the parameter of
    the change is refined by bisection and returned as ``annihilation``.

    Parameters
    ----------
    family : callable
        ``family(p)`` returns the system at parameter p (anything :func:`find_slow_points` takes).
    values : sequence of float
        At least two finite parameter values, in the order followed.
    start : array_like, shape (n,)
        The point at ``values[0]`` (or a guess for it).
    fixed_tol : float, optional
        As for :func:`find_slow_points`.
    slow_tol : float, optional
        As for :func:`find_slow_points`.
    bisections : int, optional
        Bisection steps that refine the annihilation.
    as_params : bool, optional
        ``family`` is itself the field, a function F(x, p) of the state and the parameter, searched
        with ``params=p`` (see :func:`find_slow_points`): compiled once for every value and
        bisection step, where a new system per value (the default) compiles anew each time.

    Returns
    -------
    Branch
        Per value: the point ``x``, its ``kind``, ``speed`` and ``r_eff``; and ``annihilation``, the
        parameter where the fixed point turned into a ghost (NaN if it did not).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size < 2 or not np.all(np.isfinite(values)):
        raise ValueError("values must be a 1-D array of at least two finite parameter values")
    x = np.atleast_1d(np.asarray(start, dtype=float))
    xs, kinds, speeds, reffs = [], [], [], []

    def nearest(p, guess):
        system, params = (family, np.float64(p)) if as_params else (family(p), None)
        found = find_slow_points(system, guess[None], fixed_tol=fixed_tol, slow_tol=slow_tol, params=params)
        if not len(found):
            return None
        i = int(np.argmin(np.linalg.norm(found.x - guess, axis=1)))
        return found.kind[i], found.x[i], found.speed[i], found.r_eff[i]

    for p in values:
        result = nearest(p, x)
        if result is None:
            xs.append(np.full_like(x, np.nan)), kinds.append(""), speeds.append(np.nan), reffs.append(np.nan)
            continue
        kind, x, speed, r = result
        xs.append(x), kinds.append(kind), speeds.append(speed), reffs.append(r)
    kinds_arr = np.asarray(kinds, dtype=object)
    annihilation = np.nan
    for i in range(1, len(values)):
        if kinds_arr[i - 1] == "fixed point" and kinds_arr[i] == "ghost":
            lo, hi, guess = values[i - 1], values[i], xs[i - 1]
            for _ in range(bisections):
                mid = 0.5 * (lo + hi)
                result = nearest(mid, guess)
                if result is not None and result[0] == "fixed point":
                    lo, guess = mid, result[1]
                else:
                    hi = mid
            annihilation = 0.5 * (lo + hi)
            break
    return Branch(values, np.asarray(xs), kinds_arr, np.asarray(speeds), np.asarray(reffs), annihilation)
