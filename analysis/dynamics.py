"""Learning dynamics of the scale parameter r: gradient descent and gradient flow.

Gradients come from one of three sources:

* ``a=None``: the sharp-limit closed form (:func:`reduced.sharp_gradient`);
* ``a`` given, ``gradient="exact"``: the exact finite-confidence gradient
  (:func:`reduced.loss_and_grad`), continuous or discrete (``dt``);
* ``a`` given, ``gradient="table"``: the same landscape tabulated once on a fine grid of r
  (:class:`GradientTable`) and interpolated, which makes long sweeps cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp

from reduced import loss_and_grad, minimum, optimal_r, switch_optimum
from reduced._validation import broadcast, convention_argument, finite, positive, positive_int
from reduced.closed_forms import sharp_loss_and_gradient_unchecked

from .optimizers import ADAM_DEFAULTS, check_momentum, initial_state, optimizer_spec, step
from .regimes import Criteria, WindowStats, amplitude, decide, window_stats

_BASE_GRID = np.linspace(-3.0, 12.0, 10001)  # r / r*: the region GD visits from rho0 <= 12
_FAR_GRID = np.geomspace(12.0, 5e3, 1201)[1:]
_KINK_POINTS = np.linspace(-80.0, 80.0, 1601)  # in units of the switch width around each kink


# ---------------------------------------------------------------------------------------
# Tabulated finite-confidence landscape
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GradientTable:
    """L(r) and dL/dr tabulated for one (T, a, x*, dt, convention), for fast lookups.

    The grid in rho = r/r* is uniform on [-3, 12] (spacing 0.0015), geometric up to 5000,
    and refined (1601 points over +-80 switch widths) around the two smoothed kinks: the
    minimum r_x (t_s = T) and the zone edge (t_s = 2T). Lookups interpolate linearly and
    clamp outside the grid.
    """

    T: float
    a: float
    x_star: float
    dt: float | None
    normalized: bool
    r: np.ndarray
    loss: np.ndarray
    grad: np.ndarray

    @classmethod
    def build(cls, T: float, a: float, *, x_star: float = 10.0, dt: float | None = None, normalized: bool = True):
        """Tabulate the exact landscape (about 10^4 evaluations of :func:`loss_and_grad`)."""
        T = float(positive(T, "T"))
        a = float(positive(a, "a"))
        x_star = float(positive(x_star, "x_star"))
        r_star = optimal_r(T)
        pieces = [_BASE_GRID, _FAR_GRID]
        for delay in (T, 2 * T):
            r_kink = switch_optimum(delay, x_star)
            width = 2 * r_kink / (delay * a * (x_star**2 + r_kink))
            pieces.append((r_kink + width * _KINK_POINTS) / r_star)
        rho = np.unique(np.concatenate(pieces))
        r = rho * r_star
        loss, grad = loss_and_grad(r, T, a=a, x_star=x_star, dt=dt, normalized=normalized)
        return cls(T, a, x_star, dt, normalized, r, np.asarray(loss), np.asarray(grad))

    def __call__(self, r: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Interpolated (loss, gradient) at r."""
        r = np.asarray(r, dtype=float)
        return np.interp(r, self.r, self.loss), np.interp(r, self.r, self.grad)


# ---------------------------------------------------------------------------------------
# Gradient descent, recorded
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Descent:
    """Histories of a batch of gradient-descent runs (axis 0: record index).

    Attributes
    ----------
    epochs : ndarray
        The recorded epochs (0 is the start).
    r, loss, grad : ndarray
        r, L(r) and dL/dr at each recorded epoch, shape (n_records, *batch_shape).
    r_min, r_zone, loss_min, zone_loss, slope_scale : ndarray
        Per run: the minimiser, the no-learning boundary r*/4, L(r_min), the plateau loss
        in the zone (L(0) at finite a) and the sharp slope just above r* (the unit of the
        gradient floor).
    """

    epochs: np.ndarray
    r: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    r_min: np.ndarray
    r_zone: np.ndarray
    loss_min: np.ndarray
    zone_loss: np.ndarray
    slope_scale: np.ndarray

    @property
    def final_r(self) -> np.ndarray:
        return self.r[-1]

    @property
    def final_loss(self) -> np.ndarray:
        return self.loss[-1]

    def to_xarray(self, dims: tuple[str, ...] | None = None, coords: dict | None = None):
        """The histories as an ``xarray.Dataset`` over ("epoch", *dims).

        Parameters
        ----------
        dims : tuple of str, optional
            Names of the batch axes (default "run_0", "run_1", ...), one per axis of the batch.
        coords : dict, optional
            Coordinates for those axes, e.g. ``{"eta": eta}``.

        Examples
        --------
        >>> import numpy as np
        >>> from analysis import descend
        >>> from reduced import critical_learning_rate, optimal_r
        >>> eta = np.array([0.5, 1.2]) * critical_learning_rate(50.0)
        >>> ds = descend(10 * optimal_r(50.0), eta, 50.0, 400, record_every=100).to_xarray(("eta",), {"eta": eta})
        >>> ds.loss.dims, ds.epoch.values.tolist()
        (('epoch', 'eta'), [0, 100, 200, 300, 400])
        """
        import xarray as xr

        batch = self.r.shape[1:]
        dims = tuple(f"run_{k}" for k in range(len(batch))) if dims is None else tuple(dims)
        if len(dims) != len(batch) or len(set(dims)) != len(dims) or "epoch" in dims:
            raise ValueError(f"dims must name the {len(batch)} batch axes of shape {batch} with distinct "
                             f"names other than 'epoch', got {dims!r}")
        per_run = {name: (dims, np.broadcast_to(getattr(self, name), batch))
                   for name in ("r_min", "r_zone", "loss_min", "zone_loss", "slope_scale")}
        history = {name: (("epoch", *dims), getattr(self, name)) for name in ("r", "loss", "grad")}
        ds = xr.Dataset(history | per_run, coords={"epoch": self.epochs} | dict(coords or {}))
        ds.r.attrs["long_name"] = "scale parameter r"
        ds.loss.attrs["long_name"] = "loss L(r)"
        ds.grad.attrs["long_name"] = "dL/dr"
        return ds


@lru_cache(maxsize=256)
def _cached_table(T: float, a: float, x_star: float, dt: float | None, normalized: bool) -> GradientTable:
    # Sweeps and bisections ask for the same few landscapes again and again.
    return GradientTable.build(T, a, x_star=x_star, dt=dt, normalized=normalized)


@lru_cache(maxsize=1024)
def _cached_minimum(T: float, a: float, x_star: float, dt: float | None, normalized: bool) -> tuple:
    """(r_min, L(r_min), L(0)) of one finite-confidence landscape."""
    m = minimum(T, a, x_star=x_star, dt=dt, normalized=normalized)
    plateau = loss_and_grad(0.0, T, a=a, x_star=x_star, dt=dt, normalized=normalized)[0]
    return float(m.r_min), float(m.loss), float(plateau)


def _per_landscape(fn, T, a, x_star, dt, normalized) -> tuple[list, np.ndarray]:
    """Evaluate ``fn`` once per distinct (T, a, x*) of the batch; return values and run index."""
    keys = np.stack(np.broadcast_arrays(T, a, x_star), axis=-1).reshape(-1, 3)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    values = [fn(float(t), float(aa), float(xs), dt, normalized) for t, aa, xs in unique]
    return values, inverse.reshape(np.broadcast_shapes(T.shape, a.shape, x_star.shape))


def _landscape_constants(T, a, x_star, dt, normalized):
    """r_min, r_zone, L(r_min), plateau loss and slope scale per run (broadcast arrays)."""
    r_star = np.pi**2 / (4 * T**2)
    per_T = 1 / T if normalized else np.ones_like(T)
    slope_scale = np.pi / (4 * r_star**1.5) * per_T
    if a is None:
        r_min, loss_min, zone_loss = np.array(r_star, dtype=float), np.zeros_like(T), T * per_T
    else:
        values, index = _per_landscape(_cached_minimum, T, a, x_star, dt, normalized)
        r_min, loss_min, zone_loss = (np.asarray(v)[index] for v in zip(*values, strict=True))
    return r_min, r_star / 4, loss_min, zone_loss, slope_scale


def _gradient_source(T, a, x_star, dt, normalized, gradient):
    """A function r -> (loss, grad) for the whole batch."""
    if a is None:
        return lambda r: sharp_loss_and_gradient_unchecked(r, T, normalized)
    if gradient == "exact":
        return lambda r: tuple(
            np.asarray(v) for v in loss_and_grad(r, T, a=a, x_star=x_star, dt=dt, normalized=normalized)
        )
    tables = _tables_for(T, a, x_star, dt, normalized)
    index = tables.index

    def lookup(r):
        loss = np.empty_like(r)
        grad = np.empty_like(r)
        for k, table in enumerate(tables.tables):
            mask = index == k
            loss[mask], grad[mask] = table(r[mask])
        return loss, grad

    return lookup


@dataclass(frozen=True)
class _Tables:
    tables: list
    index: np.ndarray  # per run, which table


def _tables_for(T, a, x_star, dt, normalized) -> _Tables:
    """One GradientTable per distinct (T, a, x*) in the batch."""
    tables, index = _per_landscape(_cached_table, T, a, x_star, dt, normalized)
    return _Tables(tables, index)


def _validate_descent(r0, eta, T, epochs, a, x_star, gradient, optimizer="sgd", momentum=0.9, adam=ADAM_DEFAULTS):
    """Checked, broadcast arrays (r0, eta, T, [momentum], [a, x_star]), epochs and the optimiser."""
    if gradient not in ("exact", "table"):
        raise ValueError(f"gradient must be 'exact' or 'table', got {gradient!r}")
    spec = optimizer_spec(optimizer, adam)
    arrays = dict(r0=finite(r0, "r0"), eta=positive(eta, "eta"), T=positive(T, "T"))
    if spec.name == "momentum":
        arrays["momentum"] = check_momentum(momentum)
    if a is not None:
        arrays["a"] = positive(a, "a")
        arrays["x_star"] = positive(x_star, "x_star")
    for name, value in arrays.items():
        if value.size == 0:
            raise ValueError(f"{name} must not be empty")
    out = dict(zip(arrays, broadcast(**arrays), strict=True))
    out.setdefault("momentum", np.zeros(()))
    return out, positive_int(epochs, "epochs"), spec


@convention_argument
def descend(
    r0: ArrayLike,
    eta: ArrayLike,
    T: ArrayLike,
    epochs: int,
    *,
    a: ArrayLike | None = None,
    x_star: ArrayLike = 10.0,
    dt: float | None = None,
    normalized: bool = True,
    record_every: int = 1,
    gradient: str = "exact",
    optimizer: str = "sgd",
    momentum: ArrayLike = 0.9,
    adam: tuple[float, float, float] = ADAM_DEFAULTS,
    backend: str = "auto",
) -> Descent:
    """Gradient descent on r (plain, heavy-ball momentum or Adam), recorded every few epochs.

    Parameters
    ----------
    r0 : array_like
        Initial r, finite.
    eta : array_like
        Learning rate, in (0, inf).
    T : array_like
        Delay, in (0, inf).
    epochs : int
        Number of steps, >= 1.
    a : array_like or None, optional
        Output confidence; None (default) uses the sharp-limit gradient.
    x_star : array_like, optional
        Readout threshold (finite a only). Default 10.
    dt : float or None, optional
        Euler step of the discrete model (finite a only); None for continuous time.
    normalized : bool or {"normalized", "integral"}, optional
        Loss convention.
    record_every : int, optional
        Record stride; the last epoch is always recorded. Memory is
        O(epochs / record_every * n_runs).
    gradient : {"exact", "table"}, optional
        Finite a only: the exact gradient at every step, or a :class:`GradientTable`.
    optimizer : {"sgd", "momentum", "adam"}, optional
        The update rule (:mod:`analysis.optimizers`; optax's conventions). Default plain descent
        r_{k+1} = r_k - eta dL/dr(r_k).
    momentum : array_like, optional
        Heavy-ball coefficient(s) in [0, 1), broadcast with the other arrays (``"momentum"``
        only). Default 0.9, as in the companion study.
    adam : (float, float, float), optional
        Adam's (b1, b2, eps); default optax's (0.9, 0.999, 1e-8).
    backend : {"auto", "numba", "numpy"}, optional
        ``"numba"``: the compiled kernel (sharp limit or ``gradient="table"``), about 100x
        faster per run-epoch than the numpy loop; ``"numpy"``: the plain loop, the reference
        the kernel is tested against, and the only path for ``gradient="exact"`` at finite a.
        ``"auto"`` (default) takes the kernel where it applies.

    Returns
    -------
    Descent
        See :meth:`Descent.to_xarray` for a labelled view.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis import descend
    >>> from reduced import critical_learning_rate, optimal_r
    >>> T = 100.0
    >>> run = descend(10 * optimal_r(T), np.array([0.5, 1.2]) * critical_learning_rate(T), T, 2000, record_every=100)
    >>> bool(run.final_loss[0] < 0.2), float(run.final_loss[1])  # below eta_c it learns; above, trapped
    (True, 1.0)
    """
    arrays, epochs, spec = _validate_descent(r0, eta, T, epochs, a, x_star, gradient, optimizer, momentum, adam)
    record_every = positive_int(record_every, "record_every")
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend must be 'auto', 'numba' or 'numpy', got {backend!r}")
    compiled = a is None or gradient == "table"
    if backend == "numba" and not compiled:
        raise ValueError("backend='numba' needs the sharp limit (a=None) or gradient='table'")
    shape = np.broadcast_shapes(*(np.shape(v) for v in arrays.values()))
    r0, eta, T = (np.broadcast_to(arrays[k], shape).astype(float) for k in ("r0", "eta", "T"))
    mu = np.broadcast_to(arrays["momentum"], shape)
    a_arr = arrays.get("a")
    xs = arrays.get("x_star")
    r_min, r_zone, loss_min, zone_loss, slope_scale = _landscape_constants(T, a_arr, xs, dt, normalized)

    from .chunks import check_memory

    check_memory(3 * 8 * max(1, int(np.prod(shape))) * (epochs // record_every + 2),
                 "descend's recorded history (raise record_every or lower epochs)")
    recorded = np.unique(np.append(np.arange(0, epochs + 1, record_every), epochs))
    if compiled and backend != "numpy":
        hist = _compiled_history(r0, eta, mu, T, a_arr, xs, dt, normalized, spec, recorded)
    else:
        source = _gradient_source(T, a_arr, xs, dt, normalized, gradient)
        hist = _numpy_history(source, r0, eta, mu, r_zone, spec, recorded)
    return Descent(recorded, hist["r"], hist["loss"], hist["grad"], r_min,
                   np.asarray(r_zone), np.asarray(loss_min), np.asarray(zone_loss), np.asarray(slope_scale))


def _numpy_history(source, r, eta, mu, r_zone, spec, recorded) -> dict:
    """The reference loop: all runs advanced together, one Python iteration per epoch."""
    hist = {name: np.empty((recorded.size, *r.shape)) for name in ("r", "loss", "grad")}
    alive = np.ones(r.shape, bool)
    state = initial_state(r.shape)
    loss, grad = source(r)
    slot = 0
    epochs = int(recorded[-1])
    for k in range(epochs + 1):
        if k == recorded[slot]:
            hist["r"][slot], hist["loss"][slot], hist["grad"][slot] = r, loss, grad
            slot += 1
        if k == epochs:
            break
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is caught below: the run diverged
            delta, state = step(spec, grad, state, eta, mu)
            r = np.where(alive, r - delta, r)
        alive &= np.isfinite(r)
        if not alive.all():  # a non-finite run is frozen as NaN and reported as diverged
            r = np.where(alive, r, np.nan)
        loss, grad = source(np.where(alive, r, r_zone))
        loss, grad = np.where(alive, loss, np.nan), np.where(alive, grad, np.nan)
    return hist


def _compiled_history(r0, eta, mu, T, a, x_star, dt, normalized, spec, recorded) -> dict:
    from . import _kernels

    flat = {k: np.ascontiguousarray(v, dtype=float).ravel() for k, v in dict(r0=r0, eta=eta, mu=mu, T=T).items()}
    mode, index, grids, losses, grads = kernel_landscape(T, a, x_star, dt, normalized, r0.shape)
    out = {name: np.empty((recorded.size, flat["r0"].size)) for name in ("r", "loss", "grad")}
    _kernels.history(flat["r0"], flat["eta"], flat["mu"], flat["T"], normalized, index, mode, grids, losses, grads,
                     spec.code, spec.b1, spec.b2, spec.eps, recorded.astype(np.int64),
                     out["r"], out["loss"], out["grad"])
    return {name: v.reshape((recorded.size, *r0.shape)) for name, v in out.items()}


def kernel_landscape(T, a, x_star, dt, normalized, shape):
    """(mode, per-run table index, grids, losses, grads): the landscape as the kernels take it."""
    from . import _kernels

    size = int(np.prod(shape))
    if a is None:
        return _kernels.SHARP, np.zeros(size, np.int64), *(np.zeros((1, 2)),) * 3
    tables = _tables_for(T, a, x_star, dt, normalized)
    index = np.ascontiguousarray(np.broadcast_to(tables.index, shape), dtype=np.int64).ravel()
    return _kernels.TABLE, index, *_stack_tables(tables.tables)


def _stack_tables(tables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack tables of possibly different lengths, padding each with its last entry."""
    n = max(t.r.size for t in tables)

    def pad(v):
        return np.concatenate([v, np.full(n - v.size, v[-1])])

    return tuple(np.ascontiguousarray(np.stack([pad(getattr(t, k)) for t in tables])) for k in ("r", "loss", "grad"))


# ---------------------------------------------------------------------------------------
# Run summaries: regime and abrupt-learning statistics
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunSummary:
    """Per-run outcome: regime code (see :data:`REGIMES`), amplitude and statistics."""

    regime: np.ndarray
    amplitude: np.ndarray
    final_r: np.ndarray
    final_loss: np.ndarray
    stats: WindowStats


def classify(run: Descent, criteria: Criteria | None = None) -> RunSummary:
    """Classify each run of a :class:`Descent` and report its abrupt-learning statistics.

    With ``record_every > 1`` the statistics are computed on the recorded epochs only.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis import REGIMES, classify, descend
    >>> from reduced import critical_learning_rate, optimal_r
    >>> T = 50.0
    >>> run = descend(10 * optimal_r(T), np.array([0.01, 0.6, 1.2]) * critical_learning_rate(T), T, 5000)
    >>> [REGIMES[c] for c in classify(run).regime]  # too slow to arrive, bouncing about r*, trapped
    ['descending', 'oscillating', 'trapped']
    """
    criteria = criteria or Criteria()
    learn_level = criteria.learn_level(run.loss_min, run.zone_loss)
    stats = window_stats(run.r, run.loss, run.grad, run.epochs, run.r_min, learn_level, criteria)
    regime = decide(stats, run.r_min, run.r_zone, run.zone_loss, run.slope_scale, criteria)
    return RunSummary(regime, amplitude(stats, run.r_min), run.final_r, run.final_loss, stats)


# ---------------------------------------------------------------------------------------
# Gradient flow
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flow:
    """Solution of the gradient flow dr/dtau = -dL/dr.

    Attributes
    ----------
    tau, r : ndarray
        The dense solution on the requested times (the flow stops at r*, where it stays).
    tau_at_r_star : float
        The time at which r* is reached (inf if never within the horizon).
    tau_at_zone : float
        The time at which r*/4 is reached (inf if never).
    """

    tau: np.ndarray
    r: np.ndarray
    tau_at_r_star: float
    tau_at_zone: float


@convention_argument
def gradient_flow(
    r0: float,
    T: float,
    tau: ArrayLike,
    *,
    a: float | None = None,
    x_star: float = 10.0,
    normalized: bool = True,
    rtol: float = 1e-12,
) -> Flow:
    """Integrate dr/dtau = -dL/dr with ``solve_ivp``, with events at r* and r*/4.

    In the sharp case the right-hand side switches sign at r*, so the flow is integrated on
    the branch that points towards r* and stopped there (it stays at the kink). With finite
    ``a`` the smooth exact gradient is used and the flow approaches r_min.

    Examples
    --------
    >>> from analysis import gradient_flow
    >>> from reduced import gradient_flow_time, optimal_r
    >>> flow = gradient_flow(5 * optimal_r(40.0), 40.0, [0.0, 1.0])
    >>> abs(flow.tau_at_r_star / gradient_flow_time(5 * optimal_r(40.0), 40.0) - 1) < 1e-8
    True
    """
    r0 = float(finite(r0, "r0"))
    T = float(positive(T, "T"))
    tau = np.atleast_1d(finite(tau, "tau"))
    if tau.size == 0 or np.any(tau < 0) or np.any(np.diff(tau) < 0):
        raise ValueError("tau must be a non-empty, non-decreasing array of times >= 0")
    r_star = optimal_r(T)
    side = np.sign(r0 - r_star)
    if a is None:
        def rhs(_, y):
            grad = sharp_loss_and_gradient_unchecked(np.asarray(y), np.asarray(T), normalized)[1]
            return -side * np.abs(grad)
    else:
        def rhs(_, y):
            return -np.asarray(loss_and_grad(y[0], T, a=a, x_star=x_star, normalized=normalized)[1]).reshape(1)

    def at_r_star(_, y):
        return y[0] - r_star

    def at_zone(_, y):
        return y[0] - r_star / 4

    at_r_star.terminal = a is None
    horizon = float(tau[-1])
    if side == 0 or (a is None and r0 <= r_star / 4):  # at the optimum, or in the zone: no motion
        return Flow(tau, np.full(tau.shape, r0), 0.0 if side == 0 else np.inf, 0.0 if r0 <= r_star / 4 else np.inf)
    # The finite-a flow is stiff near its minimum (L'' ~ a): an implicit method there.
    method = "DOP853" if a is None else "LSODA"
    sol = solve_ivp(rhs, (0.0, horizon), [r0], events=(at_r_star, at_zone), dense_output=True,
                    rtol=rtol, atol=rtol * r_star, method=method)
    t_end = sol.t[-1]
    r_path = np.where(tau <= t_end, sol.sol(np.minimum(tau, t_end))[0], sol.y[0, -1])
    hit_star = sol.t_events[0]
    hit_zone = sol.t_events[1]
    return Flow(
        tau,
        r_path,
        float(hit_star[0]) if hit_star.size else np.inf,
        float(hit_zone[0]) if hit_zone.size else np.inf,
    )
