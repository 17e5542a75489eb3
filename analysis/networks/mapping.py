"""The reduced model's prediction of a rank-one network's critical learning rate.

The mapping (approximate by nature; Dinc et al., arXiv:2501.02378, and docs/science.md section 6):

* **time**: one step is alpha tau, so the network's delay of T steps is alpha T in units of tau
  (T = 20, alpha = 0.5: 10 tau), the unit of the latent flow dkappa/dt = f(kappa);
* **loss**: the sum of squared errors over the steps divided by T is the time average of the
  reduced model's *normalized* convention with that delay;
* **learning rate**: if the loss depends on the parameters theta = (m, n, b) mainly through the
  ghost's local scale parameter r_eff(theta), one gradient step on theta moves r_eff by
  -eta |grad_theta r_eff|^2 dL/dr, so gradient descent on theta is gradient descent on r with the
  effective rate eta_r = eta |grad_theta r_eff|^2. The reduced model traps above
  eta_r = eta_c(T) = 3 pi^4 / (32 T^4) (normalized), so the network should trap above

      eta_c^net = eta_c(alpha T) / |grad_theta r_eff|^2,

  with |grad_theta r_eff|^2 evaluated at a network that has learned (its ghost near the optimum).

Where the mapping is approximate: the network's readout has a finite gain (10), so the
landscape is the finite-confidence one, not the sharp limit the closed form assumes; the trial
starts at kappa_0 = -0.3 sum n, not at the ghost; the output switches when kappa crosses 1, not
when the state blows up; and the parameters change more than r_eff (the position of the ghost,
the trajectory's start), which the single-coordinate picture ignores. No factor is tuned.
"""

from __future__ import annotations

import numpy as np

from reduced import critical_learning_rate

from ..onset import onset_bracket
from ..regimes import LEARNED, TRAPPED
from .critical_rate import rank_one_r_eff
from .flows import flow_structure, rank_one_params
from .training import combination


def r_eff_and_gradient(m, n, b, kappa_g):
    """r_eff of the ghost near kappa_g and |grad r_eff|^2 in (m, n, b), by differentiating through
    Newton's iteration on f'(kappa) = 0 (:func:`.critical_rate.rank_one_r_eff`)."""
    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        theta = {k: jnp.asarray(a, jnp.float64) for k, a in (("m", m), ("n", n), ("b", b))}
        value, grads = jax.value_and_grad(rank_one_r_eff(kappa_g))(theta)
        return float(value), float(sum(jnp.sum(g**2) for g in grads.values()))


def predicted_critical_rate(ds, *, delay_steps: int | None = None, alpha: float | None = None) -> dict:
    """Predict a rank-one network's critical learning rate from the ghosts of learned networks.

    Parameters
    ----------
    ds : xarray.Dataset
        A :func:`train_sweep` result of the rank-one network whose final checkpoint (the last one)
        holds learned networks (the runs whose ghost lies on the path there are used).
    delay_steps : optional
        The task's delay in steps and dt / tau; read from the Dataset by default.
    alpha : optional
        The task's delay in steps and dt / tau; read from the Dataset by default.

    Returns
    -------
    dict
        ``r_eff`` and ``grad_r_eff_sq`` per usable run, ``eta_r_c`` (the reduced model's critical
        rate for the delay alpha T), ``predicted`` (eta_r_c / |grad r_eff|^2 per run), and the
        median and spread (min, max) of the prediction.
    """

    model, task = combination(ds)
    delay_steps = delay_steps or task["T"]
    alpha = alpha or model["alpha"]
    m, n, b = (a[..., -1, :] for a in rank_one_params(ds))  # the last checkpoint of every run
    s = flow_structure(m, n, b, steps=2 * delay_steps, alpha=alpha)
    use = np.argwhere(s["ghost_on_path"])
    r, g2 = [], []
    for index in map(tuple, use):
        value, grad_sq = r_eff_and_gradient(m[index], n[index], b[index], s["ghost_kappa"][index])
        r.append(value)
        g2.append(grad_sq)
    eta_r_c = float(critical_learning_rate(alpha * delay_steps))
    predicted = eta_r_c / np.asarray(g2) if g2 else np.zeros(0)
    return {
        "runs_used": int(len(g2)), "runs": int(np.prod(s["ghost_on_path"].shape)),
        "delay_tau": alpha * delay_steps, "r_star": float(np.pi**2 / (4 * (alpha * delay_steps) ** 2)),
        "r_eff": np.asarray(r), "grad_r_eff_sq": np.asarray(g2), "eta_r_c": eta_r_c, "predicted": predicted,
        "median": float(np.median(predicted)) if g2 else np.nan,
        "spread": (float(predicted.min()), float(predicted.max())) if g2 else (np.nan, np.nan),
    }


def measured_critical_rate(ds) -> dict:
    """The onset of trapping in a learning-rate sweep: the smallest rate at which any run traps.

    As for the reduced model, the critical rate is the infimum of the trapping rates; on a grid it
    lies in (previous rate, first trapping rate]. Returns that interval and the fraction trapped
    at every rate; the interval is (NaN, NaN), with a ``reason``, when no run learned below the
    first trapping rate (there is then no critical rate to measure).
    """
    trapped = (ds["regime"] == TRAPPED).mean("seed").values
    learned = (ds["regime"] == LEARNED).mean("seed").values
    lower, upper = onset_bracket(ds.lr.values, trapped > 0)
    reason = ""
    if not learned[ds.lr.values < upper].any():  # no learning below the onset: no critical rate
        lower, upper, reason = np.nan, np.nan, "no run learned below the first trapping rate"
    return {"lower": lower, "upper": upper, "fraction_trapped": trapped.tolist(), "reason": reason}
