"""The critical learning rate of the library's rank-one networks, predicted from their own 1-D models.

For every learned network, :func:`predict_onset` builds its own 1-D model (:mod:`.own_model`):
its loss along the unit gradient of its ghost's r_eff through its final parameters, descended
from the loss it had on the plateau just before its drop, at every rate of a dense grid. The
fraction of those 1-D models that end trapped at each rate predicts the networks' trapped
fraction; its ``quantile`` rate is compared with the measured one (:mod:`.onset`).

The same call gives the ablation that says what each ingredient moves:

* ``sharp``: the closed-form mapping (:mod:`.mapping`), eta_c(alpha T) / |grad r_eff|^2 per
  network, with the sharp reduced model's eta_c = 3 pi^4 / (32 T^4);
* ``own landscape``: the network's own loss along the line, with its real gain, its real trial
  start and its discrete steps, descended from its own start on the plateau (the prediction);
* ``start above``: the same landscape descended from the far side of the minimum, as the reduced
  model's experiment starts at 10 r* (the effect of the network's own start);
* ``sharper readout``: the same, with the readout gain multiplied by 10 (the effect of finite gain).

Where the ghost's normal form puts the threshold, x* = A (1 - kappa_g) with A = f''(kappa_g) / 2,
the learned networks give x* of the order of sqrt(r*) (the ghost sits near kappa = -1, the
threshold at +1, and A is small), outside the regime x* >> sqrt(r) that the reduced model's
regime criteria assume; ``ghost_coordinates`` reports A and kappa_g so that this can be checked.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from reduced import critical_learning_rate
from reduced.validation import positive_int, positive_scalar

from ..ghosts import Flow, ghost_r_eff
from ..regimes import LEARNED
from .flows import GRID, flow_structure, latent_flow, latent_trajectory
from .models import DelayedActivationRNN, model_from_dict
from .onset import failing, loss_before_drop, quantile_rate
from .own_model import POINTS, descend_line, line_landscape, path_landscape, start_above, training_path
from .rate_network import RateNetwork
from .slow import network_slow_points
from .tasks import Task, make_task
from .training import NetworkCriteria, checkpoint_params, combination
from .training.segment import loss_and_accuracy

if TYPE_CHECKING:
    import xarray as xr
    from numpy.typing import ArrayLike


NEWTON_STEPS = 12
PATH_REFINEMENT = 10
STARTS = ("plateau", "above")


def task_loss(model, task):
    """``loss(params)``: the network's full-batch training loss, as the engine computes it (JAX)."""
    import jax
    import jax.numpy as jnp

    def loss(params):
        dtype = jax.tree_util.tree_leaves(params)[0].dtype  # the task in the parameters' precision
        arrays = [jnp.asarray(a, dtype) for a in (task.inputs, task.targets, task.mask)]
        key = jax.random.PRNGKey(0)  # noise-free networks: the key only draws a deterministic start
        return loss_and_accuracy(model, task.accuracy_rule, params, key, *arrays, task.loss_scale)[0]

    return loss


def rank_one_r_eff(kappa_guess: float):
    """``r_eff(params)`` of a rank-one network's ghost near ``kappa_guess`` (JAX, differentiable).

    The ghost is the minimum of the latent flow f(kappa) = -kappa + n.tanh(m kappa + b) nearest
    the guess (Newton's iteration on f' = 0, differentiated through its converged steps), and
    r_eff = f'' f / 2 - f'^2 / 4 there (the normal form of docs/science.md, section 3). Every
    returned function shares one compiled program.
    """
    compiled = _compiled_r_eff()
    return lambda params: compiled(params, kappa_guess)


@cache
def _compiled_r_eff():
    import jax

    return jax.jit(_r_eff_at)


def _r_eff_at(params, kappa_guess):
    import jax.numpy as jnp

    m, n, b = (jnp.ravel(params[k]) for k in ("m", "n", "b"))

    def derivatives(k):
        t = jnp.tanh(m * k + b)
        s = 1 - t**2
        return -k + n @ t, -1 + (n * m) @ s, (n * m**2) @ (-2 * t * s)

    k = jnp.asarray(kappa_guess, m.dtype)
    for _ in range(NEWTON_STEPS):
        _, d1, d2 = derivatives(k)
        k = k - d1 / d2
    f, d1, d2 = derivatives(k)
    return 0.5 * d2 * f - d1**2 / 4


def flow_ghost(model, params, task) -> np.ndarray | None:
    """Where the slowest ghost of a network's input-free flow lies, or None if it has none.

    The search (:func:`.slow.network_slow_points`) starts from every state the task's trials visit,
    in the network's noise-free form (zero noise, the mean start), so the ghosts it finds lie near
    the trials' paths; the slowest is the one with the longest passage time. Coordinates are the
    latent kappa for a low-rank network, the state x for a full-rank one.
    """
    found, _ = network_slow_points(noise_free(model), params, task)
    ghosts = found.ghosts
    if len(ghosts) == 0:
        return None
    return np.asarray(ghosts.x[int(np.argmax(ghosts.passage_time))], float)


def flow_r_eff(model, ghost_x):
    """``r_eff(params)`` of the ghost near ``ghost_x`` of a network's input-free flow (JAX, differentiable).

    The N-D (or K-D latent) normal form of :func:`analysis.ghosts.ghost_r_eff`: r_eff = A c0 -
    lambda^2 / 4 along the slow eigenvector, with the ghost, the eigenvector and its left partner
    followed implicitly as the parameters move. For any of the library's networks; the rank-one
    closed form :func:`rank_one_r_eff` gives the same value (a test compares them).
    """
    x = np.asarray(ghost_x, float).ravel()
    system = Flow(_flow_of(model), n_state=x.size, description=f"input-free flow of {model!r}")
    return lambda params: ghost_r_eff(system, x, params)


@cache
def _flow_of(model):
    field = model.flow_function()
    return lambda x, params, u: field(x, params)


def noise_free(model):
    """The model without noise and with its mean start (r0 = 0): the loss its 1-D model tabulates."""
    changes = {"noise_sigma": 0.0}
    if getattr(model, "r0_sigma", 0.0):
        changes["r0_sigma"] = 0.0
    return model.replace(**changes)


def ghost_coordinates(params, kappa_guess: float) -> dict:
    """kappa_g, A = f''/2 and r_eff of a rank-one network's ghost (numpy, float64; Newton on f' = 0
    with :func:`.flows.latent_flow`'s derivatives)."""
    m, n, b = (np.ravel(np.asarray(params[k], float)) for k in ("m", "n", "b"))
    k = float(kappa_guess)
    for _ in range(NEWTON_STEPS):
        _, d1, d2 = (float(v[0]) for v in latent_flow(m, n, b, [k]))
        k -= d1 / d2
    f, d1, d2 = (float(v[0]) for v in latent_flow(m, n, b, [k]))
    return {"kappa_g": k, "A": 0.5 * d2, "r_eff": 0.5 * d2 * f - d1**2 / 4}


def learned_networks(learned_ds: xr.Dataset) -> list[dict]:
    """Per seed of a one-rate sweep with checkpoints: its final parameters and its loss before the drop.

    Only seeds whose run learned, and whose final network has a ghost, are kept. For the rank-one
    networks on delayed activation (closed-form latent flow): the slowest ghost on the trial's path,
    or, where the trial starts just past it (at short delays), the ghost nearest the start
    (``kappa_g``); for every other network, the slowest ghost of its input-free flow searched from
    its trials' states (:func:`flow_ghost`, ``ghost_x``). The loss before the drop is the last
    recorded loss before the run first left the plateau (``plateau_length``).

    Parameters
    ----------
    learned_ds : xarray.Dataset
        A one-rate :func:`train_sweep` result with checkpoints (e.g. the ``"learned"`` sweep of
        :func:`trapping_onset_sweeps`).

    Returns
    -------
    list of dict
        Per kept seed: ``seed``, final ``params``, ``kappa_g`` or ``ghost_x``, ``start_loss`` and the
        parameters and epoch ``before_drop``.
    """
    model_spec, task_spec = combination(learned_ds)
    model, task = model_from_dict(model_spec), make_task(**task_spec)
    start_losses = loss_before_drop(learned_ds)
    out = []
    for i, seed in enumerate(learned_ds.seed.values):
        run = learned_ds.isel(lr=0, seed=i)
        if int(run.regime) != LEARNED or not np.isfinite(float(run.plateau_length)):
            continue
        params = checkpoint_params(learned_ds, lr=0, seed=i, checkpoint=-1)
        if is_rank_one(model):
            kappa_g = _slowest_ghost(params, 2 * task.delay, model.alpha)
            ghost = {"kappa_g": kappa_g} if np.isfinite(kappa_g) else None
        else:
            x = flow_ghost(model, params, task)
            ghost = {"ghost_x": x} if x is not None else None
        if ghost is None:
            continue
        start_loss = float(start_losses[i])
        last_plateau_checkpoint = int(np.flatnonzero(learned_ds.checkpoint.values < float(run.plateau_length))[-1])
        out.append({"seed": int(seed), "params": params, **ghost,
                    "before_drop": checkpoint_params(learned_ds, lr=0, seed=i, checkpoint=last_plateau_checkpoint),
                    "before_epoch": int(learned_ds.checkpoint.values[last_plateau_checkpoint]),
                    "lr": float(learned_ds.lr.values[0]), "start_loss": start_loss,
                    "final_loss": float(run.final_loss), "initial_loss": float(run.initial_loss)})
    return out


def is_rank_one(model) -> bool:
    """Whether ``model`` is the rank-one network on delayed activation, whose latent flow is closed-form here."""
    return isinstance(model, DelayedActivationRNN) and model.rank == 1


def predict_onset(model: RateNetwork, task: Task, networks: list[dict], lr: ArrayLike, *, epochs: int,
                  quantile: float = 0.1, direction: str = "r_eff", starts: tuple[str, ...] = ("plateau",),
                  gain: float | None = None, momentum: float = 0.0, failure: str = "trapped", points: int = POINTS,
                  criteria: NetworkCriteria | None = None) -> dict:
    """The trapped fraction and its ``quantile`` rate predicted from each learned network's own 1-D model.

    Parameters
    ----------
    model : DelayedActivationRNN or TaskRNN
        The network.
    task : Task
        Its task (the delay the networks learned). A noisy network's 1-D model
        tabulates its noise-free loss from its mean start (:func:`noise_free`).
    networks : list of dict
        From :func:`learned_networks`: per network its final ``params``, ``kappa_g`` or ``ghost_x``
        and ``start_loss``
        (and, for ``direction="path"``, ``before_drop``, ``before_epoch`` and ``lr``).
    lr : array_like
        The dense ascending grid of rates at which the 1-D models descend.
    epochs : int
        Epochs of each descent (the networks' own).
    quantile : float
        The trapped fraction whose rate is predicted (0.1); the 50% rate is given too.
    direction : {"r_eff", "path"}
        The curve of each network's 1-D model: ``"r_eff"`` (:func:`.own_model.line_landscape`, the
        default), the straight line through the learned network along grad r_eff; ``"path"``
        (:func:`.own_model.path_landscape`), the path of its own training from the last checkpoint
        on the plateau (recomputed at a tenth of its rate for ten times the epochs, the gradient
        flow's path: at its own rate descent zigzags across the valley, and a zigzag's length is no
        progress), continued beyond the learned network along grad r_eff.
    starts : tuple of {"plateau", "above"}
        Where the descents start: on the plateau below the minimum, at the network's own loss before
        its drop, or above it, at the first point beyond the minimum with that loss (as the reduced
        model's experiment starts, at 10 r*). One result per start, from the same tables.
    gain : float, optional
        Evaluate the 1-D models with this readout gain instead of the network's (an ablation; only
        for networks with a fixed readout gain, the rank-one network's).
    momentum : float
        The heavy-ball coefficient of the 1-D descents (the networks' optimiser's; 0: plain SGD).
    failure : {"trapped", "failed"}
        The 1-D runs counted, as :func:`.onset.onset_quantile` counts the networks' runs.
    points : int
        Points of each table (:func:`.own_model.line_landscape`); a full-rank network's table
        costs about as many full-batch gradients, so fewer points buy speed there.

    Returns
    -------
    dict
        Per start: ``fraction_trapped`` over ``lr`` (of the ``failure`` regimes), ``value`` and ``q50``
        (NaN where the fraction never reaches them on the grid), ``regime`` (networks, lr: every 1-D
        run's regime code), ``first_trapping`` per network, ``left_grid`` (the fraction
        of runs that ended beyond the table, on the far plateau its last point continues),
        ``trapped_beyond_minimum`` (the fraction of the trapped runs that ended beyond the minimum,
        on the far side's plateau, rather than back on the plateau they started from), ``without_start``
        (networks left out because their table has no start there: regime -1). Besides:
        ``lr``, ``sharp`` (the closed-form mapping per network), ``tables``, ``start_clipped`` (per
        network, whether its loss before the drop exceeds every loss down its line, so that it starts
        at the line's plateau edge instead: :func:`.own_model.line_landscape`'s ``clip_start``).
    """
    if not networks:
        raise ValueError("networks must hold at least one learned network")
    if any(s not in STARTS for s in starts) or not starts:
        raise ValueError(f"starts must be a non-empty tuple of {STARTS}, got {starts!r}")
    if direction not in ("r_eff", "path"):
        raise ValueError(f"direction must be 'r_eff' or 'path', got {direction!r}")
    if gain is not None and not hasattr(model, "gain"):
        raise ValueError(f"gain applies to networks with a fixed readout gain; {type(model).__name__} has none")
    rates = np.sort(np.asarray(lr, float))
    base = noise_free(model)
    loss = task_loss(base if gain is None else base.replace(gain=positive_scalar(gain, "gain")), task)
    points = positive_int(points, "points", minimum=3)
    tables = [_table(model, loss, net, direction, epochs, points) for net in networks]
    clipped = [bool(t.start_loss < net["start_loss"]) for t, net in zip(tables, networks, strict=True)]
    out = {"lr": rates.tolist(), "quantile": quantile, "tables": tables, "start_clipped": clipped,
           # the closed-form mapping, with |grad r_eff| at the learned network (at the path's end for "path")
           "sharp": [critical_learning_rate(model.alpha * task.delay) / t.grad_r_eff**2 for t in tables]}
    for start in starts:
        use = tables if start == "plateau" else [_started_above(t) for t in tables]
        kept = np.array([t is not None for t in use])  # a table whose minimum ends it has no start above
        if not kept.any():
            raise ValueError(f"no network's table has a start {start!r}: leave it out of starts")
        regime = np.full((len(tables), rates.size), -1, np.int8)
        run = descend_line([t for t in use if t is not None], rates, epochs=epochs, momentum=momentum,
                           criteria=criteria)
        regime[kept] = run["regime"]
        trapped = failing(run["regime"], failure)
        fraction = trapped.mean(axis=0)
        first = np.full(len(tables), np.nan)
        first[kept] = np.where(trapped.any(axis=1), rates[np.argmax(trapped, axis=1)], np.nan)
        lowest = np.array([t.s[np.argmin(t.loss)] for t in use if t is not None])[:, None]
        far = trapped & (run["final_s"] > lowest)
        out[start] = {"fraction_trapped": fraction.tolist(), "first_trapping": first.tolist(), "regime": regime,
                      "trapped_beyond_minimum": float(far.sum() / max(1, trapped.sum())),
                      "value": float(quantile_rate(rates, fraction, quantile)),
                      "q50": float(quantile_rate(rates, fraction, 0.5)),
                      "left_grid": float(run["left_grid"].mean()), "without_start": int((~kept).sum())}
    return out


def _started_above(table):
    """The table started on the far side of its minimum (clipped at its plateau edge), or None if it has none."""
    try:
        return replace(table, start=start_above(table, clip=True))
    except ValueError:
        return None


def sharp_onset(sharp: list[float], lr, quantile: float = 0.1) -> float:
    """The ``quantile`` rate of the closed-form mapping's per-network rates, read as the others are.

    A network is predicted trapped at every rate at or above its own eta_c / |grad r_eff|^2, so
    the predicted trapped fraction at eta is the fraction of networks whose rate is at most eta.
    """
    rates = np.sort(np.asarray(lr, float))
    fraction = (np.asarray(sharp)[:, None] <= rates[None, :]).mean(axis=0)
    return float(quantile_rate(rates, fraction, quantile))


def _table(model, loss, net: dict, direction: str, epochs: int, points: int):
    """One network's 1-D model."""
    r_eff = rank_one_r_eff(net["kappa_g"]) if "kappa_g" in net else flow_r_eff(model, net["ghost_x"])
    if direction == "path":
        path = training_path(loss, net["before_drop"], net["lr"] / PATH_REFINEMENT,
                             PATH_REFINEMENT * (epochs - net["before_epoch"]), every=PATH_REFINEMENT)
        return path_landscape(loss, path, r_eff, start_loss=net["start_loss"], points=points)
    return line_landscape(loss, net["params"], r_eff, start_loss=net["start_loss"], clip_start=True, points=points)


def _slowest_ghost(params, steps: int, alpha: float) -> float:
    """kappa of the slowest ghost on the trial's path, else of the ghost nearest the trial's start (NaN: none)."""
    m, n, b = (np.asarray(params[k], float).ravel() for k in ("m", "n", "b"))
    s = flow_structure(m, n, b, steps=steps, alpha=alpha)
    if bool(s["ghost_on_path"]):
        return float(s["ghost_kappa"])
    kappa = np.linspace(*GRID)
    f = latent_flow(m, n, b, kappa)[0]
    minima = np.flatnonzero((f[1:-1] < f[:-2]) & (f[1:-1] <= f[2:]) & (f[1:-1] > 0)) + 1
    if minima.size == 0:
        return np.nan
    start = latent_trajectory(m, n, b, steps=1, alpha=alpha)[0]
    guess = kappa[minima[np.argmin(np.abs(kappa[minima] - start))]]
    coordinates = ghost_coordinates(params, guess)
    return float(coordinates["kappa_g"]) if coordinates["r_eff"] > 0 else np.nan


def networks_from_compact(compact, delay: int) -> list[dict]:
    """The learned networks of one delay of :func:`.onset.compact_onsets`, as :func:`predict_onset` takes them."""
    row = compact.sel(delay=delay)
    alpha = float(compact.attrs["alpha"])
    out = []
    for j in range(row.sizes["seed"]):
        if int(row.learned_regime[j]) != LEARNED or not np.isfinite(float(row.start_loss[j])):
            continue
        params = {k: np.asarray(row[f"final_{k}"].values[j], float)[:, None] if k != "b"
                  else np.asarray(row[f"final_{k}"].values[j], float) for k in ("m", "n", "b")}
        kappa_g = _slowest_ghost(params, 2 * int(delay), alpha)
        if np.isfinite(kappa_g):
            out.append({"seed": int(row.seed_value[j]), "params": params, "kappa_g": kappa_g,
                        "start_loss": float(row.start_loss[j])})
    return out
