"""The field a search takes: a JAX function F(x) or F(x, params), or a sympy field; and the starts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def as_field(field_spec: Callable | tuple) -> Callable:
    """A JAX-traceable F: R^n -> R^n from a function or a sympy field ``(expressions, symbols)``.

    Parameters
    ----------
    field_spec : callable or (expressions, symbols)
        A JAX-traceable F(x), or sympy expressions in their state symbols (lambdified to JAX).

    Returns
    -------
    callable
        F, taking and returning arrays of shape (n,).
    """
    if callable(field_spec):
        return field_spec
    if isinstance(field_spec, tuple) and len(field_spec) == 2:
        import jax.numpy as jnp
        import sympy as sp

        exprs, symbols = field_spec
        exprs, symbols = list(exprs), list(symbols)
        if len(exprs) != len(symbols):
            raise ValueError(f"field: {len(exprs)} expressions for {len(symbols)} symbols; they must match")
        fn = sp.lambdify([symbols], exprs, modules="jax")
        return lambda x: jnp.stack([jnp.asarray(v, dtype=x.dtype) * jnp.ones((), x.dtype) for v in fn(x)])
    raise ValueError("field must be a JAX-traceable function of a 1-D array, or a sympy field (expressions, symbols)")


def check_field(F, n: int, *args):
    """F(x, *args) must map a state of shape (n,) to shape (n,); a jitted F keeps the trace for later."""
    import jax
    import jax.numpy as jnp

    try:
        shape = jax.eval_shape(F, jax.ShapeDtypeStruct((n,), jnp.float64), *args).shape
    except Exception as exc:  # a field that cannot be traced is a bad argument, whatever the error
        raise ValueError(f"field could not be evaluated on a state of shape ({n},): {exc}") from None
    if shape != (n,):
        raise ValueError(f"field must map a state of shape ({n},) to shape ({n},), got {shape}")


def search_starts(starts, box, n_box: int, seed: int) -> np.ndarray:
    if starts is not None and any(isinstance(v, str | bytes | bool | np.bool_)
                                  for v in np.ravel(np.asarray(starts, dtype=object))):
        raise ValueError(f"starts must be real numbers, not text or booleans, got {starts!r}")
    arr = np.asarray(starts, dtype=float) if starts is not None else np.zeros((0, 0))
    if arr.ndim == 1 and arr.size:
        arr = arr[:, None]
    if starts is not None and arr.ndim != 2:
        raise ValueError(f"starts must have shape (points, n), got {arr.shape}")
    if box is not None:
        low, high = (np.atleast_1d(np.asarray(v, dtype=float)) for v in box)
        if low.shape != high.shape or low.ndim != 1 or not np.all(np.isfinite(low) & np.isfinite(high)) \
                or np.any(high <= low):
            raise ValueError("box must be (low, high), finite 1-D arrays of one length with high > low")
        if arr.size and arr.shape[1] != low.size:
            raise ValueError(f"box has {low.size} dimensions but the starts have {arr.shape[1]}")
        sample = np.random.default_rng(seed).uniform(low, high, size=(n_box, low.size))
        arr = sample if not arr.size else np.concatenate([arr, sample])
    if arr.size == 0 or arr.shape[0] == 0:
        raise ValueError("starts must not be empty (give states, or a box with n_box > 0)")
    if not np.all(np.isfinite(arr)):
        raise ValueError("starts must be finite")
    return arr
