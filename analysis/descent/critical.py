"""The critical learning rate found numerically, its power law in T, and the reference experiment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from reduced import critical_learning_rate, optimal_r
from reduced.validation import broadcast, convention_argument, finite, positive, positive_int, scalar_or_array

from ..onset import first_failing
from ..optimizers import ADAM_DEFAULTS, optimizer_spec
from ..regimes import TRAPPED, Criteria
from .descend import descend
from .problem import DescentProblem, checked_arrays
from .summaries import summarize_problem

if TYPE_CHECKING:
    import xarray as xr

REFERENCE_EPOCHS = (1000, 2000, 3000, 5000, 10000)


def initial_r(T: ArrayLike, rho0: ArrayLike, seeds: int, seed: int = 0, *, independent: bool = False) -> np.ndarray:
    """r0 = rho0 r* + N(0, r*/10), one draw per seed, shape (*broadcast(T, rho0), seeds).

    By default the same standard-normal draws serve every T and rho0 (common random numbers), so
    sweeps are smooth in their parameters and do not depend on how they are chunked. Since the
    sharp map is universal in rho = r / r*, results at different T are then exactly proportional;
    ``independent=True`` draws new runs for every (T, rho0), for measurements whose scatter means
    something (a power-law fit with a real confidence interval).

    Parameters
    ----------
    T : array_like
        Delays, in (0, inf).
    rho0 : array_like
        Mean start in units of r*, in (0, inf).
    seeds : int
        Draws per (T, rho0), >= 1.
    seed : int, optional
        Seed of the draws.
    independent : bool, optional
        New draws for every (T, rho0) instead of common random numbers.

    Returns
    -------
    ndarray
        The starts, shape (*broadcast(T, rho0), seeds).
    """
    T, rho0 = broadcast(T=positive(T, "T"), rho0=finite(rho0, "rho0"))
    shape = (*T.shape, positive_int(seeds, "seeds")) if independent else positive_int(seeds, "seeds")
    noise = np.random.default_rng(seed).standard_normal(shape)
    r_star = np.asarray(optimal_r(T))[..., None]
    return r_star * (rho0[..., None] + 0.1 * noise)


@convention_argument
def critical_learning_rate_numeric(
    T: ArrayLike,
    *,
    a: ArrayLike | None = None,
    x_star: float = 10.0,
    rho0: ArrayLike = 10.0,
    seeds: int = 10,
    epochs: int = 10_000,
    normalized: bool = True,
    dt: float | None = None,
    trapped_fraction: float = 0.0,
    bracket: tuple[float, float] = (1e-2, 1e2),
    scan_points: int = 200,
    refinements: int = 2,
    seed: int = 0,
    independent: bool = False,
    criteria: Criteria | None = None,
    optimizer: str = "sgd",
    momentum: ArrayLike = 0.9,
    adam: tuple[float, float, float] = ADAM_DEFAULTS,
) -> np.ndarray | float:
    """The smallest learning rate at which descent on r gets trapped, by nested dense scans.

    Definition: eta_c is the infimum of the learning rates at which more than
    ``trapped_fraction`` of the runs (default 0: any run) end trapped, what the closed form
    3 pi^4 / (32 T^4) marks in the sharp limit. Near eta_c trapping is not monotone in eta (a
    run lands in the no-learning zone or misses it depending on the phase of its oscillation),
    so a bisection on the trapped fraction can return a crossing above an earlier trapping
    rate. Here the whole ``bracket`` is scanned densely (``scan_points`` rates, log-spaced), then
    the interval below the first trapping rate is scanned again with ``scan_points`` rates,
    ``refinements`` times; common random numbers throughout (the same runs at every rate).

    Resolution, stated honestly: the value returned is the smallest rate observed to trap, an
    upper bound on the infimum. Near the onset the trapping rates form very narrow windows
    (measured at T = 100 in the sharp limit: windows of relative width below 5e-7, the first
    at 1.00008 times the closed form on a grid of step 5e-7), and a window narrower than a scan's
    step can be missed; the first scan's relative step is (hi/lo)^(1/(P-1)) - 1 (4.7% with the
    defaults), the refinements' (hi/lo)^(1/(P-1)/P^k) - 1. With the defaults the value lies
    within 0.1% above the closed form at T = 100 (tests/test_critical.py).

    For each broadcast (T, a, rho0) the runs start at r0 = rho0 r* + N(0, r*/10) (``seeds``
    of them) and descend for ``epochs``. They are the same runs in units of r* at every T unless
    ``independent=True`` (see :func:`initial_r`): with common runs, values at different T are
    proportional by construction in the sharp limit, and a power-law fit over them has a
    confidence interval of zero width that says nothing.

    Parameters
    ----------
    T : array_like
        Delay(s), in (0, inf).
    a : array_like or None, optional
        Output confidence; None for the sharp limit.
    rho0 : array_like, optional
        Start in units of r*. Default 10, as in the reference experiment.
    bracket : (float, float), optional
        Search interval, in units of the sharp closed-form eta_c(T) of plain descent for
        ``"sgd"`` and ``"momentum"``, and of r*(T) for ``"adam"`` (whose steps are about eta
        in units of r, :mod:`analysis.optimizers`).
    scan_points : int, optional
        Rates per scan, and the number of finer scans after the first.
    refinements : int, optional
        Rates per scan, and the number of finer scans after the first.
    optimizer : optional
        The update rule, as in :func:`analysis.descend`; ``momentum`` broadcasts with T, a and
        rho0, so one call maps eta_c against the momentum coefficient.
    momentum : optional
        The update rule, as in :func:`analysis.descend`; ``momentum`` broadcasts with T, a and
        rho0, so one call maps eta_c against the momentum coefficient.
    adam : optional
        The update rule, as in :func:`analysis.descend`; ``momentum`` broadcasts with T, a and
        rho0, so one call maps eta_c against the momentum coefficient.

    Returns
    -------
    float or ndarray
        eta_c per broadcast point; ``inf`` where no run is trapped anywhere in the bracket (lower
        confidence can remove trapping altogether). Where runs are trapped already at the bottom
        of the bracket, that bottom is returned, an upper bound.

    Examples
    --------
    >>> from analysis import critical_learning_rate_numeric
    >>> from reduced import critical_learning_rate
    >>> eta = critical_learning_rate_numeric(50.0, seeds=4, epochs=3000)
    >>> abs(eta / critical_learning_rate(50.0) - 1) < 0.01
    True
    """
    if not 0.0 <= trapped_fraction < 1.0:
        raise ValueError(f"trapped_fraction must lie in [0, 1), got {trapped_fraction}")
    lo_rel, hi_rel = (float(v) for v in positive(np.asarray(bracket), "bracket"))
    if not lo_rel < hi_rel:
        raise ValueError("bracket must be (low, high) with low < high")
    points = positive_int(scan_points, "scan_points", minimum=2)
    levels = positive_int(refinements, "refinements", minimum=0)
    spec = optimizer_spec(optimizer, adam)
    shaped = checked_arrays(spec, momentum=momentum, a=a, T=(T, positive), rho0=(rho0, finite))
    T_b, rho_b = shaped["T"], shaped["rho0"]
    a_b = shaped.get("a")
    mu_b = shaped.get("momentum", np.zeros(T_b.shape))
    r0 = initial_r(T_b, rho_b, seeds, seed, independent=independent)[..., None, :]  # (*shape, 1, seeds)
    scale = np.asarray(optimal_r(T_b) if spec.name == "adam" else critical_learning_rate(T_b, normalized))
    grid_axes = (..., None, None)
    # every scan runs the same runs on a grid of `points` rates: validated and set up once
    problem = DescentProblem.build(
        r0, np.broadcast_to(scale[..., None, None], (*T_b.shape, points, 1)), T_b[grid_axes], epochs,
        a=None if a_b is None else a_b[grid_axes], x_star=x_star, dt=dt, normalized=normalized,
        optimizer=optimizer, momentum=mu_b[grid_axes], adam=adam,
    )

    def trapped(eta_rel):  # eta_rel (*shape, P) -> trapped (*shape, P)
        s = summarize_problem(problem.with_eta((eta_rel * scale[..., None])[..., None]), criteria)
        return np.mean(s.regime == TRAPPED, axis=-1) > trapped_fraction

    def first_hit(grid):
        return first_failing(trapped(grid))

    grid = np.broadcast_to(np.geomspace(lo_rel, hi_rel, points), (*T_b.shape, points))
    any_hit, k = first_hit(grid)
    upper = np.take_along_axis(grid, k[..., None], -1)[..., 0]
    lower = np.where(k > 0, np.take_along_axis(grid, np.maximum(k - 1, 0)[..., None], -1)[..., 0], upper)
    for _ in range(levels):
        refine = any_hit & (k > 0)
        if not refine.any():
            break
        steps = np.linspace(0.0, 1.0, points + 1)[1:]  # strictly above the last rate that did not trap
        grid = np.exp(np.log(lower)[..., None] + np.log(upper / lower)[..., None] * steps)
        _, j = first_hit(grid)  # the top point traps, so a hit always exists
        new_upper = np.take_along_axis(grid, j[..., None], -1)[..., 0]
        new_lower = np.where(j > 0, np.take_along_axis(grid, np.maximum(j - 1, 0)[..., None], -1)[..., 0], lower)
        upper = np.where(refine, new_upper, upper)
        lower = np.where(refine, new_lower, lower)
    eta_c = np.where(any_hit, upper * scale, np.inf)
    return scalar_or_array(eta_c)


@dataclass(frozen=True)
class PowerLawFit:
    """eta_c = prefactor * T^exponent, fitted in log-log space.

    Attributes
    ----------
    exponent : float
    ci : tuple of float
        95% confidence interval of the exponent (Student t, n - 2 degrees of freedom).
    prefactor : float
    stderr : float
        Standard error of the exponent.
    """

    exponent: float
    ci: tuple[float, float]
    prefactor: float
    stderr: float


def fit_power_law(T: ArrayLike, eta_c: ArrayLike, confidence: float = 0.95) -> PowerLawFit:
    """Least-squares fit of log eta_c = log c + p log T, with a confidence interval on p.

    Parameters
    ----------
    T : array_like
        At least three delays, each in (0, inf).
    eta_c : array_like
        The critical rates at those delays, each in (0, inf).
    confidence : float, optional
        Level of the interval on the exponent, in (0, 1). Default 0.95.

    Returns
    -------
    PowerLawFit
        ``exponent``, its interval ``ci`` and ``stderr``, and ``prefactor``.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis import fit_power_law
    >>> T = np.array([10.0, 20.0, 40.0, 80.0])
    >>> fit = fit_power_law(T, 3.0 * T**-4)
    >>> round(fit.exponent, 12), round(fit.prefactor, 12)
    (-4.0, 3.0)
    """
    T = positive(T, "T").ravel()
    eta_c = positive(eta_c, "eta_c").ravel()
    if T.size != eta_c.size:
        raise ValueError(f"T and eta_c must have the same length, got {T.size} and {eta_c.size}")
    if T.size < 3:
        raise ValueError("fit_power_law needs at least 3 points for a confidence interval")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    fit = stats.linregress(np.log(T), np.log(eta_c))
    half = stats.t.ppf(0.5 + confidence / 2, T.size - 2) * fit.stderr
    return PowerLawFit(float(fit.slope), (float(fit.slope - half), float(fit.slope + half)),
                       float(np.exp(fit.intercept)), float(fit.stderr))


@convention_argument
def reference_experiment(
    *,
    T: float = 100.0,
    eta: ArrayLike | None = None,
    seeds: int = 10,
    epochs: int = 10_000,
    record: tuple[int, ...] = REFERENCE_EPOCHS,
    normalized: bool = False,
    seed: int = 0,
) -> xr.Dataset:
    """Mean loss against eta at several epochs, as in the paper's Fig. 2d.

    Defaults follow the reference: T = 100, integral convention, 10 seeds,
    eta on logspace(-11, -8, 100), 10^4 epochs, r0 = 10 r* + N(0, r*/10), sharp gradient.
    The loss reported is the normalized one (in [0, 1]) whatever convention drives the
    gradient, as the reference code plots it.

    Returns
    -------
    xarray.Dataset
        ``loss_mean`` and ``loss_sem`` over (eta, epoch), with the closed-form eta_c in attrs.

    Parameters
    ----------
    T : float, optional
        Delay. Default 100.
    eta : array_like, optional
        Learning rates; default logspace(-11, -8, 100).
    seeds : int, optional
        Runs per rate. Default 10.
    epochs : int, optional
        Updates per run. Default 10^4.
    record : tuple of int, optional
        The epochs at which the mean loss is reported, each in [1, epochs].
    normalized : bool or {"normalized", "integral"}, optional
        Convention of the gradient that drives descent (default: the reference's integral).
    seed : int, optional
        Seed of the starts.
    """
    import xarray as xr

    eta = np.logspace(-11, -8, 100) if eta is None else positive(eta, "eta").ravel()
    epochs = positive_int(epochs, "epochs")
    record = tuple(positive_int(e, "record") for e in record)
    if max(record) > epochs:
        raise ValueError(f"record epochs must not exceed epochs = {epochs}")
    r0 = initial_r(T, 10.0, seeds, seed)  # (seeds,)
    stride = int(np.gcd.reduce(np.array(record + (epochs,))))
    run = descend(r0[None, :], eta[:, None], T, epochs, normalized=normalized, record_every=stride)
    loss = run.loss if normalized else run.loss / T
    index = [int(np.searchsorted(run.epochs, e)) for e in record]
    picked = loss[index]  # (epoch, eta, seed)
    mean = picked.mean(axis=-1).T
    sem = picked.std(axis=-1).T / np.sqrt(seeds)
    return xr.Dataset(
        {"loss_mean": (("eta", "epoch"), mean), "loss_sem": (("eta", "epoch"), sem)},
        coords={"eta": eta, "epoch": list(record)},
        attrs={"T": T, "seeds": seeds, "epochs": epochs, "normalized_gradient": int(normalized),
               "eta_c_closed_form": float(critical_learning_rate(T, normalized))},
    )
