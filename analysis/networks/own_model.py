"""A network's own 1-D reduced model: its loss along the direction that moves its ghost.

The closed-form mapping (:mod:`.mapping`) divides the sharp reduced model's critical rate by
|grad_theta r_eff|^2. Here the 1-D model is built from the network instead:

1. **The line.** At a learned network theta_L, u = grad_theta r_eff / |grad_theta r_eff| is the
   direction in parameter space that changes the ghost's scale parameter fastest. The network's
   own loss along theta(s) = theta_L + s u is tabulated, with its derivative dL/ds (an
   automatic derivative of the real loss: the real readout gain, the real trial start, the
   discrete steps). Near s = 0, r_eff(s) = r_eff(theta_L) + |grad r_eff| s, so a step in s of
   eta dL/ds is the step eta |grad r_eff|^2 dL/dr of the mapping.
2. **The start.** Gradient descent on s starts where the network starts before its drop: on the
   plateau, at the point s0 < 0 of the line where the loss equals the network's own loss before
   its drop (``start_loss``), not at 10 r* above the optimum as the reduced model's experiment does.
3. **The descent.** s_{k+1} = s_k - eta dL/ds(s_k), for the network's own number of epochs,
   with the table interpolated linearly, at every learning rate at once; each run's regime is
   decided by :func:`.training.classify_runs` from the same statistics and thresholds as a
   network's (trapped: still on the plateau over the final window, its gradient collapsed).

What it leaves out: only one coordinate moves (the network's other directions do not), which is
what the comparison with the measured onset tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from reduced.validation import finite_scalar, positive_int

from ..optimizers import check_momentum
from ..regimes import TRAPPED
from .training import NetworkCriteria, classify_runs, positive_list

POINTS = 4001  # table points along the line
SEARCH = np.geomspace(1e-6, 1e3, 91)  # probes down the line, relative to |theta|
PLATEAU_EDGE = 0.99  # a clipped start: this fraction of the line's plateau loss


@dataclass(frozen=True)
class LineLandscape:
    """A network's loss along theta_L + s u, u the unit gradient of its ghost's r_eff.

    Attributes
    ----------
    s : ndarray
        The uniform grid of s (parameter-space length along u), L(s) and dL/ds.
    loss : ndarray
        The uniform grid of s (parameter-space length along u), L(s) and dL/ds.
    slope : ndarray
        The uniform grid of s (parameter-space length along u), L(s) and dL/ds.
    grad_r_eff : float
        |grad_theta r_eff| at theta_L (s = 0): dr_eff/ds there.
    r_eff : float
        r_eff at theta_L.
    start : float
        s0, where the descent starts (the plateau point whose loss is ``start_loss``).
    start_loss : float
        The loss the start was placed at.
    """

    s: np.ndarray
    loss: np.ndarray
    slope: np.ndarray
    grad_r_eff: float
    r_eff: float
    start: float
    start_loss: float

    def __call__(self, s: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Interpolated (loss, dL/ds), clamped at the ends of the grid, in the compiled descent's arithmetic."""
        n = self.s.size
        position = np.clip((np.asarray(s, float) - self.s[0]) / (self.s[1] - self.s[0]), 0.0, n - 1.0)
        j = np.minimum(position.astype(np.int64), n - 2)
        w = position - j
        return (self.loss[j] + w * (self.loss[j + 1] - self.loss[j]),
                self.slope[j] + w * (self.slope[j + 1] - self.slope[j]))


@lru_cache(maxsize=16)
def _along_line(loss: Callable):
    """``f(theta, u, s) -> (L, dL/ds)`` at theta + s u for a batch of s: one compiled function per loss."""
    import jax

    def one(theta, u, s):
        # reverse mode on the scalar s: it also serves losses built on a custom_vjp (the full-rank
        # rollout's hand-written backward), which forward mode cannot differentiate
        return jax.value_and_grad(lambda t: loss(jax.tree_util.tree_map(lambda a, v: a + t * v, theta, u)))(s)

    return jax.jit(jax.vmap(one, in_axes=(None, None, 0)))


@lru_cache(maxsize=16)
def _loss_and_gradient(loss: Callable):
    """``f(points) -> (L, grad L)`` over a leading batch axis of parameter pytrees, compiled once per loss."""
    import jax

    return jax.jit(jax.vmap(jax.value_and_grad(loss)))


def line_landscape(loss: Callable, params, r_eff: Callable, *, start_loss: float, reach: float = 0.0,
                   points: int = POINTS, clip_start: bool = False) -> LineLandscape:
    """Tabulate a network's loss along the unit gradient of its ghost's r_eff, from its plateau on.

    Parameters
    ----------
    loss : callable
        ``loss(params) -> scalar``, the network's training loss, JAX-differentiable. Pass the same
        function object for many networks of one architecture: it is compiled once.
    params : pytree of arrays
        A learned network theta_L, where the line passes (s = 0).
    r_eff : callable
        ``r_eff(params) -> scalar``, its ghost's scale parameter, JAX-differentiable (for a network
        given as a :class:`analysis.Flow` or :class:`analysis.Map`, wrap :func:`analysis.ghost_r_eff`).
    start_loss : float
        The loss of the network before its drop: the table reaches down the line (r_eff falling,
        towards the plateau) to the first point with at least this loss, and the descent starts there.
    reach : float
        The table reaches at least this far beyond theta_L in s. By default it reaches twice as far
        as the far side's first point with at least ``start_loss`` (where the far plateau begins;
        beyond the table a lookup continues its last point), or as far as below if there is none.
    points : int
        Points of the uniform grid.
    clip_start : bool
        Where ``start_loss`` exceeds every loss down the line (a network whose early loss came from
        other directions, e.g. a random readout at initialisation), start at the plateau's edge
        instead, the first point with PLATEAU_EDGE times the line's largest loss below theta_L
        (the table's ``start_loss`` says which was used), rather than refusing.

    Returns
    -------
    LineLandscape
    """
    import jax
    import jax.numpy as jnp

    start_loss = finite_scalar(start_loss, "start_loss")
    points = positive_int(points, "points", minimum=3)
    along = _along_line(loss)
    with jax.enable_x64(True):
        theta = jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float64), params)
        r_value, r_gradient = jax.value_and_grad(r_eff)(theta)
        norm = float(jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree_util.tree_leaves(r_gradient))))
        if not np.isfinite(norm) or norm == 0:
            raise ValueError(f"r_eff has no usable gradient at params (|grad r_eff| = {norm})")
        u = jax.tree_util.tree_map(lambda g: g / norm, r_gradient)
        size = float(jnp.sqrt(sum(jnp.sum(a**2) for a in jax.tree_util.tree_leaves(theta))))
        probes = max(size, 1.0) * SEARCH
        below = np.asarray(along(theta, u, jnp.asarray(-probes))[0])  # down the line (r_eff falling)
        above = np.asarray(along(theta, u, jnp.asarray(probes))[0])
        reached = np.flatnonzero(below >= start_loss)
        if reached.size == 0 and clip_start:
            start_loss = PLATEAU_EDGE * float(below.max())
            reached = np.flatnonzero(below >= start_loss)
        if reached.size == 0:
            raise ValueError(f"start_loss {start_loss} is not reached down the line (r_eff falling): "
                             "it must not exceed the network's plateau loss")
        s_low = -float(probes[reached[0]])
        far = np.flatnonzero(above >= start_loss)
        # beyond the far side's plateau edge the loss is flat; the clamped lookup continues it there
        s_high = 2 * float(probes[far[0]]) if far.size else -s_low
        s = np.linspace(s_low, max(float(reach), s_high), points)
        values, slopes = (np.asarray(v, float) for v in along(theta, u, jnp.asarray(s)))
    start = _first_crossing_from_minimum(s, values, start_loss)
    return LineLandscape(s, values, slopes, norm, float(r_value), start, float(start_loss))


def path_landscape(loss: Callable, path, r_eff: Callable, *, start_loss: float, reach: float = 0.0,
                   points: int = POINTS) -> LineLandscape:
    """Tabulate a network's loss along the path its own training took through the drop, and beyond.

    The curve, by arc length s (s = 0 at the path's end):

    * s < 0: the polyline through ``path``, the network's parameters epoch by epoch from the plateau
      through its drop to the learned network (gradient descent follows the curved valley, which
      a straight line through the drop misses), and before its first point the straight line back
      along its first segment;
    * s > 0: beyond the learned network, where an overshooting step lands, the line along the unit
      gradient of its ghost's r_eff (as in :func:`line_landscape`).

    dL/ds is the gradient of the loss along the curve's unit tangent. Parameters are those of
    :func:`line_landscape`; ``path`` is a pytree whose leaves have a leading axis over the points
    (at least two distinct), the last of them the learned network.
    """
    import jax
    import jax.numpy as jnp
    from jax.flatten_util import ravel_pytree

    start_loss = finite_scalar(start_loss, "start_loss")
    points = positive_int(points, "points", minimum=3)
    with jax.enable_x64(True):
        leaves = jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float64), path)
        count = jax.tree_util.tree_leaves(leaves)[0].shape[0]
        rows = [ravel_pytree(jax.tree_util.tree_map(lambda a, i=i: a[i], leaves)) for i in range(count)]
        unravel = rows[0][1]
        X = np.stack([np.asarray(r[0]) for r in rows])
        keep = np.concatenate([[True], np.linalg.norm(np.diff(X, axis=0), axis=1) > 0])
        X = X[keep]
        if X.shape[0] < 2:
            raise ValueError("path must hold at least two distinct points")
        segment = np.linalg.norm(np.diff(X, axis=0), axis=1)
        arc = np.concatenate([[0.0], np.cumsum(segment)]) - segment.sum()  # s of each point, the end at 0
        tangents = np.diff(X, axis=0) / segment[:, None]
        r_value, r_gradient = jax.value_and_grad(lambda v: r_eff(unravel(v)))(jnp.asarray(X[-1]))
        norm = float(jnp.linalg.norm(r_gradient))
        if not np.isfinite(norm) or norm == 0:
            raise ValueError(f"r_eff has no usable gradient at the path's end (|grad r_eff| = {norm})")
        u_after = np.asarray(r_gradient) / norm
        length = -arc[0]
        s = np.linspace(arc[0] - length, max(float(reach), length), points)
        where = np.clip(np.searchsorted(arc, s, side="right") - 1, 0, segment.size - 1)
        direction = np.where((s > 0)[:, None], u_after, tangents[where])
        base = np.where((s > 0)[:, None], X[-1], X[where])
        offset = np.where(s > 0, s, s - arc[where])
        theta = base + offset[:, None] * direction
        values, grads = _loss_and_gradient(loss)(jax.vmap(unravel)(jnp.asarray(theta)))
        grads = np.asarray(jax.vmap(lambda g: ravel_pytree(g)[0])(grads))
        values, slopes = np.asarray(values, float), np.einsum("ij,ij->i", grads, direction)
    if not values.max() >= start_loss:
        raise ValueError(f"start_loss {start_loss} is not reached along the path: it must not exceed its plateau loss")
    start = _first_crossing_from_minimum(s, values, start_loss)
    return LineLandscape(s, values, slopes, norm, float(r_value), start, float(start_loss))


def start_above(table: LineLandscape, *, clip: bool = False) -> float:
    """The first s beyond the table's lowest point whose loss reaches the table's start loss (its far side).

    Raises ValueError if the far side never reaches it (then a start from above is undefined),
    unless ``clip``: then the level is PLATEAU_EDGE times the far side's largest loss, as
    :func:`line_landscape`'s ``clip_start`` does below.
    """
    best = int(np.argmin(table.loss))
    level = table.start_loss
    if clip and not table.loss[best:].max() >= level:
        level = PLATEAU_EDGE * float(table.loss[best:].max())
    above = np.flatnonzero(table.loss[best:] >= level)
    if above.size == 0 or above[0] == 0:
        raise ValueError("the table's far side never reaches its start loss: no start from above")
    k = best + int(above[0])
    w = (level - table.loss[k - 1]) / (table.loss[k] - table.loss[k - 1])
    return float(table.s[k - 1] + w * (table.s[k] - table.s[k - 1]))


def _first_crossing_from_minimum(s, loss, level) -> float:
    """The largest s below the table's lowest point with loss >= level (linear between points)."""
    best = int(np.argmin(loss))
    above = np.flatnonzero(loss[:best + 1] >= level)
    k = int(above[-1])
    if k == best:
        return float(s[k])
    w = (loss[k] - level) / (loss[k] - loss[k + 1])
    return float(s[k] + w * (s[k + 1] - s[k]))


def training_path(loss: Callable, params, lr: float, epochs: int, *, every: int = 1):
    """The parameters of full-batch gradient descent from ``params`` at rate ``lr``, every ``every`` epochs.

    Returns a pytree like ``params`` with a leading axis over the points (the start first), for
    :func:`path_landscape`.
    """
    import jax
    import jax.numpy as jnp

    lr = float(positive_list([lr], "lr")[0])
    epochs = positive_int(epochs, "epochs")
    every = positive_int(every, "every")
    with jax.enable_x64(True):
        p0 = jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float64), params)

        def step(p, _):
            grad = jax.grad(loss)(p)
            return jax.tree_util.tree_map(lambda a, g: a - lr * g, p, grad), None

        def record(p, _):
            new = jax.lax.scan(step, p, None, length=every)[0]
            return new, new

        _, later = jax.jit(lambda p: jax.lax.scan(record, p, None, length=max(1, epochs // every)))(p0)
        return jax.tree_util.tree_map(lambda a, rest: np.concatenate([np.asarray(a)[None], np.asarray(rest)]),
                                      p0, later)


def descend_line(tables: list[LineLandscape], lr: ArrayLike, *, epochs: int, momentum: float = 0.0,
                 criteria: NetworkCriteria | None = None) -> dict:
    """Gradient descent on s for every (table, learning rate), with each run's network regime.

    Parameters
    ----------
    tables : list of LineLandscape
        One per network (a common grid size).
    lr : array_like
        Learning rates, each > 0.
    epochs : int
        Epochs per run (the network's own).
    momentum : float
        Heavy-ball coefficient mu in [0, 1), in PyTorch's convention (v <- mu v + dL/ds,
        s <- s - eta v, from v = 0); 0 (the default) is plain gradient descent.
    criteria : NetworkCriteria, optional
        The thresholds of the regimes, as for the networks.

    Returns
    -------
    dict
        ``regime`` (tables, lr), ``trapped`` (bool, same shape), ``left_grid`` (runs that stepped
        beyond the table's far end: their regime is unreliable, and they are counted so that a
        caller can widen ``reach``) and ``final_s``.
    """
    rates = np.asarray(positive_list(lr, "lr"), float)
    epochs = positive_int(epochs, "epochs")
    momentum = float(check_momentum(momentum))
    c = criteria or NetworkCriteria()
    if len({t.s.size for t in tables}) != 1:
        raise ValueError("tables must share one grid size")
    from ._line_kernel import STATS, descend

    shape = (len(tables), rates.size)
    window = max(1, int(round(c.window_fraction * epochs)))
    runs = shape[0] * shape[1]
    out_stats, out_s, out_left = np.empty((runs, len(STATS))), np.empty(runs), np.zeros(runs, np.bool_)
    descend(np.array([t.s[0] for t in tables]), np.array([t.s[1] - t.s[0] for t in tables]), tables[0].s.size,
            np.concatenate([t.loss for t in tables]), np.concatenate([t.slope for t in tables]),
            np.array([t.start for t in tables]), np.repeat(np.arange(shape[0]), shape[1]),
            np.tile(rates, shape[0]), momentum, epochs, epochs - window, max(1, window // 4),
            out_stats, out_s, out_left)
    stats = {name: out_stats[:, i].reshape(shape) for i, name in enumerate(STATS)}
    s, left = out_s.reshape(shape), out_left.reshape(shape)
    stats.update(diverged=~np.isfinite(s), max_accuracy=np.full(shape, np.nan),
                 late_max_accuracy=np.full(shape, np.nan))
    regime = classify_runs(stats, c)["regime"]
    return {"regime": regime, "trapped": regime == TRAPPED, "left_grid": left, "final_s": s}


def predict_critical_rate(loss: Callable, params: Any, r_eff: Callable, *, start_loss: float, lr: ArrayLike,
                          epochs: int, momentum: float = 0.0, criteria: NetworkCriteria | None = None) -> dict:
    """Predict a network's critical learning rate from its own 1-D model (the module docstring).

    Parameters
    ----------
    loss : callable
        ``loss(params) -> scalar``, the network's full-batch training loss (JAX).
    params : pytree of arrays
        The network after it learned.
    r_eff : callable
        ``r_eff(params) -> scalar``, the scale parameter of its ghost (JAX); for a network given as
        a :class:`analysis.Flow` or :class:`analysis.Map`, ``lambda p: ghost_r_eff(system, x_ghost, p)``.
    start_loss : float
        Its loss on the plateau just before its drop, where the 1-D descent starts.
    lr : array_like
        Learning rates to try, ascending.
    epochs : int
        Epochs of each 1-D descent (those the network trains for).
    momentum : float
        The heavy-ball coefficient of the network's optimiser (0: plain SGD), in [0, 1).
    criteria : NetworkCriteria, optional
        The regime thresholds (the networks' defaults).

    Returns
    -------
    dict
        ``lr``; ``regime`` and ``trapped`` per rate; ``critical``, the smallest rate at which the
        1-D model ends trapped (NaN if none; an upper bound on the infimum, to the grid's step);
        ``table``, the :class:`LineLandscape`; ``left_grid``, whether any run left the table.

    Examples
    --------
    A "network" whose loss depends on its two parameters only through r = p0 + p1, through a
    well between two plateaus: the 1-D model traps above a rate of the order of 2 / L''.

    >>> import jax.numpy as jnp
    >>> loss = lambda p: 1 - jnp.exp(-(p["w"][0] + p["w"][1] - 1.0) ** 2 / 0.02)
    >>> r_eff = lambda p: p["w"][0] + p["w"][1]
    >>> out = predict_critical_rate(loss, {"w": jnp.array([0.5, 0.5])}, r_eff, start_loss=0.99,
    ...                             lr=[0.001, 0.003, 0.1], epochs=2000)
    >>> out["trapped"].tolist()
    [False, False, True]
    """
    rates = np.asarray(positive_list(lr, "lr"), float)
    table = line_landscape(loss, params, r_eff, start_loss=start_loss)
    run = descend_line([table], rates, epochs=epochs, momentum=momentum, criteria=criteria)
    trapped = run["trapped"][0]
    order = np.argsort(rates)
    first = rates[order][np.argmax(trapped[order])] if trapped.any() else np.nan
    return {"lr": rates, "regime": run["regime"][0], "trapped": trapped, "critical": float(first),
            "table": table, "left_grid": bool(run["left_grid"].any())}
