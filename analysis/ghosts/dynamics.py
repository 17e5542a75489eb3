"""What a search is run on: a flow or a map, with its parameters and its input, said explicitly.

:class:`Flow` (dx/dt = F(x, params, u)) and :class:`Map` (x -> G(x, params, u)) name the kind of
time of a system, carry its parameters (any pytree of arrays: one compiled search serves every
value of them) and the size of its input. The adapters (:func:`analysis.ghosts.from_torch`,
:func:`analysis.ghosts.from_weights`) return them; a user can build one around any JAX function.

Plain functions work too: :func:`analysis.ghosts.find_slow_points` calls them as F(x), F(x, params)
(with ``params=``), F(x, u) (with ``inputs=``) or F(x, params, u) (with both). A system's own
function always takes all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from reduced.validation import finite, positive_int


@dataclass(frozen=True)
class Dynamics:
    """A flow or a map: ``function(x, params, u)`` with its parameters and sizes.

    Attributes
    ----------
    function : callable
        JAX-traceable ``function(x, params, u)``: x of shape (n_state,), u of shape (n_input,)
        (``(0,)`` when the system has no input). It returns dx/dt (a :class:`Flow`) or the next
        state (a :class:`Map`), shape (n_state,). Keep one function object for one architecture:
        the compiled search belongs to it, so new ``params`` compile nothing.
    params : pytree of arrays
        The parameters the function is called with (``()`` for none).
    n_state : int
        Sizes of the state and of the input.
    n_input : int
        Sizes of the state and of the input.
    description : str
        What the system is, for people (e.g. "torch.nn.GRU, 1 layer, 128 units").
    """

    function: Callable
    params: Any = ()
    n_state: int = 1
    n_input: int = 0
    description: str = ""
    time: ClassVar[str] = "continuous"

    def __post_init__(self):
        if not callable(self.function):
            raise ValueError(f"function must be callable, got {self.function!r}")
        positive_int(self.n_state, "n_state")
        positive_int(self.n_input, "n_input", minimum=0)

    def with_params(self, params) -> Dynamics:
        """The same system at other parameters (one network at another checkpoint)."""
        return replace(self, params=params)

    def __call__(self, x, u=None):
        """The field or the next state at x (numpy in, numpy out, float64), input u (zero if None)."""
        import jax
        import jax.numpy as jnp

        with jax.enable_x64(True):
            x = jnp.asarray(x, jnp.float64)
            u = jnp.zeros(self.n_input) if u is None else jnp.asarray(u, jnp.float64)
            return np.asarray(self.function(x, self.params, u))


class Flow(Dynamics):
    """A continuous-time system dx/dt = F(x, params, u); see :class:`Dynamics`.

    Parameters
    ----------
    function : callable
        ``function(x, params, u)``, as for :class:`Dynamics`.
    params : pytree of arrays
        Its parameters (``()`` for none).
    n_state : int
        Sizes of the state and of the input.
    n_input : int
        Sizes of the state and of the input.
    description : str
        What the system is, for people.
    """

    time: ClassVar[str] = "continuous"


class Map(Dynamics):
    """A discrete-time system x_{k+1} = G(x_k, params, u) (one step of an RNN); see :class:`Dynamics`.

    A JAX, Flax or Equinox step is passed as it is, wrapped once (one function object, so that
    every checkpoint reuses the compiled search):

    >>> import jax.numpy as jnp
    >>> from analysis.ghosts import find_slow_points
    >>> def step(params, h, u):                            # the user's own RNN step
    ...     return jnp.tanh(params["W"] @ h + params["U"] @ u + params["b"])
    >>> def G(h, params, u):
    ...     return step(params, h, u)
    >>> weights = {"W": 0.5 * jnp.eye(2), "U": jnp.ones((2, 1)), "b": jnp.zeros(2)}
    >>> found = find_slow_points(Map(G, weights, n_state=2, n_input=1), [[0.1, 0.2]], inputs=[0.0])
    >>> found.stability.tolist(), found.multipliers[0].real.round(6).tolist()
    (['stable'], [0.5, 0.5])

    Parameters
    ----------
    function : callable
        ``function(x, params, u)``, as for :class:`Dynamics`.
    params : pytree of arrays
        Its parameters (``()`` for none).
    n_state : int
        Sizes of the state and of the input.
    n_input : int
        Sizes of the state and of the input.
    description : str
        What the system is, for people.
    """

    time: ClassVar[str] = "discrete"


def constant_inputs(inputs, n_input: int | None, n_starts: int) -> np.ndarray | None:
    """The input of every start, shape (starts, m), from one vector or one per start; None for none.

    ``n_input`` is the system's input size when it is known (a :class:`Dynamics`), else None.
    """
    if inputs is None:  # a system's input is held at zero; a plain function takes none
        return None if n_input is None else np.zeros((n_starts, n_input))
    arr = finite(inputs, "inputs")  # real numbers: no text, flags, NaN or inf
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (n_starts, arr.size))
    if arr.ndim != 2 or arr.shape[0] != n_starts:
        raise ValueError(f"inputs must be one vector, or one row per start (shape ({n_starts}, m)), got shape "
                         f"{np.shape(inputs)}")
    if n_input is not None and arr.shape[1] != n_input:
        raise ValueError(f"inputs must have length {n_input} (the system's input size), got {arr.shape[1]}")
    return np.ascontiguousarray(arr)
