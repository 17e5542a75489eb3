"""What a network's predicted critical rate costs, against the sweep that measures the same onset.

For one delay of figure 22 (default 20 steps), from the committed compact results
(``figures/data/network_critical_rate.nc``):

* **prediction**: :func:`analysis.networks.predict_onset` for the 40 learned networks (their own
  1-D models on the line through each, descended at 80 rates for the networks' 30k epochs), timed
  after a first call that compiles (the second is what a user pays per delay once compiled; the
  first is printed too);
* **sweep**: the measuring sweep is 16 rates x 40 seeds x 30k epochs, plus the 40 learned runs. Its
  cost is measured here on the same grid and seeds for ``--epochs`` epochs (default 2000) after a
  compiling call, and scaled to 30k epochs (the engine's cost per epoch is constant).

The ratio prediction / sweep is the target of issue 19 ("a few percent").

``--architecture "full rank"`` (or ``"full rank (companion)"``) times the same for one delay of
figure 23 instead: its learned networks' weights are not committed, so it reads them from the
gallery's sweep cache (``figures/.cache``, written by ``ghost figures --only 23``); the prediction
there includes each network's ghost search.

Run: python benchmarks/network_critical_rate.py [--delay 20] [--epochs 2000] [--architecture A]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[1]


def main():
    from analysis.figures.network_critical import DATA_NAME, FIRST_SCAN, PREDICTION_SPAN
    from analysis.networks import predict_onset, preset
    from analysis.networks.critical_rate import networks_from_compact

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--architecture", default="rank one")
    args = parser.parse_args()
    if args.architecture != "rank one":
        return other_architecture(args.architecture, args.delay, args.epochs)
    compact = xr.load_dataset(ROOT / "figures" / "data" / DATA_NAME)
    settings = json.loads(compact.attrs["settings"])
    p = preset("fig6a-rank-one")
    task = p.task.with_delay(args.delay)
    epochs = int(compact.attrs["epochs"])
    networks = networks_from_compact(compact, args.delay)
    grid = np.geomspace(PREDICTION_SPAN[0] * FIRST_SCAN[args.delay], PREDICTION_SPAN[1] * FIRST_SCAN[args.delay], 80)
    times = timed_twice(lambda: predict_onset(p.model, task, networks, grid, epochs=epochs))
    row = compact.sel(delay=args.delay)
    rates = row.lr_grid.values[np.isfinite(row.lr_grid.values)].tolist()
    measured, full = sweep_cost(p.model, task, rates, row.seed_value.values.tolist(), epochs, args.epochs, 200)
    report(f"delay {args.delay} steps, {len(networks)} learned networks, {settings['rates']} rates x "
           f"{settings['seeds']} seeds x {epochs} epochs", "prediction", times, measured, args.epochs, full)


def timed_twice(call) -> list[float]:
    """Seconds of two calls: the first compiles, the second is what a user pays once compiled."""
    times = []
    for _ in range(2):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def sweep_cost(model, task, rates, seeds, epochs: int, sample: int, compile_epochs: int, **training):
    """The measuring sweep's seconds for ``sample`` epochs (after a compiling call), and scaled to its
    ``epochs`` plus the learned runs' sweep (one more rate): the engine's cost per epoch is constant."""
    from analysis.networks import train_sweep

    def sweep(n):
        started = time.perf_counter()
        train_sweep(model, task, lr=rates, seeds=seeds, epochs=n, progress=False, **training)
        return time.perf_counter() - started

    sweep(compile_epochs)
    measured = sweep(sample)
    return measured, measured * epochs / sample * (len(rates) + 1) / len(rates)


def report(header: str, what: str, times, measured: float, sample: int, full: float) -> None:
    print(header)
    print(f"{what}: {times[1]:.1f} s (first call, compiling: {times[0]:.1f} s)")
    print(f"sweep: {measured:.1f} s for {sample} epochs -> {full:.0f} s for the full measurement")
    print(f"prediction / sweep: {times[1] / full:.1%} (first call: {times[0] / full:.1%})")


def other_architecture(name: str, delay: int, sweep_epochs: int):
    """Figure 23's prediction for one delay against its measuring sweep, from the gallery's cache."""
    from analysis.figures import Context, Settings
    from analysis.figures import network_critical_more as recipe
    from analysis.figures.context import cache_dir
    from analysis.networks import learned_networks, predict_onset
    from analysis.networks.onset import onset_seeds

    if name not in recipe.STUDIES:
        raise SystemExit(f"--architecture must be one of {('rank one', *recipe.STUDIES)}, got {name!r}")
    ctx = Context(ROOT / "figures", "png", Settings.make(False))
    spec = recipe.settings(ctx)[name]
    if delay not in spec["delays"]:
        raise SystemExit(f"--delay must be one of {spec['delays']} for {name}, got {delay}")
    folder = cache_dir(ctx, "network-critical-more", [name, spec])
    learned_file = folder / f"onset-learned-d{delay}.nc"
    if not learned_file.is_file():
        raise SystemExit(f"no cached sweep at {learned_file}: run `ghost figures --only 23` first")
    model, task, training = recipe.study_setup(name, delay)
    learned = xr.load_dataset(learned_file)
    grid = recipe.prediction_grid(spec)
    count = len(learned_networks(learned))
    times = timed_twice(lambda: predict_onset(
        model, task, learned_networks(learned), grid, epochs=spec["epochs"],
        momentum=training.get("momentum", 0.0), failure="failed", points=recipe.TABLE_POINTS))
    measured, full = sweep_cost(model, task, recipe.sweep_grid(spec).tolist(), onset_seeds(delay, spec["seeds"]),
                                spec["epochs"], sweep_epochs, 20, **training)
    report(f"{name}, delay {delay} steps, {count} learned networks with a ghost, {spec['rates']} rates x "
           f"{spec['seeds']} seeds x {spec['epochs']} epochs", "prediction (ghost searches included)", times,
           measured, sweep_epochs, full)


if __name__ == "__main__":
    main()
