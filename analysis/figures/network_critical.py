"""Recipe of figure 22: the network's critical learning rate, measured and predicted from its own 1-D model.

Rank-one networks on delayed activation at six delays (10 to 28 steps, 5 to 14 tau), 40 seeds of
their own per delay (so that the delays are independent samples) on 16 rates dense around the
onset, 30k epochs; the onset is the rate at which 10% of the runs are trapped, with a bootstrap
interval over seeds (:mod:`analysis.networks.onset`). The prediction starts from the same seeds'
runs at the lowest rate of each grid, which learn (:mod:`analysis.networks.critical_rate`).

The measurement takes over an hour on two cores, so the default run reads its compact per-run
results (regimes, the learned networks' parameters and their losses before the drop: under a
megabyte) from ``figures/data/network_critical_rate.nc`` when that file holds the same settings,
and recomputes every prediction from them (the prediction is what a user runs without the sweep).
Without the file it runs the sweeps (cached, resumable) and writes the file.
"""

from __future__ import annotations

import json

import numpy as np

from ..descent import fit_power_law
from ..networks import preset
from ..networks.critical_rate import networks_from_compact, predict_onset, sharp_onset
from ..networks.onset import compact_onsets, delay_sweep, onset_quantile, trapping_onset_sweeps
from ..plotting.network_critical import ABLATION_STYLE, plot_network_critical_rate
from .context import cache_dir, finite_or_none, save_data, saved_data, scale_entry

DATA_NAME = "network_critical_rate.nc"
# the onset of the first 5-seed scan of figure 20 (20k epochs) per delay: the grids are centred on it
FIRST_SCAN = {10: 0.0475, 14: 0.027, 17: 0.0196, 20: 0.015, 24: 0.00905, 28: 0.0059}
GRID_SPAN = (0.35, 1.8)  # each grid runs from 0.35 to 1.8 times that onset
PREDICTION_SPAN = (0.1, 4.0)  # the predictions' grid, wider, relative to the same onset
GAIN_FACTOR = 10.0


def settings(ctx) -> dict:
    delays = ctx.rnn.pick((10, 14), tuple(FIRST_SCAN))
    return {"delays": list(delays), "rates": ctx.rnn.pick(6, 16), "seeds": ctx.rnn.pick(6, 40),
            "epochs": ctx.rnn.pick(12_000, 30_000), "checkpoint_every": 100, "grid_span": list(GRID_SPAN),
            "first_scan": {str(d): FIRST_SCAN[d] for d in delays}}


def compact_data(ctx):
    """The compact per-run results of this figure's sweeps: read back if saved, else trained and saved."""
    config = settings(ctx)
    saved = saved_data(ctx, DATA_NAME, config)
    if saved is not None:
        return saved
    p = preset("fig6a-rank-one")
    grids = [np.geomspace(GRID_SPAN[0] * FIRST_SCAN[d], GRID_SPAN[1] * FIRST_SCAN[d], config["rates"])
             for d in config["delays"]]
    results = trapping_onset_sweeps(p.model, p.task, config["delays"], grids, seeds=config["seeds"],
                                    epochs=config["epochs"], checkpoint_every=config["checkpoint_every"],
                                    out_dir=cache_dir(ctx, "network-critical-rate", [config]), executor=ctx.executor)
    compact = compact_onsets(results, config)
    save_data(ctx, compact, DATA_NAME)  # the full study's results are worth keeping beside the figures
    return compact


def _rate_and_bound(value: float, grid) -> tuple[float | None, str | None]:
    """A 10% rate for summary.json, with "below" where the grid's first rate already traps 10%."""
    if not np.isfinite(value):
        return float(grid[-1]), "above"
    return float(value), ("below" if value <= grid[0] else None)


def fig_network_critical_rate(ctx):
    """Measured onset of trapping against the delay, with the network's own 1-D model's prediction."""
    compact = compact_data(ctx)
    config = json.loads(compact.attrs["settings"])
    p = preset("fig6a-rank-one")
    entries = []
    for delay in config["delays"]:
        measured = onset_quantile(delay_sweep(compact, delay))
        networks = networks_from_compact(compact, delay)
        task = p.task.with_delay(delay)
        grid = np.geomspace(PREDICTION_SPAN[0] * FIRST_SCAN[delay], PREDICTION_SPAN[1] * FIRST_SCAN[delay], 80)
        ablation, bound, own = _predictions(p, task, networks, grid, int(compact.attrs["epochs"]))
        entries.append({
            "architecture": "rank one", "task": "delayed activation", "delay_steps": int(delay),
            "delay_tau": float(p.model.alpha * delay), "quantile": 0.1,
            "predicted": ablation["own_landscape"], "predicted_bound": bound["own_landscape"],
            "predicted_q50": None if own is None else finite_or_none(own["plateau"]["q50"]),
            "measured": finite_or_none(measured["value"]), "measured_ci": [finite_or_none(v) for v in measured["ci"]],
            "measured_q50": finite_or_none(measured["q50"]),
            "measured_q50_ci": [finite_or_none(v) for v in measured["q50_ci"]],
            "learned_below_onset": measured["learned_below"], "seeds": measured["seeds"],
            "epochs": int(compact.attrs["epochs"]), "networks_predicted_from": len(networks),
            "ablation": ablation, "ablation_bound": bound,
            "left_table": None if own is None else own["plateau"]["left_grid"],
            "trapped_beyond_minimum": None if own is None else own["plateau"]["trapped_beyond_minimum"]})
    _add_exponents(entries)
    used = {"epochs": int(compact.attrs["epochs"]), "seeds": config["seeds"], "rates": config["rates"],
            "delays": len(config["delays"])}
    return plot_network_critical_rate(entries), {"network_critical_rate": entries,
                                                 "scale": scale_entry({"rank one": (used, None)})}


def _predictions(p, task, networks, grid, epochs):
    """Each prediction's 10% rate and bound, and the own model's full result (None: no network).

    The time a prediction takes is measured by ``benchmarks/network_critical_rate.py`` (not here:
    summary.json holds only what a rerun reproduces exactly)."""
    if not networks:  # no run learned at the lowest rate within the epochs: nothing to predict from
        return {k: None for k in ABLATION_STYLE}, {k: "no learned network" for k in ABLATION_STYLE}, None
    own = predict_onset(p.model, task, networks, grid, epochs=epochs, starts=("plateau", "above"))
    sharper = predict_onset(p.model, task, networks, grid, epochs=epochs, gain=GAIN_FACTOR * p.model.gain)
    ablation, bound = {}, {}
    for key, value in (("closed_form", sharp_onset(own["sharp"], grid)), ("own_landscape", own["plateau"]["value"]),
                       ("start_above", own["above"]["value"]), ("sharper_readout", sharper["plateau"]["value"])):
        ablation[key], bound[key] = _rate_and_bound(value, grid)
    return ablation, bound, own


def _add_exponents(entries: list[dict]) -> None:
    """Fitted exponents in alpha T of the measured onset and of each prediction (None: fewer than 3 points)."""
    tau = np.array([e["delay_tau"] for e in entries])

    def fit(values, bounds):
        values = np.array([np.nan if v is None else v for v in values], float)
        ok = np.isfinite(values) & np.array([b is None for b in bounds])
        return fit_power_law(tau[ok], values[ok]) if ok.sum() >= 3 else None

    measured = fit([e["measured"] for e in entries], [None] * len(entries))
    exponents = {key: fit([e["ablation"][key] for e in entries], [e["ablation_bound"][key] for e in entries])
                 for key in ABLATION_STYLE}
    for e in entries:
        e["measured_exponent"] = None if measured is None else measured.exponent
        e["measured_exponent_ci"] = None if measured is None else list(measured.ci)
        e["predicted_exponent"] = None if exponents["own_landscape"] is None else exponents["own_landscape"].exponent
        e["ablation_exponent"] = {k: None if f is None else f.exponent for k, f in exponents.items()}
