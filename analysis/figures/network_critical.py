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
import time
from pathlib import Path

import numpy as np

from ..descent import fit_power_law
from ..networks import preset
from ..networks.critical_rate import networks_from_compact, predict_onset, sharp_onset
from ..networks.onset import compact_onsets, delay_sweep, onset_quantile, trapping_onset_sweeps
from ..plotting.network_critical import ABLATION_STYLE, plot_network_critical_rate
from ..store import write_netcdf
from .context import cache_dir

DATA_NAME = "network_critical_rate.nc"
# the onset of the first 5-seed scan of figure 20 (20k epochs) per delay: the grids are centred on it
FIRST_SCAN = {10: 0.0475, 14: 0.027, 17: 0.0196, 20: 0.015, 24: 0.00905, 28: 0.0059}
GRID_SPAN = (0.35, 1.8)  # each grid runs from 0.35 to 1.8 times that onset
PREDICTION_SPAN = (0.1, 4.0)  # the predictions' grid, wider, relative to the same onset
GAIN_FACTOR = 10.0


def settings(ctx) -> dict:
    delays = ctx.rnn.pick((10, 14), tuple(FIRST_SCAN))
    return {"delays": list(delays), "rates": ctx.rnn.pick(6, 16), "seeds": ctx.rnn.pick(6, 40),
            "epochs": ctx.rnn.pick(8000, 30_000), "checkpoint_every": 100, "grid_span": list(GRID_SPAN),
            "first_scan": {str(d): FIRST_SCAN[d] for d in delays}}


def _data_file(ctx, config: dict) -> Path | None:
    """A compact file with exactly these settings: in OUT/data, else in the repository's figures/data."""
    for folder in (ctx.out / "data", Path(__file__).resolve().parents[2] / "figures" / "data"):
        path = folder / DATA_NAME
        if path.is_file():
            import xarray as xr

            with xr.open_dataset(path) as ds:
                if json.loads(ds.attrs["settings"]) == config:
                    return path
    return None


def compact_data(ctx):
    """The compact per-run results of this figure's sweeps: read back if saved, else trained and saved."""
    import xarray as xr

    config = settings(ctx)
    path = _data_file(ctx, config)
    if path is not None:
        return xr.load_dataset(path)
    p = preset("fig6a-rank-one")
    grids = [np.geomspace(GRID_SPAN[0] * FIRST_SCAN[d], GRID_SPAN[1] * FIRST_SCAN[d], config["rates"])
             for d in config["delays"]]
    results = trapping_onset_sweeps(p.model, p.task, config["delays"], grids, seeds=config["seeds"],
                                    epochs=config["epochs"], checkpoint_every=config["checkpoint_every"],
                                    out_dir=cache_dir(ctx, "network-critical-rate", [config]), executor=ctx.executor)
    compact = compact_onsets(results, config)
    if not ctx.rnn.quick:  # the full study's results are worth keeping beside the figures
        (ctx.out / "data").mkdir(exist_ok=True)
        write_netcdf(compact, ctx.out / "data" / DATA_NAME, overwrite=True)
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
        started = time.perf_counter()
        own = predict_onset(p.model, task, networks, grid, epochs=compact.attrs["epochs"], starts=("plateau", "above"))
        seconds = time.perf_counter() - started
        sharper = predict_onset(p.model, task, networks, grid, epochs=compact.attrs["epochs"],
                                gain=GAIN_FACTOR * p.model.gain)
        ablation, bound = {}, {}
        for key, value in (("closed_form", sharp_onset(own["sharp"], grid)), ("own_landscape", own["plateau"]["value"]),
                           ("start_above", own["above"]["value"]), ("sharper_readout", sharper["plateau"]["value"])):
            ablation[key], bound[key] = _rate_and_bound(value, grid)
        entries.append({
            "architecture": "rank one", "task": "delayed activation", "delay_steps": int(delay),
            "delay_tau": float(p.model.alpha * delay), "quantile": 0.1,
            "predicted": ablation["own_landscape"], "predicted_bound": bound["own_landscape"],
            "predicted_q50": own["plateau"]["q50"], "measured": measured["value"], "measured_ci": measured["ci"],
            "measured_q50": measured["q50"], "measured_q50_ci": measured["q50_ci"],
            "learned_below_onset": measured["learned_below"], "seeds": measured["seeds"],
            "epochs": int(compact.attrs["epochs"]), "networks_predicted_from": len(networks),
            "ablation": ablation, "ablation_bound": bound, "prediction_seconds": seconds,
            "left_table": own["plateau"]["left_grid"]})
    _add_exponents(entries)
    return plot_network_critical_rate(entries), {"network_critical_rate": entries}


def _add_exponents(entries: list[dict]) -> None:
    """Fitted exponents in alpha T of the measured onset and of each prediction (None: fewer than 3 points)."""
    tau = np.array([e["delay_tau"] for e in entries])

    def fit(values, bounds=None):
        values = np.array([np.nan if v is None else v for v in values], float)
        ok = np.isfinite(values) & (np.array([b is None for b in bounds]) if bounds else True)
        return fit_power_law(tau[ok], values[ok]) if ok.sum() >= 3 else None

    measured = fit([e["measured"] for e in entries])
    exponents = {key: fit([e["ablation"][key] for e in entries], [e["ablation_bound"][key] for e in entries])
                 for key in ABLATION_STYLE}
    for e in entries:
        e["measured_exponent"] = None if measured is None else measured.exponent
        e["measured_exponent_ci"] = None if measured is None else list(measured.ci)
        e["predicted_exponent"] = None if exponents["own_landscape"] is None else exponents["own_landscape"].exponent
        e["ablation_exponent"] = {k: None if f is None else f.exponent for k, f in exponents.items()}
