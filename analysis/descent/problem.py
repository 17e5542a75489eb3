"""A descent problem on r, validated once: the arrays, the optimiser and the landscape constants.

:func:`analysis.descend`, :func:`analysis.summarize_runs`, :func:`analysis.critical_learning_rate_numeric`
and the phase diagrams' chunks all start from a :class:`DescentProblem`, so that one argument is
checked, broadcast and turned into landscape constants in one place, with one message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from reduced.validation import broadcast, finite, positive, positive_int

from ..optimizers import ADAM_DEFAULTS, OptimizerSpec, check_momentum, optimizer_spec
from .tables import landscape_constants


def checked_arrays(spec: OptimizerSpec, *, momentum=0.9, a=None, x_star=None, **named) -> dict:
    """Validate and broadcast the arrays of a sweep: ``named`` (each checked by its own rule), the
    momentum (``"momentum"`` only), ``a`` and ``x_star`` (finite confidence only).

    ``named`` maps a name to ``(value, check)`` with ``check`` one of :func:`finite` and
    :func:`positive`. An empty array is refused: a sweep needs at least one value.
    """
    arrays = {name: check(value, name) for name, (value, check) in named.items()}
    if spec.name == "momentum":
        arrays["momentum"] = check_momentum(momentum)
    if a is not None:
        arrays["a"] = positive(a, "a")
        if x_star is not None:
            arrays["x_star"] = positive(x_star, "x_star")
    for name, value in arrays.items():
        if value.size == 0:
            raise ValueError(f"{name} must not be empty: a sweep needs at least one value")
    return dict(zip(arrays, broadcast(**arrays), strict=True))


@dataclass(frozen=True)
class DescentProblem:
    """Broadcast runs of descent on r: what :func:`~analysis.descend` and the kernels take.

    Attributes
    ----------
    r0, eta, T, momentum : ndarray
        Per run, broadcast to :attr:`shape` (``momentum`` is 0 unless the optimiser is
        ``"momentum"``).
    a : ndarray or None
        Output confidence and threshold per run; None in the sharp limit.
    x_star : ndarray or None
        Output confidence and threshold per run; None in the sharp limit.
    epochs : int
    dt : float or None
        Euler step of the discrete landscape; None for continuous time.
    normalized : bool
    spec : OptimizerSpec
    r_min : ndarray
        The landscape constants of each run (see :func:`.tables.landscape_constants`).
    r_zone : ndarray
        The landscape constants of each run (see :func:`.tables.landscape_constants`).
    loss_min : ndarray
        The landscape constants of each run (see :func:`.tables.landscape_constants`).
    zone_loss : ndarray
        The landscape constants of each run (see :func:`.tables.landscape_constants`).
    slope_scale : ndarray
        The landscape constants of each run (see :func:`.tables.landscape_constants`).
    """

    r0: np.ndarray
    eta: np.ndarray
    T: np.ndarray
    momentum: np.ndarray
    a: np.ndarray | None
    x_star: np.ndarray | None
    epochs: int
    dt: float | None
    normalized: bool
    spec: OptimizerSpec
    r_min: np.ndarray
    r_zone: np.ndarray
    loss_min: np.ndarray
    zone_loss: np.ndarray
    slope_scale: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.r0.shape

    @classmethod
    def build(
        cls,
        r0: ArrayLike,
        eta: ArrayLike,
        T: ArrayLike,
        epochs: int,
        *,
        a: ArrayLike | None = None,
        x_star: ArrayLike = 10.0,
        dt: float | None = None,
        normalized: bool = True,
        optimizer: str = "sgd",
        momentum: ArrayLike = 0.9,
        adam: tuple[float, float, float] = ADAM_DEFAULTS,
    ) -> DescentProblem:
        """Check every argument (ValueError naming it) and broadcast the runs.

        Parameters are those of :func:`analysis.descend`; ``normalized`` must already be a bool
        (the public functions accept the convention's names and convert them).
        """
        spec = optimizer_spec(optimizer, adam)
        arrays = checked_arrays(spec, momentum=momentum, a=a, x_star=x_star,
                                r0=(r0, finite), eta=(eta, positive), T=(T, positive))
        epochs = positive_int(epochs, "epochs")
        shape = np.broadcast_shapes(*(np.shape(v) for v in arrays.values()))
        r0, eta, T = (np.broadcast_to(arrays[k], shape).astype(float) for k in ("r0", "eta", "T"))
        mu = np.broadcast_to(arrays.get("momentum", np.zeros(())), shape)
        a_arr, xs = arrays.get("a"), arrays.get("x_star")
        constants = landscape_constants(T, a_arr, xs, dt, normalized)
        return cls(r0, eta, T, mu, a_arr, xs, epochs, dt, bool(normalized), spec, *constants)

    def with_eta(self, eta: ArrayLike) -> DescentProblem:
        """The same runs at other learning rates, broadcast to the same shape (a scan's next grid)."""
        eta = positive(eta, "eta")
        try:
            eta = np.broadcast_to(eta, self.shape).astype(float)
        except ValueError:
            raise ValueError(f"eta of shape {np.shape(eta)} does not broadcast to the problem's runs "
                             f"{self.shape}") from None
        return replace(self, eta=eta)
