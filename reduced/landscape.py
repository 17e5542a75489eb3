"""The exact loss landscape of the delayed-activation task at finite output confidence.

Readout y = sigmoid(a (x - x*)), target 0 on [0, T] and 1 on (T, 2T], trajectory of
dx/dt = x^2 + r from x0 (docs/science.md, sections 4-5; Dinc et al., arXiv:2501.02378).

* Continuous time (``dt=None``): L = (1/T) int_0^{2T} (y - target)^2 dt on the closed-form
  trajectory, by composite Gauss-Legendre quadrature on panels whose edges are the times the
  state crosses a ladder of levels (geometric in |x|, and dense around x* on the scale 1/a),
  the switch of the target at T and the blow-up. dL/dr integrates the closed-form
  sensitivity dx/dr; the panel edges move with r but the integrand is continuous across
  them (the target switch at T does not move), so no boundary terms arise.
* Discrete time (``dt > 0``): the Euler model of the reference code,
  x_{n+1} = clip(x_n + dt (x_n^2 + r) + sqrt(dt) eps xi_n), with
  L = (dt/T) sum_{n=1}^{2T/dt} (y_n - [n > T/dt])^2 and its exact gradient from the forward
  sensitivity recursion d_{n+1} = d_n + dt (2 x_n d_n + 1), zeroed where the clip acts.

``normalized=False`` gives the un-averaged integral (no 1/T), the reference code's convention.

Measured limits (tests/test_landscape.py): with a = x* -> inf the loss tends to the sharp
closed form with max error ~ 1/(T x*) (normalized; 1.01e-3 at x* = 10, 1.00e-5 at x* = 1000,
fitted slope -1.00), because the output switches when x reaches x*, 1/x* before the blow-up.
As dt -> 0 the Euler loss and gradient converge to the continuous ones at order 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from .closed_forms import passage_time
from .trajectory import trajectory_and_sensitivity
from .validation import broadcast, convention_argument, finite, nonnegative, positive, positive_int, scalar_or_array

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(12)
_WINDOW = np.array([0.0, 0.5, 1, 2, 4, 8, 16, 32])  # levels x* +- k/a around the switch
_GEOMETRIC = 2.0 ** np.arange(-4, 13)  # |x| levels: panels near blow-up span a factor <= 2
_UNIFORM = np.linspace(0.0, 2.0, 9)[1:-1]  # extra edges at multiples of T/4 for slow r < 0 flows
_DT_TOL = 1e-9
_CHUNK = 128


def _sigmoid_terms(u: np.ndarray, target_one: np.ndarray):
    """(y - target)^2 and d/du of it, from u = a (x - x*), without overflow or cancellation."""
    y = expit(u)
    miss = np.where(target_one, expit(-u), y)  # |y - target|, computed directly
    slope = y * expit(-u)  # dy/du
    sign = np.where(target_one, -1.0, 1.0)
    return miss**2, 2 * sign * miss * slope


# ---------------------------------------------------------------------------------------
# Continuous time
# ---------------------------------------------------------------------------------------
def _continuous(r, T, a, x_star, x0, want_grad):
    levels = [x_star[..., None] + np.concatenate([-_WINDOW[:0:-1], _WINDOW]) / a[..., None]]
    levels.append(np.broadcast_to(_GEOMETRIC, r.shape + _GEOMETRIC.shape))
    if np.any(x0 < 0):
        levels.append(np.broadcast_to(-_GEOMETRIC, r.shape + _GEOMETRIC.shape))
    levels = np.concatenate(levels, axis=-1)
    crossings = np.asarray(passage_time(r[..., None], x0[..., None], levels))
    blowup = np.asarray(passage_time(r, x0, np.inf))
    fixed = np.stack([np.zeros_like(T), T, 2 * T, blowup], axis=-1)
    uniform = T[..., None] * _UNIFORM
    edges = np.sort(np.minimum(np.concatenate([crossings, fixed, uniform], axis=-1), 2 * T[..., None]), axis=-1)
    # panels of zero length (unreachable levels) pile up at 2T: drop the columns that are empty everywhere
    width = np.diff(edges, axis=-1)
    keep = np.any(width > 0, axis=tuple(range(width.ndim - 1)))
    lo, width = edges[..., :-1][..., keep], width[..., keep]

    t = lo[..., None] + 0.5 * width[..., None] * (_NODES + 1)
    w = 0.5 * width[..., None] * _WEIGHTS
    expand = (...,) + (None,) * 2
    x, dxdr = trajectory_and_sensitivity(t, r[expand], x0[expand], blowup[expand])
    a_, xs_ = a[expand], x_star[expand]
    with np.errstate(invalid="ignore"):
        u = a_ * (x - xs_)
    sq, dsq_du = _sigmoid_terms(u, t > T[expand])
    loss = np.sum(w * sq, axis=(-2, -1))
    if not want_grad:
        return loss, None
    with np.errstate(invalid="ignore", over="ignore"):
        integrand = np.where(dsq_du == 0, 0.0, dsq_du * a_ * dxdr)
    return loss, np.sum(w * integrand, axis=(-2, -1))


def _continuous_chunked(args: dict, want_grad: bool):
    """Evaluate in row chunks: the node arrays then stay cache-sized, which is ~2x faster."""
    shape = args["r"].shape
    flat = [np.ravel(args[k]) for k in ("r", "T", "a", "x_star", "x0")]
    loss = np.empty(flat[0].size)
    grad = np.empty(flat[0].size) if want_grad else None
    for start in range(0, flat[0].size, _CHUNK):
        part = slice(start, start + _CHUNK)
        chunk_loss, chunk_grad = _continuous(*(v[part] for v in flat), want_grad)
        loss[part] = chunk_loss
        if want_grad:
            grad[part] = chunk_grad
    return loss.reshape(shape), (grad.reshape(shape) if want_grad else None)


SWITCH_LIMIT = 5e13  # a (x*^2 + r) T above this: the switch is too brief for the time quadrature


def _check_switch_resolved(args: dict) -> None:
    """Refuse a continuous-time gradient whose output switch the time quadrature cannot resolve.

    Where the state crosses x* within the trial, the output switches within a time of about
    1 / (a (x*^2 + r)); the gradient is concentrated there. Quadrature nodes in t resolve it only
    while that time is well above the rounding of t ~ T, and the gradient's relative error grows as
    about 2e-18 a (x*^2 + r) T (measured: 2e-6 at a (x*^2 + r) T = 1e12, 3e-4 at 1e14, 0.1 at
    1e16). Above ``SWITCH_LIMIT`` (error ~1e-4) the gradient would be silently wrong, so it is
    refused; the loss itself stays accurate there.
    """
    r, T, a, xs, x0 = (args[k] for k in ("r", "T", "a", "x_star", "x0"))
    severity = a * (xs**2 + np.abs(r)) * T
    if not np.any(severity > SWITCH_LIMIT):
        return
    with np.errstate(all="ignore"):
        reached = np.asarray(passage_time(r, x0, xs)) < 2 * T
    bad = reached & (severity > SWITCH_LIMIT)
    if np.any(bad):
        worst = float(np.max(np.where(bad, severity, 0.0)))
        raise ValueError(
            f"a (x_star^2 + r) T = {worst:.3g} exceeds {SWITCH_LIMIT:.0e}: the output switches in about "
            "1 / (a x_star^2), too briefly for the continuous-time gradient to be computed in double "
            "precision; lower a or x_star (the loss alone, reduced.loss, is still accurate)")


# ---------------------------------------------------------------------------------------
# Discrete time
# ---------------------------------------------------------------------------------------
def _check_steps(T, dt) -> np.ndarray:
    steps = 2 * T / dt
    n_steps = np.rint(steps)
    if np.any(np.abs(steps - n_steps) > _DT_TOL * np.maximum(1.0, steps)):
        raise ValueError("dt must divide 2T: 2T/dt must be an integer (within 1e-9)")
    return n_steps.astype(np.int64)


def _discrete_compiled(r, T, a, x_star, x0, dt, clip, want_grad):
    """The deterministic Euler model through the numba kernel (same maths as _discrete)."""
    from ._kernels import euler_loss_and_grad

    flat = [np.ascontiguousarray(np.ravel(v), dtype=float) for v in (r, T, a, x_star, x0, dt, clip)]
    loss, grad = np.empty(flat[0].size), np.empty(flat[0].size)
    euler_loss_and_grad(*flat, want_grad, loss, grad)
    return loss.reshape(r.shape), (grad.reshape(r.shape) if want_grad else None)


def _discrete(r, T, a, x_star, x0, dt, clip, noise, seed, n_samples, want_grad):
    """The Euler model in plain numpy, vectorised over runs: the reference implementation."""
    n_steps = _check_steps(T, dt)
    rng = np.random.default_rng(seed) if noise.any() else None
    shape = (n_samples, *r.shape) if rng is not None else r.shape
    x = np.broadcast_to(x0, shape).astype(float)
    sens = np.zeros(shape)
    loss = np.zeros(shape)
    grad = np.zeros(shape)
    switch = T / dt
    kick = np.sqrt(dt) * noise
    # With clip = inf a blow-up overflows to +inf on purpose: the readout is then 1 and the
    # sensitivity is reset like a clipped one, so the overflow warnings carry no news.
    with np.errstate(over="ignore", invalid="ignore"):
        for n in range(1, int(n_steps.max()) + 1):
            drift = x * x + r
            x_next = x + dt * drift
            if rng is not None:
                x_next = x_next + kick * rng.standard_normal(shape)
            if want_grad:
                sens = sens + dt * (2 * x * sens + 1)
            clipped = ~(np.abs(x_next) < clip)
            x = np.clip(x_next, -clip, clip)
            active = n <= n_steps
            sq, dsq_du = _sigmoid_terms(a * (x - x_star), n > switch)
            loss = loss + np.where(active, sq, 0.0)
            if want_grad:
                sens = np.where(clipped, 0.0, sens)
                # a saturated readout (dsq_du = 0) ignores even an overflowed sensitivity
                grad = grad + np.where(active & (dsq_du != 0), dsq_du * a * sens, 0.0)
    if rng is not None:
        loss, grad = loss.mean(axis=0), grad.mean(axis=0)
    return dt * loss, (dt * grad if want_grad else None)


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------
def _validated(r, T, a, x_star, x0, dt, clip, noise, seed, n_samples):
    r = finite(r, "r")
    T = positive(T, "T")
    a = positive(a, "a")
    x_star = finite(x_star, "x_star")
    x0 = finite(x0, "x0")
    clip = positive(clip, "clip", allow_inf=True)
    noise = nonnegative(noise, "noise")
    n_samples = positive_int(n_samples, "n_samples")
    if dt is None:
        if noise.any():
            raise ValueError("noise needs the discrete model: give dt > 0 with noise > 0")
    else:
        dt = positive(dt, "dt")
    arrays = dict(r=r, T=T, a=a, x_star=x_star, x0=x0)
    if dt is not None:
        arrays.update(dt=dt, clip=clip, noise=noise)
    out = dict(zip(arrays, broadcast(**arrays), strict=True))
    if seed is not None and not isinstance(seed, (int, np.integer, np.random.SeedSequence)):
        raise ValueError(f"seed must be an integer or None, got {seed!r}")
    return out, dt is not None, n_samples


@convention_argument
def loss_and_grad(
    r: ArrayLike,
    T: ArrayLike,
    *,
    a: ArrayLike,
    x_star: ArrayLike = 10.0,
    x0: ArrayLike = 0.0,
    dt: ArrayLike | None = None,
    normalized: bool = True,
    clip: ArrayLike = 1e6,
    noise: ArrayLike = 0.0,
    seed: int | None = None,
    n_samples: int = 1,
    backend: str = "auto",
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Loss of the delayed-activation task at finite confidence, and its exact dL/dr.

    Parameters
    ----------
    r : array_like
        Scale parameter, any finite real.
    T : array_like
        Delay, in (0, inf); the trial lasts 2T.
    a : array_like
        Output confidence (sigmoid gain), in (0, inf).
    x_star : array_like, optional
        Readout threshold x*, finite. Default 10, as in the reference code.
    x0 : array_like, optional
        Initial state, finite. Default 0.
    dt : array_like or None, optional
        None (default) for continuous time; otherwise the Euler step, in (0, inf), such
        that 2T/dt is an integer within 1e-9.
    normalized : bool, optional
        Time-averaged loss in [0, 1] (default) or the un-averaged integral.
    clip : array_like, optional
        Discrete model only: the state is clipped to [-clip, clip], in (0, inf]. Default 1e6.
    noise : array_like, optional
        Discrete model only: noise level eps >= 0 of the sqrt(dt) eps xi kicks. Default 0.
    seed : int or None, optional
        Seed of the noise; the gradient is the pathwise gradient of the same sample.
    n_samples : int, optional
        With noise, the number of noise samples averaged. Default 1.
    backend : {"auto", "numba", "numpy"}, optional
        Discrete model only. "auto" (default) runs the deterministic model through the
        compiled numba kernel and the noisy one in numpy; "numpy" forces the plain numpy
        implementation, which is the reference the kernel is tested against.

    Returns
    -------
    loss : float or ndarray
        Broadcast over r, T, a, x_star, x0 (and dt, clip, noise). Never NaN for finite input.
    grad : float or ndarray
        Broadcast over r, T, a, x_star, x0 (and dt, clip, noise). Never NaN for finite input.

    Raises
    ------
    ValueError
        In continuous time, where the state reaches x_star within the trial and
        a (x_star^2 + r) T > 5e13: the switch of the output is then too brief for the gradient
        to be computed accurately in double precision (see ``_check_switch_resolved``). With
        x_star = 10 and T = 100 that allows a up to 5e9 (a x_star up to 5e10).

    Examples
    --------
    >>> import numpy as np
    >>> from reduced import loss_and_grad, optimal_r, sharp_loss
    >>> T = 100.0
    >>> r = 2 * optimal_r(T)
    >>> L, g = loss_and_grad(r, T, a=50.0, x_star=50.0)
    >>> abs(L - sharp_loss(r, T)) < 0.01
    True
    >>> L_disc, _ = loss_and_grad(r, T, a=1.0, dt=0.1)
    >>> 0 < L_disc < 1
    True
    """
    return _evaluate(r, T, a, x_star, x0, dt, normalized, clip, noise, seed, n_samples, backend, want_grad=True)


def _evaluate(r, T, a, x_star, x0, dt, normalized, clip, noise, seed, n_samples, backend, *, want_grad: bool):
    """The one evaluation behind :func:`loss` and :func:`loss_and_grad` (the loss alone skips dL/dr)."""
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend must be 'auto', 'numba' or 'numpy', got {backend!r}")
    args, discrete, n_samples = _validated(r, T, a, x_star, x0, dt, clip, noise, seed, n_samples)
    compiled = discrete and backend != "numpy" and not args["noise"].any()
    if compiled:
        _check_steps(args["T"], args["dt"])
        loss, grad = _discrete_compiled(*(args[k] for k in ("r", "T", "a", "x_star", "x0", "dt", "clip")), want_grad)
    elif discrete:
        loss, grad = _discrete(
            args["r"], args["T"], args["a"], args["x_star"], args["x0"], args["dt"], args["clip"],
            args["noise"], seed, n_samples, want_grad,
        )
    else:
        if want_grad:
            _check_switch_resolved(args)
        loss, grad = _continuous_chunked(args, want_grad)
    if normalized:
        loss = loss / args["T"]
        grad = grad / args["T"] if grad is not None else None
    if not want_grad:
        return scalar_or_array(loss)
    return scalar_or_array(loss), scalar_or_array(grad)


@convention_argument
def loss(
    r: ArrayLike,
    T: ArrayLike,
    *,
    a: ArrayLike,
    x_star: ArrayLike = 10.0,
    x0: ArrayLike = 0.0,
    dt: ArrayLike | None = None,
    normalized: bool = True,
    clip: ArrayLike = 1e6,
    noise: ArrayLike = 0.0,
    seed: int | None = None,
    n_samples: int = 1,
    backend: str = "auto",
) -> np.ndarray | float:
    """Loss of the delayed-activation task at finite confidence; see :func:`loss_and_grad`.

    Parameters
    ----------
    r : array_like
        Scale parameter, any finite real.
    T : array_like
        Delay, in (0, inf); the trial lasts 2T.
    a : array_like
        Output confidence (sigmoid gain), in (0, inf).
    x_star : array_like, optional
        Readout threshold x*, finite. Default 10, as in the reference code.
    x0 : array_like, optional
        Initial state, finite. Default 0.
    dt : array_like or None, optional
        None (default) for continuous time; otherwise the Euler step, in (0, inf), such
        that 2T/dt is an integer within 1e-9.
    normalized : bool, optional
        Time-averaged loss in [0, 1] (default) or the un-averaged integral.
    clip : array_like, optional
        Discrete model only: the state is clipped to [-clip, clip], in (0, inf]. Default 1e6.
    noise : array_like, optional
        Discrete model only: noise level eps >= 0 of the sqrt(dt) eps xi kicks. Default 0.
    seed : int or None, optional
        Seed of the noise; the gradient is the pathwise gradient of the same sample.
    n_samples : int, optional
        With noise, the number of noise samples averaged. Default 1.
    backend : {"auto", "numba", "numpy"}, optional
        Discrete model only. "auto" (default) runs the deterministic model through the
        compiled numba kernel and the noisy one in numpy; "numpy" forces the plain numpy
        implementation, which is the reference the kernel is tested against.

    Returns
    -------
    float or ndarray
        The loss, broadcast over the inputs; never NaN for finite input.

    Examples
    --------
    >>> from reduced import loss
    >>> round(loss(0.0, 100.0, a=1.0), 6)  # at the saddle-node x stays at 0: y = sigmoid(-10)
    0.999909
    """
    return _evaluate(r, T, a, x_star, x0, dt, normalized, clip, noise, seed, n_samples, backend, want_grad=False)


__all__ = ["loss", "loss_and_grad"]
