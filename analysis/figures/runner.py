"""``ghost figures``, the main job: every figure and the table of key numbers (summary.json).

Each entry of :data:`FIGURES` is a recipe (:mod:`.reduced_model`, :mod:`.networks`) that computes
its data and returns its figure and its summary entries; :func:`make_figures` saves the figures
and writes the entries, in this order, to ``summary.json``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reduced import __version__

from ..plotting.style import save_figure
from . import full_rank, network_critical, network_critical_more, networks, reduced_model
from .context import SCALES, Context, Settings

FORMATS = ("png", "pdf", "svg")

FIGURES: list[tuple[str, str, Callable]] = [
    ("01_canonical_form", "dx/dt = x^2 + r: fixed points merge and leave a ghost", reduced_model.fig_canonical_form),
    ("02_trajectories", "lingering near the ghost; passage time pi/(2 sqrt r)", reduced_model.fig_trajectories),
    ("03_landscape", "sharp, finite-a and Euler loss landscapes", reduced_model.fig_landscape),
    ("04_vanishing_gradient", "the gradient in the no-learning zone is exponentially small",
     reduced_model.fig_vanishing_gradient),
    ("05_learning_dynamics", "oscillation, trapping, abrupt learning; GD vs flow", reduced_model.fig_learning_dynamics),
    ("06_reference_experiment", "loss vs learning rate jumps above eta_c", reduced_model.fig_reference_experiment),
    ("07_phase_eta_T", "regimes over (T, eta) with eta_c(T)", reduced_model.fig_phase_eta_T),
    ("08_phase_eta_a", "vanishing-gradient and oscillatory regimes over (a, eta)", reduced_model.fig_phase_eta_a),
    ("09_scaling", "eta_c against T: numeric, closed form and fitted exponent", reduced_model.fig_scaling),
    ("10_normal_form", "normal-form passage-time prediction in a 2-D system", reduced_model.fig_normal_form),
    ("11_rnn_ghost_lag", "rank-one networks: ghost epoch against the epoch of the abrupt drop",
     networks.fig_rnn_ghost_lag),
    ("12_optimizers", "momentum and Adam: eta_c against the momentum coefficient and against T",
     reduced_model.fig_optimizers),
    ("13_rnn_rank_one_run", "a rank-one network's abrupt drop and its latent flow before, at and after it",
     networks.fig_rnn_rank_one_run),
    ("14_rnn_lr_sweeps", "regimes against the learning rate, rank-one and full-rank networks",
     networks.fig_rnn_lr_sweeps),
    ("15_rnn_flow_maps", "rank-2 networks: latent flow maps with fixed points and ghosts",
     networks.fig_rnn_flow_maps),
    ("16_rnn_slow_points", "full-rank networks: slow points near the trajectories, PCA",
     networks.fig_rnn_slow_points),
    ("17_rnn_rank_remedy", "more trainable rank, more networks learn", networks.fig_rnn_rank_remedy),
    ("18_rnn_gain_ablation", "lowering the gain frees trapped networks; the reduced model's trap against a",
     networks.fig_rnn_gain_ablation),
    ("19_rnn_confidence", "a learnable gain restarted at 1, and a normalised readout", networks.fig_rnn_confidence),
    ("20_rnn_scaling", "the critical learning rate against the delay in networks", networks.fig_rnn_scaling),
    ("21_rnn_large_rates", "full-rank networks at large learning rates: loss, gradient and weight norms (Fig 7)",
     full_rank.fig_rnn_large_rates),
    ("22_rnn_critical_rate", "rank-one networks: the onset of trapping against the delay, predicted by their own "
     "1-D models", network_critical.fig_network_critical_rate),
    ("23_rnn_critical_rate_more", "full-rank networks, with SGD and with momentum: the onset of failure against "
     "the delay, predicted by their own 1-D models", network_critical_more.fig_network_critical_more),
]


def merged_entries(old, new):
    """A summary value as a recipe returns it, except that a list of per-``architecture`` entries
    replaces only the entries of its own architectures: two figures (22 and 23) share
    ``network_critical_rate``, one entry per delay and architecture."""
    def per_architecture(value):
        return isinstance(value, list) and all(isinstance(e, dict) and "architecture" in e for e in value)

    if new and per_architecture(old) and per_architecture(new):
        mine = {e["architecture"] for e in new}
        kept = [e for e in old if e["architecture"] not in mine]
        # in the place of the entries they replace, so that redrawing one figure keeps the order
        at = next((i for i, e in enumerate(old) if e["architecture"] in mine), len(old))
        at -= sum(1 for e in old[:at] if e["architecture"] in mine)
        return kept[:at] + new + kept[at:]
    return new


def check_output_dir(out: Path) -> Path:
    """Create ``out`` if needed and make sure it is writable (ValueError otherwise)."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--out: cannot create {out}: {exc.strerror}") from None
    if not os.access(out, os.W_OK):
        raise ValueError(f"--out: directory {out} is not writable")
    return out


def selected_figures(only) -> list[tuple[str, str, Callable]]:
    """The entries of :data:`FIGURES` named (or numbered, e.g. "21") in ``only``; all of them for None."""
    if only is None:
        return list(FIGURES)
    wanted = [str(w) for w in only]
    picked = [f for f in FIGURES if any(f[0] == w or f[0].split("_")[0] == w.zfill(2) for w in wanted)]
    unknown = [w for w in wanted if not any(f[0] == w or f[0].split("_")[0] == w.zfill(2) for f in FIGURES)]
    if unknown or not picked:
        raise ValueError(f"only: unknown figure(s) {unknown}; choose from {[f[0] for f in FIGURES]} (or their numbers)")
    return picked


def make_figures(out: str | os.PathLike = "figures", *, quick: bool = False, fmt: str = "png", jobs: int = 1,
                 progress: bool | None = None, executor=None, scale: str = "default", only=None) -> dict:
    """Regenerate every figure into ``out`` and write ``summary.json``; return the summary.

    ``executor`` (any ``concurrent.futures.Executor``, e.g. from :func:`analysis.cluster.cluster_executor`)
    runs the phase-diagram sweeps; otherwise ``jobs > 1`` starts a local process pool. ``scale``
    "reference" runs the network experiments whose recipes name the reference's sizes at those
    sizes. ``only`` (names or numbers of figures) draws those alone and updates their entries in
    an existing ``summary.json``, keeping the others.
    """
    from tqdm.auto import tqdm

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    if scale not in SCALES[1:]:
        raise ValueError(f"scale must be one of {SCALES[1:]}, got {scale!r}")
    figures = selected_figures(only)
    out = check_output_dir(Path(out))
    settings = Settings.make(quick)
    own_pool = executor is None and jobs > 1
    if own_pool:
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    summary: dict = {"version": __version__, "quick": quick, "settings": settings.__dict__, "files": {}}
    previous = out / "summary.json"
    if only is not None and previous.is_file():  # a partial run keeps the other figures' entries
        summary = json.loads(previous.read_text()) | {"version": __version__}
    ctx = Context(out, fmt, settings, executor, scale)
    start = time.perf_counter()
    try:
        show = None if progress is None else not progress
        for name, caption, make in tqdm(figures, desc="figures", unit="fig", disable=show):
            fig, entries = make(ctx)
            path = save_figure(fig, out / f"{name}.{fmt}")
            summary["files"][name] = {"file": path.name, "caption": caption}
            drawn = entries.pop("scale", None)  # a network figure says the sizes it was drawn at
            if drawn is not None:
                summary.setdefault("scales", {})[name] = drawn | {"option": "quick" if quick else scale}
            summary.update({key: merged_entries(summary.get(key), value) for key, value in entries.items()})
    finally:
        if own_pool:
            executor.shutdown()
    summary["minimum"] = reduced_model.minimum_summary()
    # the committed summary must be reproducible bit for bit: the timing is returned, not saved
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary | {"seconds": round(time.perf_counter() - start, 1), "drawn": [f[0] for f in figures]}
