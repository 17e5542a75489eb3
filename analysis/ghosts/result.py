"""The result of a search: :class:`SlowPoints`, one entry per distinct slow point."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KINDS = ("fixed point", "ghost", "slow point")


@dataclass(frozen=True)
class SlowPoints:
    """Distinct slow points of a flow, one entry per point (arrays along axis 0).

    Attributes
    ----------
    kind : ndarray of str
        "fixed point", "ghost" or "slow point".
    x : ndarray, shape (points, n)
    speed : ndarray
        |F(x)|.
    eigenvalues : ndarray of complex, shape (points, n)
        Of the Jacobian, sorted by increasing |lambda| (the slow one first).
    stability : ndarray of str
        For fixed points: "stable", "unstable" or "saddle" (by the real parts); "" otherwise.
    r_eff, passage_time, A, c0 : ndarray
        The local normal form s' = c0 + lambda s + A s^2 (see the module docstring) and
        r_eff = A c0 - lambda^2/4, passage time pi / sqrt(r_eff); NaN where the point is not a ghost.
    slow_vector, left_vector : ndarray, shape (points, n)
        v (unit length) and w (w.v = 1) of the slow eigenvalue; NaN for fixed points.
    unconverged : ndarray of int
        Indices of the starts whose search ran away or did not converge.
    field_scale : float
        The speed scale used for the fixed-point tolerance.
    """

    kind: np.ndarray
    x: np.ndarray
    speed: np.ndarray
    eigenvalues: np.ndarray
    stability: np.ndarray
    r_eff: np.ndarray
    passage_time: np.ndarray
    A: np.ndarray
    c0: np.ndarray
    slow_vector: np.ndarray
    left_vector: np.ndarray
    unconverged: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    field_scale: float = 1.0

    def __len__(self) -> int:
        return len(self.kind)

    def select(self, kind: str) -> SlowPoints:
        """The points of one kind."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        mask = self.kind == kind
        values = {name: getattr(self, name)[mask] for name in
                  ("kind", "x", "speed", "eigenvalues", "stability", "r_eff", "passage_time", "A", "c0",
                   "slow_vector", "left_vector")}
        return SlowPoints(**values, unconverged=self.unconverged, field_scale=self.field_scale)

    @property
    def ghosts(self) -> SlowPoints:
        return self.select("ghost")

    @property
    def fixed_points(self) -> SlowPoints:
        return self.select("fixed point")
