"""Gradient descent on the scale parameter r (plain, heavy-ball momentum or Adam), recorded.

Gradients come from one of three sources:

* ``a=None``: the sharp-limit closed form (:func:`reduced.sharp_gradient`);
* ``a`` given, ``gradient="exact"``: the exact finite-confidence gradient
  (:func:`reduced.loss_and_grad`), continuous or discrete (``dt``);
* ``a`` given, ``gradient="table"``: the same landscape tabulated once on a fine grid of r
  (:class:`~analysis.descent.tables.GradientTable`) and interpolated, which makes long sweeps cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from reduced.validation import convention_argument, positive_int

from ..optimizers import ADAM_DEFAULTS, initial_state, step
from ..store import check_memory
from .problem import DescentProblem
from .tables import gradient_source, kernel_landscape


@dataclass(frozen=True)
class Descent:
    """Histories of a batch of gradient-descent runs (axis 0: record index).

    Attributes
    ----------
    epochs : ndarray
        The recorded epochs (0 is the start).
    r : ndarray
        r, L(r) and dL/dr at each recorded epoch, shape (n_records, *batch_shape).
    loss : ndarray
        r, L(r) and dL/dr at each recorded epoch, shape (n_records, *batch_shape).
    grad : ndarray
        r, L(r) and dL/dr at each recorded epoch, shape (n_records, *batch_shape).
    r_min : ndarray
        Per run: the minimiser of the loss.
    r_zone : ndarray
        Per run: the no-learning boundary r*/4.
    loss_min : ndarray
        Per run: L(r_min).
    zone_loss : ndarray
        Per run: the plateau loss in the zone (L(0) at finite a).
    slope_scale : ndarray
        Per run: the sharp slope just above r* (the unit of the gradient floor).
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
    if gradient not in ("exact", "table"):
        raise ValueError(f"gradient must be 'exact' or 'table', got {gradient!r}")
    problem = DescentProblem.build(r0, eta, T, epochs, a=a, x_star=x_star, dt=dt, normalized=normalized,
                                   optimizer=optimizer, momentum=momentum, adam=adam)
    return run_descent(problem, record_every=record_every, gradient=gradient, backend=backend)


def run_descent(problem: DescentProblem, *, record_every: int = 1, gradient: str = "exact",
                backend: str = "auto") -> Descent:
    """:func:`descend` on a validated :class:`DescentProblem` (the arguments are those of :func:`descend`)."""
    record_every = positive_int(record_every, "record_every")
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"backend must be 'auto', 'numba' or 'numpy', got {backend!r}")
    p = problem
    compiled = p.a is None or gradient == "table"
    if backend == "numba" and not compiled:
        raise ValueError("backend='numba' needs the sharp limit (a=None) or gradient='table'")
    check_memory(3 * 8 * max(1, int(np.prod(p.shape))) * (p.epochs // record_every + 2),
                 "descend's recorded history (raise record_every or lower epochs)")
    recorded = np.unique(np.append(np.arange(0, p.epochs + 1, record_every), p.epochs))
    if compiled and backend != "numpy":
        hist = _compiled_history(p, recorded)
    else:
        source = gradient_source(p.T, p.a, p.x_star, p.dt, p.normalized, gradient)
        hist = _numpy_history(source, p.r0, p.eta, p.momentum, p.r_zone, p.spec, recorded)
    return Descent(recorded, hist["r"], hist["loss"], hist["grad"], p.r_min,
                   np.asarray(p.r_zone), np.asarray(p.loss_min), np.asarray(p.zone_loss), np.asarray(p.slope_scale))


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


def _compiled_history(p: DescentProblem, recorded) -> dict:
    from . import _kernels  # numba loads only when a compiled path runs

    flat = {k: np.ascontiguousarray(v, dtype=float).ravel()
            for k, v in dict(r0=p.r0, eta=p.eta, mu=p.momentum, T=p.T).items()}
    mode, index, grids, losses, grads = kernel_landscape(p.T, p.a, p.x_star, p.dt, p.normalized, p.shape)
    out = {name: np.empty((recorded.size, flat["r0"].size)) for name in ("r", "loss", "grad")}
    spec = p.spec
    _kernels.history(flat["r0"], flat["eta"], flat["mu"], flat["T"], p.normalized, index, mode, grids, losses, grads,
                     spec.code, spec.b1, spec.b2, spec.eps, recorded.astype(np.int64),
                     out["r"], out["loss"], out["grad"])
    return {name: v.reshape((recorded.size, *p.shape)) for name, v in out.items()}
