"""Planning a sweep: bad input is refused with a message naming the argument; the memory estimate."""


import numpy as np
import pytest

from analysis.networks import (
    DelayedActivationRNN,
    TaskRNN,
    cue_discrimination,
    delayed_activation,
    match_to_sample,
    train_sweep,
)

SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: DelayedActivationRNN(N=10, rank=11, readout="linear"), "rank must be an integer in"),
        (lambda: TaskRNN(N=10, rank=0), "rank must be an integer in"),
        (lambda: delayed_activation(0), r"T must be an integer in \[1, 1000000\]"),
        (lambda: cue_discrimination(n_delay=0), r"n_delay must be an integer in \[1, 1000000\]"),
        (lambda: match_to_sample(n_delay=2.5), "n_delay must be an integer"),
        (lambda: DelayedActivationRNN(gain=0.0), r"gain must lie in \(0, inf\)"),
        (lambda: DelayedActivationRNN(rank=2), "needs rank 1"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1, -1], epochs=2), "lr must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[[0.1, 0.2]], epochs=2), "lr must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], epochs=2, optimizer="rmsprop"), "optimizer must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], epochs=0), "epochs must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], epochs=5, checkpoints=[6]), "checkpoints must lie"),
        (lambda: train_sweep(TaskRNN(N=4, n_in=2), cue_discrimination(), lr=[0.1], epochs=2), "input channels"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], seeds=0, epochs=2), "seeds must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], epochs=2, out="x.csv"), "NetCDF"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_memory_estimate_refuses_what_cannot_fit():
    with pytest.raises(ValueError, match="GiB"):
        train_sweep(SMALL, SMALL_TASK, lr=np.linspace(0.1, 1, 100), seeds=1000, epochs=10**9, record_every=1)
