"""Follow the slow points of a network that trains in the user's own loop: :class:`SlowPointTracker`.

At every :meth:`SlowPointTracker.update` the tracker searches the network's map (or flow) from
starts sampled on the states it is given (:func:`sample_states`), compiling once for all updates,
and records the fixed points, the ghosts and the loss. After training it names the epochs that
the project times abrupt learning by, now for any network:

* the **drop epoch**: the epoch of the largest decrease of the loss between two consecutive logged
  losses (log every epoch, with :meth:`SlowPointTracker.log_loss`, for one-epoch resolution);
* the **ghost epoch**: the first update at which a ghost lies *on the path*: within ``on_path``
  times the states' extent (the root-mean-square distance of the states from their mean) of the
  nearest state the network visited;
* the **lag**: ghost epoch - drop epoch, negative when the ghost appears first. Its resolution is
  the spacing of the updates.
"""

from __future__ import annotations

import numpy as np

from reduced.validation import finite, finite_scalar, nonnegative_scalar, positive_int

from ..store import ENGINE, write_netcdf
from .adapters import from_torch
from .dynamics import Dynamics
from .search import find_slow_points

RECORD_FIELDS = ("epoch", "loss", "n_fixed", "n_stable", "n_unstable", "n_ghosts", "ghost_r_eff",
                 "ghost_passage_time", "ghost_distance", "ghost_on_path")


def sample_states(trajectories: np.ndarray, n: int, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """``n`` states drawn from trajectories (without replacement while there are enough), plus noise.

    Parameters
    ----------
    trajectories : array_like, shape (..., n_state)
        States a network visited, any leading shape (e.g. steps x trials x units).
    n : int
        How many to draw, >= 1.
    noise : float
        Standard deviation of Gaussian noise added to every coordinate, in the state's units, >= 0.
    seed : int

    Returns
    -------
    ndarray, shape (n, n_state)
    """
    states = _checked_states(trajectories, "trajectories")
    n = positive_int(n, "n")
    noise = nonnegative_scalar(noise, "noise")
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    picks = rng.choice(len(states), size=n, replace=n > len(states))
    return states[picks] + noise * rng.standard_normal((n, states.shape[1]))


def _checked_states(states, name: str) -> np.ndarray:
    arr = finite(states, name)
    if arr.ndim < 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array of states, shape (..., n_state), got shape {arr.shape}")
    return arr.reshape(-1, arr.shape[-1])


class SlowPointTracker:
    """The slow points of one network over its training, for any training loop.

    Parameters
    ----------
    system : Flow or Map, optional
        The network's architecture (its ``params`` are replaced at each update). Not needed when
        every update passes a torch module or a :class:`Dynamics`.
    n_starts : int
        Starts per update, sampled on the given states (the same number every update, so the search
        compiles once).
    noise : float
        Noise added to the sampled starts (:func:`sample_states`).
    inputs : array_like, optional
        The constant input held during the search (default zero), e.g. the input of the delay.
    on_path : float
        A ghost is on the path when its distance to the nearest visited state is at most this
        fraction of the states' extent; in (0, 1].
    seed : int
        Seed of the sampled starts (the same starts every update for the same states).
    **search_options
        Passed to :func:`find_slow_points`.
    """

    def __init__(self, system: Dynamics | None = None, *, n_starts: int = 256, noise: float = 0.0, inputs=None,
                 on_path: float = 0.1, seed: int = 0, **search_options):
        if system is not None and not isinstance(system, Dynamics):
            raise ValueError(f"system must be a Flow or a Map (e.g. from from_weights), got {type(system).__name__}")
        if not (np.isscalar(on_path) and 0 < on_path <= 1):
            raise ValueError(f"on_path must lie in (0, 1], got {on_path!r}")
        self.system, self.n_starts, self.noise = system, positive_int(n_starts, "n_starts"), noise
        self.inputs, self.on_path, self.seed, self.search_options = inputs, float(on_path), seed, search_options
        sample_states(np.zeros((1, 1)), 1, noise, seed)  # refuses a bad noise or seed now, not at the first update
        self.records: list[dict] = []
        self.points: dict[int, object] = {}
        self.losses: dict[int, float] = {}
        self.ghost_x: list[np.ndarray] = []
        self._states = None

    def _system_for(self, params_or_module) -> Dynamics:
        if isinstance(params_or_module, Dynamics):
            system = params_or_module
        elif type(params_or_module).__module__.startswith("torch."):
            system = from_torch(params_or_module)
        elif self.system is None:
            raise ValueError("params_or_module: plain parameters need the tracker's system (SlowPointTracker(system))")
        else:
            system = self.system.with_params(params_or_module)
        if self.system is None:
            self.system = system
        elif (system.function, system.n_state, system.n_input) != (self.system.function, self.system.n_state,
                                                                     self.system.n_input):
            raise ValueError(f"params_or_module: {system.description or 'the network'} ({system.n_state} states, "
                             f"{system.n_input} inputs) is not the tracked architecture "
                             f"({self.system.description or ''} {self.system.n_state} states, "
                             f"{self.system.n_input} inputs)")
        return system

    def update(self, epoch: int, params_or_module, *, states=None, loss: float | None = None):
        """Search the network at ``epoch`` and record what it found; returns the :class:`SlowPoints`.

        ``params_or_module`` is a torch module (read with :func:`from_torch`), a :class:`Flow` or
        :class:`Map`, or the params pytree of the tracker's ``system``. ``states`` (..., n_state)
        are states the network visits now (e.g. its trials' hidden states); without them the last
        update's are used. ``loss`` is logged at ``epoch`` as :meth:`log_loss` does.
        """
        epoch = positive_int(epoch, "epoch", minimum=0)
        if self.records and epoch <= self.records[-1]["epoch"]:
            raise ValueError(f"epoch must increase from update to update: {epoch} after {self.records[-1]['epoch']}")
        system = self._system_for(params_or_module)
        if states is not None:
            self._states = _checked_states(states, "states")
            if self._states.shape[1] != system.n_state:
                raise ValueError(f"states must have {system.n_state} coordinates (the network's state), "
                                 f"got {self._states.shape[1]}")
        if self._states is None:
            raise ValueError("states: the first update needs the states the network visits")
        starts = sample_states(self._states, self.n_starts, self.noise, self.seed)
        found = find_slow_points(system, starts, inputs=self.inputs, **self.search_options)
        if loss is not None:
            self.log_loss(epoch, loss)
        self.points[epoch] = found
        self.records.append(self._record(epoch, found))
        return found

    def log_loss(self, epoch: int, loss: float) -> None:
        """Log the loss at an epoch (every epoch, for the drop epoch at one-epoch resolution)."""
        self.losses[positive_int(epoch, "epoch", minimum=0)] = finite_scalar(loss, "loss")

    def _record(self, epoch: int, found) -> dict:
        fixed = found.kind == "fixed point"
        ghosts = np.flatnonzero(found.kind == "ghost")
        extent = np.sqrt(np.mean(np.sum((self._states - self._states.mean(axis=0)) ** 2, axis=1)))
        row = {"epoch": epoch, "loss": self.losses.get(epoch, np.nan), "n_fixed": int(fixed.sum()),
               "n_stable": int(np.sum(fixed & (found.stability == "stable"))),
               "n_unstable": int(np.sum(fixed & (found.stability != "stable"))), "n_ghosts": int(ghosts.size),
               "ghost_r_eff": np.nan, "ghost_passage_time": np.nan, "ghost_distance": np.nan, "ghost_on_path": False}
        position = np.full(found.x.shape[1], np.nan)
        if ghosts.size:
            slowest = ghosts[np.argmin(found.r_eff[ghosts])]  # the smallest r_eff: the longest passage
            distance = float(np.min(np.linalg.norm(self._states - found.x[slowest], axis=1)))
            row.update(ghost_r_eff=float(found.r_eff[slowest]), ghost_passage_time=float(found.passage_time[slowest]),
                       ghost_distance=distance, ghost_on_path=bool(distance <= self.on_path * max(extent, 1e-300)))
            position = found.x[slowest]
        self.ghost_x.append(position)
        return row

    def timing(self) -> dict:
        """Drop epoch, ghost epoch, their lag and its resolution (see the module docstring); NaN when undefined."""
        epochs = np.array([r["epoch"] for r in self.records], float)
        on = np.array([r["ghost_on_path"] for r in self.records], bool)
        ghost = float(epochs[np.argmax(on)]) if on.any() else np.nan
        logged = np.array(sorted(self.losses.items()), float).reshape(-1, 2)
        drop = np.nan
        if len(logged) > 1:
            fall = logged[:-1, 1] - logged[1:, 1]
            drop = float(logged[1 + np.argmax(fall), 0]) if np.max(fall) > 0 else np.nan
        resolution = float(np.max(np.diff(epochs))) if epochs.size > 1 else np.nan
        return {"drop_epoch": drop, "ghost_epoch": ghost, "lag": ghost - drop, "resolution": resolution}

    def to_xarray(self):
        """The records (dimension ``update``), the slowest ghost's position and the logged losses, as a Dataset."""
        import xarray as xr

        if not self.records:
            raise ValueError("the tracker has no updates yet")
        data = {k: ("update", np.array([r[k] for r in self.records])) for k in RECORD_FIELDS}
        data["ghost_x"] = (("update", "coordinate"), np.stack(self.ghost_x))
        logged = np.array(sorted(self.losses.items()), float).reshape(-1, 2)
        data["logged_epoch"], data["logged_loss"] = ("logged", logged[:, 0].astype(int)), ("logged", logged[:, 1])
        attrs = dict(self.timing())
        attrs.update(on_path=self.on_path, n_starts=self.n_starts, noise=float(self.noise),
                     description=getattr(self.system, "description", ""), time=getattr(self.system, "time", ""))
        return xr.Dataset(data, attrs=attrs)

    def save(self, path, *, overwrite: bool = False):
        """Write :meth:`to_xarray` to NetCDF; an existing file is replaced only with ``overwrite=True``."""
        return write_netcdf(self.to_xarray(), path, overwrite=overwrite)

    @classmethod
    def load(cls, path, system: Dynamics | None = None) -> SlowPointTracker:
        """A tracker with the records saved by :meth:`save` (its points are not saved: only the records)."""
        import xarray as xr

        with xr.open_dataset(path, engine=ENGINE) as ds:
            ds = ds.load()
        tracker = cls(system, n_starts=int(ds.attrs["n_starts"]), noise=float(ds.attrs["noise"]),
                      on_path=float(ds.attrs["on_path"]))
        for i in range(ds.sizes["update"]):
            tracker.records.append({k: ds[k].values[i].item() for k in RECORD_FIELDS})
            tracker.ghost_x.append(np.asarray(ds["ghost_x"].values[i]))
        tracker.losses = dict(zip(ds["logged_epoch"].values.tolist(), ds["logged_loss"].values.tolist(), strict=True))
        return tracker


