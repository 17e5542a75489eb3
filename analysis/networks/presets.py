"""Every RNN experiment of the paper (Dinc et al., arXiv:2501.02378) as a named preset.

A :class:`Preset` holds the model, the task and the training settings of one experiment as the
authors' scripts set them; ``preset(name).run(**overrides)`` trains it with
:func:`~analysis.networks.train_sweep` (override ``epochs``, ``seeds``, ``lr`` ... for a reduced
version). Where an experiment continues in a second phase (the gain ablation, the learnable
gain restarted at 1, the readout normalisation), ``followup`` records that phase's settings.

Deliberate differences from the reference code: JAX's random streams (so seed 40 here is not
PyTorch's seed 40), float32 throughout, and one gradient norm for every experiment (the L2
norm over all trained parameters; Fig 4 logged |grad S_l| + |grad S_r|, Figs 5, 7, 8C only
|grad W_rec|).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .models import DelayedActivationRNN, TaskRNN
from .tasks import Task, cue_discrimination, delayed_activation, match_to_sample


@dataclass(frozen=True)
class Preset:
    """One experiment: what to train, how, and where it appears in the paper."""

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

    def settings(self, **overrides) -> dict:
        """Keyword arguments of :func:`train_sweep` for this preset, with overrides applied."""
        kwargs = {"lr": list(self.lr), "seeds": list(self.seeds), "epochs": self.epochs,
                  "optimizer": self.optimizer, "record_every": self.record_every,
                  "checkpoints": list(self.checkpoints), "sweep": dict(self.sweep)}
        unknown = set(overrides) - set(kwargs) - {"out", "executor", "progress", "chunk_size", "criteria", "dtype",
                                                 "seed", "momentum", "weight_decay", "init", "keep_state"}
        if unknown:
            raise ValueError(f"preset {self.name!r} cannot override {sorted(unknown)}")
        if "epochs" in overrides and "checkpoints" not in overrides:
            kwargs["checkpoints"] = [e for e in self.checkpoints if e <= overrides["epochs"]]
        return kwargs | overrides

    def run(self, **overrides):
        """Train this preset (see :meth:`settings`); returns the Dataset of :func:`train_sweep`."""
        from .training import train_sweep

        return train_sweep(self.model, self.task, **self.settings(**overrides))

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
]
PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}


def preset(name: str) -> Preset:
    """The preset called ``name`` (see :data:`PRESETS`)."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}")
    return PRESETS[name]
