"""Every RNN experiment of the paper (Dinc et al., arXiv:2501.02378) as a named preset.

A :class:`Preset` holds the model, the task and the training settings of one experiment as the
authors' scripts set them; ``preset(name).run(**overrides)`` trains it with
:func:`~analysis.networks.train_sweep` (override ``epochs``, ``seeds``, ``lr`` ... for a reduced
version). Where an experiment continues in a second phase (the gain ablation, the learnable
gain restarted at 1, the readout normalisation), ``followup`` records that phase's settings.

The companion study (Kurtkaya, Dinc et al., arXiv:2502.17433; "STM") sweeps full-rank networks
over learning rate and delay on a one-hot cue discrimination: ``stm-nopost``, ``stm-post`` and
``stm-longtau`` are its three large sweeps (30 learning rates x 20 delays x 100 or 20 seeds). Its
epoch budget depends on the learning rate, max(1000, 30 / lr) (``epochs_rule``); ``run`` trains each
budget as its own sweep and joins them along ``lr`` (epochs past a run's budget are NaN). Its
delays are 4 l steps for l = 1..20: the study's l = 0 (no delay) is left out, because this library
refuses delays shorter than one step. The reference gives no epoch budget for ``stm-longtau``; it
uses the no-post rule. Not reachable as presets: its fixed-point-task and rank-2
examples, whose targets the reference does not state exactly.

Deliberate differences from the reference code: JAX's random streams (so seed 40 here is not
PyTorch's seed 40), float32 throughout, and one gradient norm for every experiment (the L2
norm over all trained parameters; Fig 4 logged |grad S_l| + |grad S_r|, Figs 5, 7, 8C only
|grad W_rec|).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .models import DelayedActivationRNN, TaskRNN
from .tasks import Task, cue_discrimination, delayed_activation, match_to_sample, onehot_cue_discrimination
from .training import train_sweep


@dataclass(frozen=True)
class Preset:
    """One experiment: what to train, how, and where it appears in the paper.

    Attributes
    ----------
    name : str
        The preset's name (e.g. "fig6a-rank-one") and what it reproduces.
    description : str
        The preset's name (e.g. "fig6a-rank-one") and what it reproduces.
    model : DelayedActivationRNN or TaskRNN
        The network.
    task : Task
        The task it learns.
    lr : tuple of float
        The learning rates of the experiment.
    seeds : tuple of int
        Its seeds.
    epochs : int
        Its epochs (per learning rate: see ``epochs_rule``).
    optimizer : str
        "sgd", "momentum" or "adam" (optax's update rules).
    record_every : int or None
        Epochs between recorded losses.
    checkpoints : tuple of int
        Epochs whose parameters are kept.
    sweep : dict
        Further swept model or task settings (e.g. ``{"rank": [...]}``).
    followup : dict
        The settings of the experiment's second phase, where it has one.
    momentum : float
        The optimiser's.
    weight_decay : float
        The optimiser's.
    epochs_rule : (int, float) or None
        ``(floor, c)``: each rate trains max(floor, c / lr) epochs (the companion study), or None.
    """

    name: str
    description: str
    model: object
    task: Task
    lr: tuple[float, ...]
    seeds: tuple[int, ...]
    epochs: int
    optimizer: str = "sgd"
    record_every: int | None = None
    checkpoints: tuple[int, ...] = ()
    sweep: dict = field(default_factory=dict)
    followup: dict = field(default_factory=dict)
    momentum: float = 0.9
    weight_decay: float = 0.0
    epochs_rule: tuple[int, float] | None = None

    def epochs_for(self, lr) -> list[int]:
        """Epochs of each learning rate: ``epochs``, or max(minimum, int(scale / lr)) under ``epochs_rule``."""
        if self.epochs_rule is None:
            return [self.epochs] * len(lr)
        minimum, scale = self.epochs_rule
        return [max(int(minimum), int(scale / rate)) for rate in lr]

    def settings(self, **overrides) -> dict:
        """Keyword arguments of :func:`train_sweep` for this preset, with overrides applied.

        Under an ``epochs_rule`` (and no ``epochs`` override) ``epochs`` is a list, one per rate.
        """
        kwargs = {"lr": list(self.lr), "seeds": list(self.seeds), "epochs": self.epochs,
                  "optimizer": self.optimizer, "weight_decay": self.weight_decay,
                  "momentum": self.momentum if self.optimizer == "momentum" else None,
                  "record_every": self.record_every, "checkpoints": list(self.checkpoints),
                  "sweep": dict(self.sweep)}
        unknown = set(overrides) - set(kwargs) - {"out", "executor", "progress", "chunk_size", "criteria", "dtype",
                                                 "seed", "init", "keep_state", "monitor"}
        if unknown:
            raise ValueError(f"preset {self.name!r} cannot override {sorted(unknown)}")
        if "epochs" in overrides and "checkpoints" not in overrides:
            kwargs["checkpoints"] = [e for e in self.checkpoints if e <= overrides["epochs"]]
        kwargs |= overrides
        if self.epochs_rule is not None and "epochs" not in overrides:
            kwargs["epochs"] = self.epochs_for(kwargs["lr"])
        return kwargs

    def run(self, **overrides):
        """Train this preset (see :meth:`settings`); returns the Dataset of :func:`train_sweep`.

        Rates with different epoch budgets train as separate sweeps (saved, with ``out=x.nc``, as
        ``x.epochs-<E>.nc``, each resumable) and are joined along ``lr`` in the preset's order.
        """
        kwargs = self.settings(**overrides)
        if not isinstance(kwargs["epochs"], list):
            return train_sweep(self.model, self.task, **kwargs)
        import xarray as xr

        budgets: dict[int, list[float]] = {}
        for rate, budget in zip(kwargs["lr"], kwargs["epochs"], strict=True):
            budgets.setdefault(budget, []).append(rate)
        out = kwargs.pop("out", None)
        parts = []
        for budget, rates in budgets.items():
            part = {**kwargs, "lr": rates, "epochs": budget,
                    "checkpoints": [e for e in kwargs["checkpoints"] if e <= budget]}
            if out is not None:
                part["out"] = Path(out).with_suffix(f".epochs-{budget}.nc")
            parts.append(train_sweep(self.model, self.task, **part))
        joined = xr.concat(parts, dim="lr", join="outer", combine_attrs="drop_conflicts")
        joined = joined.sel(lr=kwargs["lr"])
        # one record of settings per budget; "epochs" is the longest, as the epoch axis is
        joined.attrs.update(settings=json.dumps([json.loads(p.attrs["settings"]) for p in parts]),
                            epochs=max(budgets), epochs_per_lr=list(kwargs["epochs"]),
                            fingerprint=",".join(p.attrs["fingerprint"] for p in parts))
        return joined

    def with_task(self, task: Task) -> Preset:
        """The same experiment on another task (e.g. fewer trials per class, another delay)."""
        if not isinstance(task, Task):
            raise ValueError(f"task must be a Task, got {type(task).__name__}")
        return replace(self, task=task)

    def with_model(self, **changes) -> Preset:
        return replace(self, model=self.model.replace(**changes))


def _logspace(a: float, b: float, n: int) -> tuple[float, ...]:
    return tuple(np.logspace(a, b, n).tolist())


RANK_ONE = DelayedActivationRNN(N=100, rank=1, readout="latent", gain=10.0)
FULL_DELAYED = DelayedActivationRNN(N=100, rank=None, readout="linear")
DCDT_LOW = TaskRNN(N=100, rank=2, readout="tanh", noise_sigma=0.0, r0_sigma=0.3)
DMTS_LOW = TaskRNN(N=100, rank=2, readout="sigmoid", noise_sigma=1e-2, r0_sigma=0.3)
DCDT_FULL = TaskRNN(N=100, rank=None, readout="tanh", noise_sigma=1e-2, r0_sigma=0.1)
DMTS_FULL = TaskRNN(N=100, rank=None, readout="sigmoid", noise_sigma=1e-2, r0_sigma=0.1)
RANKS = (1, 2, 3, 4, 5, 10, 30, 50, 100)
# The companion study's network: every layer an nn.Linear with bias (so two trainable biases meet
# inside the tanh), Xavier weights, W's diagonal zeroed at init, noise 1e-3, a sigmoid readout.
STM = TaskRNN(N=100, rank=None, n_in=2, n_out=2, readout="sigmoid", noise_sigma=1e-3, r0_sigma=0.1,
              bias_init="uniform", recurrent_bias=True, zero_diagonal=True)
STM_LR = tuple(sorted(np.logspace(-0.5, -2, 20)[:15].tolist() + np.logspace(-1, -3, 15).tolist(), reverse=True))
STM_DELAYS = tuple(4 * level for level in range(1, 21))
_STM_TRAINING = {"optimizer": "momentum", "momentum": 0.9, "weight_decay": 1e-7, "record_every": 10}

_ALL = [
    Preset("fig3a", "Rank-one network, delayed activation T = 20: a long plateau, then an abrupt drop (lr 0.003).",
           RANK_ONE, delayed_activation(20), (0.003,), (40,), 500_000, record_every=1000,
           checkpoints=tuple(range(0, 500_001, 1000))),
    Preset("fig3b", "Rank-one network at lr 0.02: the drop near epoch 5160, flows every epoch.",
           RANK_ONE, delayed_activation(20), (0.02,), (40,), 6000, record_every=1,
           checkpoints=tuple(range(0, 6001))),
    Preset("fig3-fixed-points", "Rank-one network at lr 0.003: the number of latent fixed points at every epoch.",
           RANK_ONE, delayed_activation(20), (0.003,), (40,), 500_000, record_every=100),
    Preset("fig4-dcdt", "Rank-2 network on cue discrimination (SGD 1e-3, 500 trials per class).",
           DCDT_LOW, cue_discrimination(2, 10, 10, trials_per_class=500), (1e-3,), (0,), 100_000,
           record_every=100, checkpoints=(0, 4000, 8000, 20000, 99000)),
    Preset("fig4-dmts", "Rank-2 network on match-to-sample (Adam 1e-4, 500 trials per class).",
           DMTS_LOW, match_to_sample(6, 16, 10, trials_per_class=500), (1e-4,), (0,), 20_000, optimizer="adam",
           record_every=10, checkpoints=(0, 400, 1600, 3000, 19990)),
    Preset("fig5-dcdt", "Full-rank network on cue discrimination (SGD 1e-2).",
           DCDT_FULL, cue_discrimination(2, 10, 10), (1e-2,), (0, 1, 2), 3001, record_every=1,
           checkpoints=(10, 200, 1000, 3000)),
    Preset("fig5-dmts", "Full-rank network on match-to-sample with a 30-step delay (SGD 1e-2).",
           DMTS_FULL, match_to_sample(2, 30, 10), (1e-2,), (0, 1, 2), 100_001, record_every=10,
           checkpoints=(100, 1000, 50000, 100000)),
    Preset("fig6a-rank-one", "Learning-rate sweep of the rank-one network.",
           RANK_ONE, delayed_activation(20), _logspace(-4, -1, 30), tuple(range(10)), 200_001, record_every=100),
    Preset("fig6a-full", "Learning-rate sweep of the full-rank network with a trainable readout.",
           FULL_DELAYED, delayed_activation(20), _logspace(-4, 1, 30), tuple(range(10)), 200_001, record_every=100),
    Preset("fig6b-rank", "Trainable-rank remedy: rank K networks with a trainable readout, K in 1..100.",
           DelayedActivationRNN(N=100, rank=1, readout="linear"), delayed_activation(20), _logspace(-3, 0, 10),
           tuple(range(10)), 500_000, record_every=500, sweep={"rank": list(RANKS)}),
    Preset("fig7-dcdt", "Full-rank cue discrimination (6/16/10 steps), deterministic, lr sweep.",
           DCDT_FULL.replace(noise_sigma=0.0, r0_sigma=0.0), cue_discrimination(6, 16, 10),
           _logspace(-3, 1, 20), tuple(range(20)), 20_000, record_every=10),
    Preset("fig7-dmts", "Full-rank match-to-sample (6/16/10 steps), deterministic, lr sweep.",
           DMTS_FULL.replace(noise_sigma=0.0, r0_sigma=0.0), match_to_sample(6, 16, 10),
           _logspace(-3, 1, 20), tuple(range(20)), 20_000, record_every=10),
    Preset("fig7-saturation", "One full-rank match-to-sample run at lr 1.438 around its jump at epoch 5751.",
           DMTS_FULL.replace(noise_sigma=0.0, r0_sigma=0.0), match_to_sample(6, 16, 10),
           (float(np.logspace(-3, 1, 20)[15]),), (0,), 6000, record_every=1, checkpoints=(5750, 5751, 5752)),
    Preset("fig8b-ablation", "Gain ablation: rank-one networks at lr 0.02 for 6000 epochs, then 100 epochs "
           "at each lower gain.", RANK_ONE, delayed_activation(20), (0.02,), tuple(range(100)), 6000,
           record_every=1, checkpoints=(6000,),
           followup={"epochs": 100, "gain": _logspace(-3, 1, 30), "lr": 0.02, "optimizer": "fresh sgd"}),
    Preset("fig8b-learnable", "Learnable gain: c trained from 10 for 10k epochs, then reset to 1 for 10k more.",
           RANK_ONE.replace(train_gain=True), delayed_activation(20), (0.02,), (40,), 10_000, record_every=10,
           checkpoints=(10_000,), followup={"epochs": 10_000, "gain": 1.0, "lr": 0.02}),
    Preset("fig8c", "Readout normalisation: full-rank cue discrimination with Adam 0.1; after 10k epochs the "
           "readout is held at an L1 norm c.", DCDT_FULL.replace(noise_sigma=1e-3), cue_discrimination(
               2, 10, 10, trials_per_class=10), (0.1,), tuple(range(100)), 10_000, optimizer="adam",
           record_every=200, checkpoints=(10_000,),
           followup={"epochs": 10_000, "normalize": [0.1, 0.5, 1.0, 3.0, None], "optimizer": "same adam state"}),
    Preset("stm-nopost", "Companion study: full-rank one-hot cue discrimination, 30 learning rates x 20 delays "
           "(4..80 steps) x 100 seeds, SGD momentum 0.9, epochs max(1000, 30/lr).", STM,
           onehot_cue_discrimination(6, 4, 10), STM_LR, tuple(range(100)), 30_000, sweep={"delay": list(STM_DELAYS)},
           epochs_rule=(1000, 30.0), **_STM_TRAINING),
    Preset("stm-post", "Companion study with a 6-step post-response period (target 0), 20 seeds, "
           "epochs max(1000, 100/lr).", STM, onehot_cue_discrimination(6, 4, 10, n_post=6), STM_LR,
           tuple(range(20)), 100_000, sweep={"delay": list(STM_DELAYS)}, epochs_rule=(1000, 100.0), **_STM_TRAINING),
    Preset("stm-longtau", "Companion study with tau = 20 ms (alpha = 0.25), 20 seeds.", STM.replace(alpha=0.25),
           onehot_cue_discrimination(6, 4, 10), STM_LR, tuple(range(20)), 30_000, sweep={"delay": list(STM_DELAYS)},
           epochs_rule=(1000, 30.0), **_STM_TRAINING),
]
PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}


def preset(name: str) -> Preset:
    """The preset called ``name`` (see :data:`PRESETS`).

    Parameters
    ----------
    name : str
        One of :data:`PRESETS` (e.g. "fig6a-rank-one").

    Returns
    -------
    Preset
        The experiment's model, task, rates, seeds, epochs and optimiser; ``run`` trains it.
    """
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}")
    return PRESETS[name]
