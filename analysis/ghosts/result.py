"""The result of a search: :class:`SlowPoints`, one entry per distinct slow point."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..store import ENGINE, write_netcdf

KINDS = ("fixed point", "ghost", "slow point")
STABILITIES = ("stable", "unstable", "saddle", "marginal", "non-isolated")
TIMES = ("continuous", "discrete")


def stability_label(eigenvalues: np.ndarray, time: str, zero_tol: float) -> str:
    """The stability of a fixed point from its eigenvalues (flow) or multipliers (map).

    Flow (eigenvalues lambda of J): ``"non-isolated"`` when some |lambda| <= ``zero_tol`` (a line
    or ring of fixed points, or a point exactly at a bifurcation); else ``"saddle"`` with real parts
    of both signs beyond ``zero_tol``, ``"unstable"`` with some real part above it and none below
    -``zero_tol``, ``"stable"`` when every real part is below -``zero_tol``, and ``"marginal"``
    otherwise (eigenvalues on the imaginary axis within the tolerance, a centre).

    Map (multipliers mu of dG/dx): the same with |mu| - 1 in place of the real part and
    |mu - 1| in place of |lambda|: stable when every |mu| < 1.

    Parameters
    ----------
    eigenvalues : ndarray
        The eigenvalues of the Jacobian (flow) or the multipliers (map) at the point.
    time : {"continuous", "discrete"}
        A flow or a map.
    zero_tol : float
        The tolerance above.

    Returns
    -------
    str
        "stable", "unstable", "saddle", "marginal" or "non-isolated".
    """
    values = np.asarray(eigenvalues)
    if time == "discrete":
        zero = np.abs(values - 1) <= zero_tol
        growth = np.abs(values) - 1
    else:
        zero = np.abs(values) <= zero_tol
        growth = values.real
    if zero.any():
        return "non-isolated"
    up, down = growth > zero_tol, growth < -zero_tol
    if up.any():
        return "saddle" if down.any() else "unstable"
    return "stable" if down.all() else "marginal"


@dataclass(frozen=True)
class SlowPoints:
    """Distinct slow points of a flow or a map, one entry per point (arrays along axis 0).

    Attributes
    ----------
    kind : ndarray of str
        "fixed point", "ghost" or "slow point".
    x : ndarray, shape (points, n)
    speed : ndarray
        |F(x)| for a flow, |G(x) - x| for a map (the step length).
    eigenvalues : ndarray of complex, shape (points, n)
        Of the Jacobian of F (of G - x for a map), sorted by increasing |lambda| (the slow one
        first). A map's multipliers are ``eigenvalues + 1`` (:attr:`multipliers`).
    stability : ndarray of str
        For fixed points, one of :data:`STABILITIES` (:func:`stability_label`: by the real parts
        of a flow's eigenvalues, by the moduli of a map's multipliers); "" otherwise.
    r_eff, passage_time, A, c0 : ndarray
        The local normal form s' = c0 + lambda s + A s^2 (see :mod:`analysis.ghosts`) and
        r_eff = A c0 - lambda^2/4, passage time pi / sqrt(r_eff); NaN where the point is not a ghost.
        For a map the form is s_{k+1} = s_k + c0 + A s_k^2 and both are in steps.
    slow_vector : ndarray, shape (points, n)
        v (unit length) and w (w.v = 1) of the slow eigenvalue; NaN for fixed points.
    left_vector : ndarray, shape (points, n)
        v (unit length) and w (w.v = 1) of the slow eigenvalue; NaN for fixed points.
    unconverged : ndarray of int
        Indices of the starts whose search ran away or did not converge.
    field_scale : float
        The speed scale the search divided the field by (the median speed at the starts): the
        search does not depend on it, and no label does.
    time : {"continuous", "discrete"}
        A flow dx/dt = F(x) or a map x -> G(x).
    slow_tol : float
        The search's relative tolerance for a zero eigenvalue (see :func:`find_slow_points`).
    candidates : int
        How many distinct candidates the coarse merge handed to the Newton iteration (its cost).
    inputs : ndarray, shape (points, m)
        The constant input each point belongs to (m = 0 when the system was searched without one).
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
    time: str = "continuous"
    slow_tol: float = 1e-4
    candidates: int = 0
    inputs: np.ndarray | None = None

    PER_POINT = ("kind", "x", "speed", "eigenvalues", "stability", "r_eff", "passage_time", "A", "c0",
                 "slow_vector", "left_vector", "inputs")

    def __post_init__(self):
        if self.inputs is None:  # searched without an input: zero columns, one row per point
            object.__setattr__(self, "inputs", np.zeros((len(self.kind), 0)))

    @classmethod
    def concatenate(cls, parts: list[SlowPoints]) -> SlowPoints:
        """The points of several searches of one system (e.g. one per input), in order.

        ``unconverged`` and ``candidates`` are joined and summed; the other settings are the first's.
        """
        first = parts[0]
        values = {name: np.concatenate([getattr(p, name) for p in parts]) for name in cls.PER_POINT}
        return cls(**values, unconverged=np.concatenate([p.unconverged for p in parts]).astype(int),
                   field_scale=first.field_scale, time=first.time, slow_tol=first.slow_tol,
                   candidates=sum(p.candidates for p in parts))

    def __len__(self) -> int:
        return len(self.kind)

    def select(self, kind: str) -> SlowPoints:
        """The points of one kind."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        mask = self.kind == kind
        values = {name: getattr(self, name)[mask] for name in self.PER_POINT}
        return SlowPoints(**values, unconverged=self.unconverged, field_scale=self.field_scale, time=self.time,
                          slow_tol=self.slow_tol, candidates=self.candidates)

    @property
    def multipliers(self) -> np.ndarray:
        """A map's multipliers, the eigenvalues of dG/dx (NaN for a flow)."""
        if self.time == "discrete":
            return self.eigenvalues + 1
        return np.full(self.eigenvalues.shape, np.nan + 0j)

    def map_stability(self, alpha: float) -> np.ndarray:
        """Stability of the fixed points under the Euler map x -> x + alpha F(x) of this flow.

        A network's own update is such a map (alpha = dt / tau): a fixed point that the flow calls
        stable oscillates with period 2, and is unstable, when a multiplier 1 + alpha lambda has
        modulus above 1. "" for the points that are not fixed points.
        """
        if self.time != "continuous":
            raise ValueError("map_stability is for flows; a map's own stability is in .stability")
        if not (np.isfinite(alpha) and alpha > 0):
            raise ValueError(f"alpha must be a positive finite number, got {alpha!r}")
        out = np.full(len(self), "", dtype=object)
        for i in np.flatnonzero(self.kind == "fixed point"):
            values = alpha * self.eigenvalues[i]  # multipliers - 1
            out[i] = stability_label(1 + values, "discrete", self.slow_tol * float(np.abs(values).max()))
        return out

    def to_xarray(self):
        """The points as an ``xarray.Dataset`` along ``point`` (complex eigenvalues as real and imaginary parts).

        The search's settings (``time``, ``slow_tol``, ``field_scale``, ``candidates``) are attributes
        and the unconverged starts a variable of their own; :meth:`from_xarray` reads it back.
        """
        import xarray as xr

        P = len(self)
        dims = {"x": ("point", "coordinate"), "slow_vector": ("point", "coordinate"),
                "left_vector": ("point", "coordinate"), "inputs": ("point", "input")}
        data = {name: (dims.get(name, ("point",)), getattr(self, name)) for name in self.PER_POINT
                if name != "eigenvalues"}
        data["kind"] = ("point", self.kind.astype(str))
        data["stability"] = ("point", self.stability.astype(str))
        data["eigenvalue_real"] = (("point", "eigen"), self.eigenvalues.real.reshape(P, -1))
        data["eigenvalue_imag"] = (("point", "eigen"), self.eigenvalues.imag.reshape(P, -1))
        data["unconverged"] = ("unconverged_start", self.unconverged)
        # NetCDF3 holds one dimension of length zero at most: an empty variable is left out and read back empty
        data = {k: v for k, v in data.items() if np.size(v[1]) or k in ("kind",)}
        return xr.Dataset(data, attrs={"time": self.time, "slow_tol": self.slow_tol, "field_scale": self.field_scale,
                                       "candidates": self.candidates, "n_state": self.x.shape[1],
                                       "n_inputs": self.inputs.shape[1]})

    @classmethod
    def from_xarray(cls, ds) -> SlowPoints:
        """The points of a :meth:`to_xarray` Dataset."""
        P, n, m = ds.sizes.get("point", 0), int(ds.attrs["n_state"]), int(ds.attrs["n_inputs"])
        shapes = {"x": (P, n), "slow_vector": (P, n), "left_vector": (P, n), "inputs": (P, m),
                  "eigenvalue_real": (P, n), "eigenvalue_imag": (P, n), "unconverged": (0,)}

        def read(name):
            return np.asarray(ds[name].values) if name in ds else np.zeros(shapes.get(name, (P,)))

        values = {name: read(name) for name in cls.PER_POINT if name != "eigenvalues"}
        for name in ("kind", "stability"):
            values[name] = np.asarray([str(v) for v in read(name)], dtype=object)
        values["eigenvalues"] = read("eigenvalue_real") + 1j * read("eigenvalue_imag")
        return cls(**values, unconverged=read("unconverged").astype(int), time=str(ds.attrs["time"]),
                   slow_tol=float(ds.attrs["slow_tol"]), field_scale=float(ds.attrs["field_scale"]),
                   candidates=int(ds.attrs["candidates"]))

    def save(self, path, *, overwrite: bool = False):
        """Write the points to a NetCDF file (:meth:`to_xarray`); an existing file only with ``overwrite``."""
        return write_netcdf(self.to_xarray(), path, overwrite=overwrite)

    @classmethod
    def load(cls, path) -> SlowPoints:
        """The points saved by :meth:`save`."""
        import xarray as xr

        with xr.open_dataset(path, engine=ENGINE) as ds:
            return cls.from_xarray(ds.load())

    @property
    def ghosts(self) -> SlowPoints:
        return self.select("ghost")

    @property
    def fixed_points(self) -> SlowPoints:
        return self.select("fixed point")
