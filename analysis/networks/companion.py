"""The companion study's analysis of its large sweeps: the no-learning onset and its exponent.

Kurtkaya, Dinc et al. (arXiv:2502.17433) train full-rank networks over (learning rate, delay)
(presets ``stm-nopost``, ``stm-post``, ``stm-longtau``) and fit how the delay at which learning
fails scales with the learning rate:

1. per run, *learned* when its reaction accuracy, averaged over the last 10% of its epochs,
   exceeds 0.8 (:func:`no_learning`);
2. per learning rate whose no-learning fraction exceeds 0.1 somewhere, the fraction against the
   delay T (ms) is fitted with ``0 if T < x0 else 1 - exp(-a (T - x0))`` from (x0, a) = (0.1, 0.1);
   the onset is T_c = x0 (:func:`onset_delays`);
3. log lr = B log T_c + log A by least squares over the rates with T_c > 0; B with its standard
   error (:func:`companion_exponent`). The study reports B = -2.72 +- 0.07.

Where this differs from the study: its criterion also asks for a *reliability* above 0.8 and for
stable learning after the first success (its classes 0 and 3), whose definitions the reference
does not give; here only the reaction accuracy (the larger of the two outputs on the response
steps, :func:`analysis.networks.tasks.accuracy_score`) decides, read from the recorded epochs. Its
delay grid starts at T = 0, which this library does not train (delays of at least one step).
"""

from __future__ import annotations

import numpy as np

STEP_MS = 5.0  # the study's dt: one network step is 5 ms


def no_learning(ds, *, threshold: float = 0.8, window: float = 0.1):
    """True for every run whose mean recorded accuracy over its last ``window`` of epochs is <= threshold.

    Runs of a joined sweep with several epoch budgets are judged on their own epochs (the
    records past a run's budget are NaN).
    """
    if not 0 < window <= 1:
        raise ValueError(f"window must lie in (0, 1], got {window!r}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie in (0, 1), got {threshold!r}")
    accuracy = ds["accuracy"].transpose(..., "epoch")
    values = accuracy.values
    finite = np.isfinite(values)
    count = finite.sum(axis=-1, keepdims=True)
    rank = np.cumsum(finite, axis=-1)  # 1-based index among the run's own records
    late = finite & (rank > count - np.ceil(window * count))
    with np.errstate(invalid="ignore"):
        mean = np.where(late, values, 0.0).sum(axis=-1) / late.sum(axis=-1)
    return accuracy.isel(epoch=0, drop=True).copy(data=~(mean > threshold))


def _saturation(T, x0, a):
    with np.errstate(over="ignore"):
        return np.where(T < x0, 0.0, 1 - np.exp(-a * (T - x0)))


def onset_delays(fraction, delays_ms, *, min_fraction: float = 0.1) -> np.ndarray:
    """The fitted onset T_c (ms) of each row of ``fraction`` (rates x delays); NaN where not fitted.

    Rows whose largest fraction is at most ``min_fraction``, or whose fit does not converge,
    give NaN.
    """
    from scipy.optimize import curve_fit

    fraction = np.atleast_2d(np.asarray(fraction, dtype=float))
    delays_ms = np.asarray(delays_ms, dtype=float)
    if fraction.shape[-1] != delays_ms.size:
        raise ValueError(f"fraction has {fraction.shape[-1]} delays but delays_ms has {delays_ms.size}")
    onsets = np.full(fraction.shape[0], np.nan)
    for i, row in enumerate(fraction):  # one small 2-parameter fit per learning rate
        if not np.nanmax(row) > min_fraction:
            continue
        try:
            params, _ = curve_fit(_saturation, delays_ms, row, p0=[0.1, 0.1], maxfev=10_000)
        except RuntimeError:
            continue
        onsets[i] = params[0]
    return onsets


def companion_exponent(ds, *, threshold: float = 0.8, window: float = 0.1, min_fraction: float = 0.1,
                       step_ms: float = STEP_MS) -> dict:
    """The study's exponent B in lr_c ~ T_c^B from a sweep over (delay, lr, seed).

    Returns a dict with ``exponent`` and its standard ``error`` (least squares of log lr on
    log T_c, as the study's ``curve_fit``), ``r2``, the ``onset_ms`` per rate (NaN where not
    fitted) and ``onset_in_range`` (is it inside the swept delays? With few seeds a fit can put
    the onset far outside them; the study's procedure keeps it, and so does this one), the
    ``fraction`` of runs that did not learn (lr x delay) and the ``delays_ms``.
    """
    from scipy.optimize import curve_fit
    from scipy.stats import linregress

    if "delay" not in ds.dims:
        raise ValueError("the sweep must have a delay axis (train it with sweep={'delay': [...]})")
    failed = no_learning(ds, threshold=threshold, window=window)
    fraction = failed.mean("seed").transpose("lr", "delay")
    delays_ms = ds.delay.values * step_ms
    onset = onset_delays(fraction.values, delays_ms, min_fraction=min_fraction)
    lr = ds.lr.values
    used = np.isfinite(onset) & (onset > 0)
    # as in the study, every positive onset counts; whether it lies inside the swept delays (or is
    # an extrapolation of a fit to few or noisy fractions) is reported, not used to filter
    inside = (onset >= delays_ms.min()) & (onset <= delays_ms.max())
    result = {"lr": lr.tolist(), "onset_ms": onset.tolist(), "onset_in_range": inside.tolist(),
              "fraction": fraction.values.tolist(), "delays_ms": delays_ms.tolist(), "exponent": np.nan,
              "error": np.nan, "r2": np.nan, "rates_fitted": int(used.sum())}
    if used.sum() >= 3:
        x, y = np.log(onset[used]), np.log(lr[used])
        (slope, _), cov = curve_fit(lambda t, b, c: b * t + c, x, y)
        result.update(exponent=float(slope), error=float(np.sqrt(cov[0, 0])), r2=float(linregress(x, y).rvalue ** 2))
    return result
