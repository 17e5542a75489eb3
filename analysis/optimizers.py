"""The optimisers that move r: plain gradient descent, heavy-ball momentum and Adam.

The update rules are those of optax (and PyTorch), so that the reduced model and the networks
of :mod:`analysis.networks` are trained by the same rules:

* ``"sgd"``: r <- r - eta g.
* ``"momentum"``: v <- mu v + g, r <- r - eta v (heavy ball, v_0 = 0; ``optax.sgd`` with
  ``momentum=mu``, ``torch.optim.SGD`` with ``momentum=mu``).
* ``"adam"``: m <- b1 m + (1 - b1) g, s <- b2 s + (1 - b2) g^2, r <- r - eta m_hat / (sqrt(s_hat) + eps)
  with the bias corrections m_hat = m / (1 - b1^k), s_hat = s / (1 - b2^k) at step k = 1, 2, ...
  (``optax.adam``).

:func:`step` is the vectorised numpy reference; the compiled kernels of
:mod:`analysis._kernels` implement the same rules and are tested against it, and it against
optax itself.

Units. Heavy-ball momentum keeps the sharp-limit map universal in rho = r / r*: with
u = v / (pi / (4 T r*^(3/2))) the pair (rho, u) obeys u' = mu u + sign(rho - 1) rho^(-3/2),
rho' = rho - beta u', beta = eta / eta_0 (:func:`reduced.symbolic.momentum_map`), so its
critical rate is beta_c(mu) eta_0(T): the same power of T as plain descent. Adam divides the
gradient by its own running scale, so its step is about eta in units of r whatever the
gradient's size; its critical rate is a number times r* (exponent -2 in T, in both loss
conventions), up to the tiny eps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")
SGD, MOMENTUM, ADAM = range(len(OPTIMIZERS))
ADAM_DEFAULTS = (0.9, 0.999, 1e-8)  # optax.adam's b1, b2, eps


@dataclass(frozen=True)
class OptimizerSpec:
    """A validated optimiser: its kind and Adam's constants (momentum is a per-run array)."""

    name: str
    b1: float
    b2: float
    eps: float

    @property
    def code(self) -> int:
        return OPTIMIZERS.index(self.name)


def optimizer_spec(optimizer: str, adam: tuple[float, float, float] = ADAM_DEFAULTS) -> OptimizerSpec:
    """Check ``optimizer`` (one of :data:`OPTIMIZERS`) and Adam's (b1, b2, eps)."""
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    try:
        b1, b2, eps = (float(v) for v in adam)
    except (TypeError, ValueError):
        raise ValueError(f"adam must be a tuple (b1, b2, eps) of numbers, got {adam!r}") from None
    if not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise ValueError(f"adam's b1 and b2 must lie in [0, 1), got {b1!r} and {b2!r}")
    if not (np.isfinite(eps) and eps > 0):  # eps = 0 would make 0 / 0 where the gradient vanishes
        raise ValueError(f"adam's eps must be a finite number > 0, got {eps!r}")
    return OptimizerSpec(optimizer, b1, b2, eps)


def check_momentum(momentum) -> np.ndarray:
    """The momentum coefficient(s) as a float array, each in [0, 1)."""
    if isinstance(momentum, (bool, np.bool_, str)):
        raise ValueError(f"momentum must be a number (or array) in [0, 1), got {momentum!r}")
    try:
        mu = np.asarray(momentum, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"momentum must be a number (or array) in [0, 1), got {momentum!r}") from None
    if mu.size == 0:
        raise ValueError("momentum must not be empty")
    if not np.all((mu >= 0) & (mu < 1)):  # also refuses NaN
        raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")
    return mu


def initial_state(shape: tuple) -> tuple:
    """Zero optimiser state: (velocity or first moment, second moment, b1^k, b2^k) at k = 0."""
    return np.zeros(shape), np.zeros(shape), 1.0, 1.0


def step(spec: OptimizerSpec, grad, state: tuple, eta, momentum) -> tuple:
    """One update: returns (delta r, new state); the new r is r - delta.

    The vectorised numpy reference of the compiled kernels' update (``analysis._kernels``),
    operation for operation, so that the two agree to the last bit. Adam's powers b^k are
    running products, as there.
    """
    first, second, power1, power2 = state
    power1, power2 = power1 * spec.b1, power2 * spec.b2
    if spec.name == "sgd":
        return eta * grad, (first, second, power1, power2)
    if spec.name == "momentum":
        first = momentum * first + grad
        return eta * first, (first, second, power1, power2)
    first = spec.b1 * first + (1 - spec.b1) * grad
    second = spec.b2 * second + (1 - spec.b2) * grad * grad
    delta = eta * (first / (1 - power1)) / (np.sqrt(second / (1 - power2)) + spec.eps)
    return delta, (first, second, power1, power2)
