"""Recipe of figure 23: the network's own 1-D model tried on two more architectures.

* **full rank**: the Fig 5 network (full-rank, noise 1e-2, random start r0 ~ tanh(0.1 xi)) on
  cue discrimination with the Fig 5 timing (2 cue steps, 10 response steps) at several delays,
  plain SGD;
* **full rank (companion)**: the companion study's network (two inputs, two sigmoid outputs, a
  recurrent bias of its own, SGD with momentum 0.9 and weight decay 1e-7) on its one-hot cue
  discrimination, at reduced size (2 trials per class instead of 64, a fixed budget of 1000 epochs).

Per study and delay: 40 seeds of their own on a log grid of rates; the onset is the rate at which
10% of the runs fail (trapped, oscillating or diverged: in these networks failure at high rates
is mostly oscillation, so the trapped-only onset is reported beside it); the prediction comes from
the runs at each grid's lowest rate that learned and whose network has a ghost, each through its
own 1-D model along the gradient of its ghost's r_eff (the N-D normal form,
:func:`analysis.networks.critical_rate.flow_r_eff`), descended with the network's own optimiser.

A full-rank network's weights are too large to keep for every seed, so the compact results
(``figures/data/network_critical_rate_<study>.nc``) hold every run's regime and, per learned network,
the regime of its 1-D model at every rate of the prediction grid, computed once after the sweeps;
the default run redraws from them when their settings match, and trains (cached, resumable) when not.
"""

from __future__ import annotations

import json
import re

import numpy as np

from reduced import critical_learning_rate

from ..descent import critical_learning_rate_numeric, fit_power_law
from ..networks import preset
from ..networks.critical_rate import learned_networks, predict_onset, sharp_onset
from ..networks.onset import compact_onsets, delay_sweep, failing, onset_quantile, quantile_rate, trapping_onset_sweeps
from ..networks.own_model import descend_line
from ..networks.tasks import cue_discrimination, onehot_cue_discrimination
from ..plotting.network_critical import plot_network_critical_more
from ..regimes import REGIMES
from .context import cache_dir, finite_or_none, save_data, saved_data, scale_entry

STUDIES = ("full rank", "full rank (companion)")
PREDICTION_POINTS = 60
# a full-rank network's table costs about one full-batch gradient per point (about 20 s per network
# at 4001 points on two busy cores): 1001 points keep a study's predictions to minutes
TABLE_POINTS = 1001
TRIALS_PER_CLASS = 2  # the companion's task at reduced size (it trains on 64 per class)
PREDICTION_SPAN = (0.3, 4.0)  # the prediction grid relative to the sweep grid's ends


def study_setup(name: str, delay: int):
    """(model, task, training options) of one study at one delay."""
    if name == "full rank":
        return preset("fig5-dcdt").model, cue_discrimination(2, delay, 10), {}
    p = preset("stm-nopost")
    return (p.model, onehot_cue_discrimination(6, delay, 10, trials_per_class=TRIALS_PER_CLASS),
            {"optimizer": "momentum", "momentum": 0.9, "weight_decay": 1e-7})


def settings(ctx) -> dict:
    # sized for about an hour per study on one core: a full-rank network-epoch costs about 20 times
    # a rank-one one. The Fig 5 networks learn within 2000 epochs at the grid's lowest rates (Fig 5
    # trains 3001); the companion's within a few hundred (its own budget is max(1000, 30 / lr))
    full = {"full rank": {"delays": [10, 16, 24], "rate_span": [0.1, 2.0], "rates": 8, "epochs": 2000},
            "full rank (companion)": {"delays": [8, 16, 24], "rate_span": [0.05, 2.0], "rates": 8, "epochs": 1000}}
    out = {}
    for name, spec in full.items():
        out[name] = {"delays": ctx.rnn.pick(spec["delays"][:1], spec["delays"]), "rate_span": spec["rate_span"],
                     "rates": ctx.rnn.pick(4, spec["rates"]), "seeds": ctx.rnn.pick(3, 40),
                     "epochs": ctx.rnn.pick(400, spec["epochs"])}
    return out


def data_name(name: str) -> str:
    """The compact file of one study."""
    return "network_critical_rate_" + "_".join(re.findall(r"[a-z0-9]+", name)) + ".nc"


def study_data(ctx, name: str):
    """One study's compact per-run results and its 1-D models' regimes: read back, or trained and saved."""
    config = settings(ctx)[name]
    saved = saved_data(ctx, data_name(name), config)
    if saved is not None:
        return saved
    data = _train_and_predict(ctx, name, config)
    data.attrs["settings"] = json.dumps(config, sort_keys=True)
    save_data(ctx, data, data_name(name))
    return data


def sweep_grid(spec: dict) -> np.ndarray:
    """The rates a study sweeps at every delay."""
    return np.geomspace(*spec["rate_span"], spec["rates"])


def prediction_grid(spec: dict) -> np.ndarray:
    low, high = spec["rate_span"]
    return np.geomspace(PREDICTION_SPAN[0] * low, PREDICTION_SPAN[1] * high, PREDICTION_POINTS)


def _train_and_predict(ctx, name: str, spec: dict):
    """One study's sweeps (cached) and, per delay, every learned network's 1-D model at every prediction rate."""

    delays = spec["delays"]
    results = {}
    for delay in delays:  # each delay its own task (the companion's trials differ from with_delay's)
        model, task, training = study_setup(name, delay)
        results.update(trapping_onset_sweeps(
            model, task, [delay], [sweep_grid(spec)], seeds=spec["seeds"], epochs=spec["epochs"],
            checkpoint_every=max(1, spec["epochs"] // 40), executor=ctx.executor,
            out_dir=cache_dir(ctx, "network-critical-more", [name, spec]), **training))
    compact = compact_onsets(results, spec, params=False)
    grid = prediction_grid(spec)
    shape = (len(delays), compact.sizes["seed"], grid.size)
    regime = {start: np.full(shape, -1, np.int8) for start in ("plateau", "above", "plain")}
    grad_r, r_eff, sharp, clipped = (np.full(shape[:2], np.nan) for _ in range(4))
    for i, delay in enumerate(delays):
        model, task, training = study_setup(name, delay)
        networks = learned_networks(results[delay]["learned"])
        if not networks:
            continue
        seeds = list(compact.seed_value.values[i])
        rows = [seeds.index(net["seed"]) for net in networks]
        mu = training.get("momentum", 0.0)
        own = predict_onset(model, task, networks, grid, epochs=spec["epochs"], starts=("plateau", "above"),
                            momentum=mu, failure="failed", points=TABLE_POINTS)
        for start in ("plateau", "above"):
            regime[start][i, rows] = own[start]["regime"]
        if mu:  # the same tables descended without momentum: what the plain theory predicts
            regime["plain"][i, rows] = descend_line(own["tables"], grid, epochs=spec["epochs"])["regime"]
        else:
            regime["plain"][i, rows] = own["plateau"]["regime"]
        grad_r[i, rows] = [t.grad_r_eff for t in own["tables"]]
        clipped[i, rows] = own["start_clipped"]  # its loss before the drop lies above its whole line
        r_eff[i, rows] = [t.r_eff for t in own["tables"]]
        sharp[i, rows] = _closed_form(model.alpha * delay, mu) / np.array([t.grad_r_eff for t in own["tables"]]) ** 2
    return compact.assign(
        {f"predicted_regime_{k}": (("delay", "seed", "prediction_rate"), v) for k, v in regime.items()}
    ).assign(prediction_lr=(("prediction_rate",), grid), grad_r_eff=(("delay", "seed"), grad_r),
             r_eff=(("delay", "seed"), r_eff), closed_form=(("delay", "seed"), sharp),
             start_clipped=(("delay", "seed"), clipped))


def _closed_form(T: float, momentum: float) -> float:
    """The sharp reduced model's eta_c at passage T: closed form for plain descent, numeric with momentum."""
    if not momentum:
        return float(critical_learning_rate(T))
    return float(critical_learning_rate_numeric(T, optimizer="momentum", momentum=momentum))


def fig_network_critical_more(ctx):
    """Measured onset of failure against the delay for two more architectures, with their own 1-D models' prediction."""
    entries = []
    for name in STUDIES:
        part = study_data(ctx, name)
        spec = json.loads(part.attrs["settings"])
        grid = prediction_grid(spec)
        for i, delay in enumerate(spec["delays"]):
            row = part.isel(delay=i)
            sweep = delay_sweep(part, int(delay))
            failed = onset_quantile(sweep, failure="failed")
            trapped = onset_quantile(sweep)
            model, _, training = study_setup(name, int(delay))
            have = np.asarray(row["predicted_regime_plateau"].values[:, 0] >= 0)
            predicted = {k: _predicted(row[f"predicted_regime_{k}"].values[have], grid)
                         for k in ("plateau", "above", "plain")}
            closed = row.closed_form.values[have]
            predicted["closed_form"] = (float(sharp_onset(list(closed), grid)) if have.any() else np.nan)
            lowest = {k: _share(row[f"predicted_regime_{k}"].values[have], 0) for k in ("plateau", "plain")}
            entries.append({
                "architecture": name, "task": "cue discrimination (Fig 5 timing)" if name == "full rank"
                else f"one-hot cue discrimination (companion, {TRIALS_PER_CLASS} trials per class)",
                "optimizer": "SGD" if not training else "SGD, momentum 0.9, weight decay 1e-7",
                "delay_steps": int(delay), "delay_tau": float(model.alpha * delay), "quantile": 0.1,
                "failure": "trapped, oscillating or diverged",
                "measured": finite_or_none(failed["value"]), "measured_ci": [finite_or_none(v) for v in failed["ci"]],
                "measured_q50": finite_or_none(failed["q50"]), "measured_trapped": finite_or_none(trapped["value"]),
                "learned_below_onset": finite_or_none(failed["learned_below"]), "seeds": failed["seeds"],
                "epochs": spec["epochs"],
                "rate_grid": [float(spec["rate_span"][0]), float(spec["rate_span"][1])],
                "networks_predicted_from": int(have.sum()),
                "predicted": finite_or_none(predicted["plateau"]),
                "ablation": {"closed_form": finite_or_none(predicted["closed_form"]),
                             "own_landscape": finite_or_none(predicted["plateau"]),
                             "start_above": finite_or_none(predicted["above"]),
                             "without_momentum": finite_or_none(predicted["plain"]) if training else None},
                "prediction_grid": [float(grid[0]), float(grid[-1])],
                "ablation_bound": {k: _bound(v, grid, int(have.sum())) if v is not None else None for k, v in (
                    ("closed_form", predicted["closed_form"]), ("own_landscape", predicted["plateau"]),
                    ("start_above", predicted["above"]),
                    ("without_momentum", predicted["plain"] if training else None))},
                "start_clipped": finite_or_none(np.nanmean(row.start_clipped.values[have])) if have.any() else None,
                # how the own 1-D models end at the prediction grid's lowest rate: trapped there is a
                # failure at every rate (a start where the gradient has vanished), not one the rate causes
                "own_model_at_lowest_rate": lowest["plateau"],
                "own_model_without_momentum_at_lowest_rate": lowest["plain"] if training else None,
                "median_r_eff": finite_or_none(np.nanmedian(row.r_eff.values[have])) if have.any() else None,
                "median_grad_r_eff": finite_or_none(np.nanmedian(row.grad_r_eff.values[have])) if have.any() else None})
    _add_exponents(entries)
    sizes = settings(ctx)
    scale = scale_entry({name: ({"epochs": sizes[name]["epochs"], "seeds": sizes[name]["seeds"],
                                 "rates": sizes[name]["rates"], "delays": len(sizes[name]["delays"])}, None)
                         for name in STUDIES},
                        note=f"the companion's task at {TRIALS_PER_CLASS} of its 64 trials per class")
    return plot_network_critical_more(entries), {"network_critical_rate": entries, "scale": scale}


def _predicted(regime: np.ndarray, grid: np.ndarray) -> float:
    """The 10% rate of the 1-D models' failed fraction (NaN: none, or never reached on the grid); rows of
    -1 (networks without such a start) are left out."""
    regime = regime[regime[:, 0] >= 0]
    if regime.shape[0] == 0:
        return np.nan
    return float(quantile_rate(grid, failing(regime, "failed").mean(axis=0), 0.1))


def _bound(value: float, grid: np.ndarray, networks: int) -> str | None:
    """"below" where the grid's first rate already gives 10% (the value is that rate, an upper bound),
    "above" where no rate of the grid does although networks were predicted from, else None."""
    if not networks:
        return None
    if not np.isfinite(value):
        return "above"
    return "below" if value <= grid[0] else None


def _share(regime: np.ndarray, column: int) -> dict | None:
    """The fraction of the 1-D models in each regime at one rate of the prediction grid (rows of -1 left out)."""
    regime = regime[regime[:, 0] >= 0]
    if regime.shape[0] == 0:
        return None
    return {name: float(np.mean(regime[:, column] == k)) for k, name in enumerate(REGIMES)}


def _add_exponents(entries: list[dict]) -> None:
    """Per architecture, the fitted exponents in alpha T of the measured onset and of the prediction."""
    for name in STUDIES:
        own = [e for e in entries if e["architecture"] == name]
        tau = np.array([e["delay_tau"] for e in own])
        fits = {}
        # a prediction that is only a bound (the grid's first rate) is left out of its fit
        predicted = [None if e["ablation_bound"]["own_landscape"] else e["predicted"] for e in own]
        for key, values in (("measured", [e["measured"] for e in own]), ("predicted", predicted)):
            v = np.array([np.nan if x is None else x for x in values], float)
            ok = np.isfinite(v)
            fits[key] = fit_power_law(tau[ok], v[ok]) if ok.sum() >= 3 else None
        for e in own:
            e["measured_exponent"] = None if fits["measured"] is None else fits["measured"].exponent
            e["measured_exponent_ci"] = None if fits["measured"] is None else list(fits["measured"].ci)
            e["predicted_exponent"] = None if fits["predicted"] is None else fits["predicted"].exponent
