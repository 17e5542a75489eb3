"""The paper's working-memory tasks as pure functions of their timing.

Each factory returns a :class:`Task`: inputs ``(trials, steps, n_in)``, targets ``(trials,
steps)``, a loss mask, the response period, the loss normalisation and the accuracy rule of
the reference code (Dinc et al., arXiv:2501.02378). Timings are in steps of the network
update (one step is alpha tau); the delay is always a parameter, for scaling studies.

* :func:`delayed_activation`: no input; target 0 for ``T`` steps, then 1 for ``T`` steps. The
  loss is the *sum* of squared errors over the 2T outputs divided by ``T`` (so it lies in
  [0, 2] and is about 1 while the output stays off), the reference's convention and the
  normalized convention of the reduced model with the delay T alpha tau.
* :func:`cue_discrimination` (DCDT): a cue of +1 or -1 for ``n_in`` steps, a silent delay of
  ``n_delay`` steps, then ``n_react`` response steps whose target is the cue's sign; target
  0 before. Accuracy: outputs binarised at +-0.33 to {-1, 0, 1}, compared with the target on
  every step.
* :func:`match_to_sample` (DMTS): stimulus s1 for ``n_in`` steps, a delay, s2 for ``n_in``
  steps, then ``n_react`` response steps with target 1 if s1 = s2 and 0 otherwise; trial types
  (+,+), (-,-), (-,+), (+,-). Accuracy: outputs thresholded at 0.5, on every step.

* :func:`onehot_cue_discrimination`: the companion study's (Kurtkaya, Dinc et al.,
  arXiv:2502.17433) two-channel version: a one-hot cue ([1, 0] or [0, 1]) for ``n_in`` steps, a
  silent delay, ``n_react`` response steps whose two-channel target is the cue, then
  ``n_post`` silent steps (target 0). Its loss is a *weighted* mean squared error: the last
  ``n_react + n_post`` steps weigh 1 - (n_react + n_post) / steps, every earlier step
  (n_react + n_post) / steps, so the short response counts as much as the long silence.
  Accuracy ("reaction"): on the response steps, is the larger output channel the cue's? (The
  study logs a reaction accuracy and a reliability; their exact definitions are not in the
  reference, so this is this library's reading: chance is 1/2, a silent network scores 1/2.)

The paper's two input-driven tasks use the mean squared error over every trial and step. As in the
reference there is no mask by default (cue and delay steps carry target 0); ``mask="response"``
restricts the loss to the response period instead. Trials of the classes are interleaved
(class 1, class 2, ..., class 1, ...), ``trials_per_class`` of each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reduced.validation import positive_int

from ..store import check_memory

ACCURACY_RULES = ("threshold", "ternary", "reaction")
MASKS = ("all", "response")


@dataclass(frozen=True, eq=False)
class Task:
    """A full-batch task: the same trials in every epoch.

    Attributes
    ----------
    name : str
        Factory name ("delayed_activation", "cue_discrimination" or "match_to_sample").
    params : dict
        The factory's arguments: ``Task.with_delay`` and serialisation rebuild from them.
    inputs : ndarray, shape (trials, steps, n_in)
    targets : ndarray, shape (trials, steps) or (trials, steps, n_out)
    mask : ndarray, the shape of ``targets``
        Loss weights (1 where a step counts; per-step weights for a weighted loss).
    response : ndarray of bool, shape (trials, steps)
        The response period (for reaction accuracy).
    loss_scale : float
        loss = loss_scale * sum(mask * (output - target)^2).
    accuracy_rule : {"threshold", "ternary", "reaction"}
        0/1 targets against outputs > 0.5, +-1/0 targets against outputs binarised at +-0.33, or
        (two-channel tasks) the largest output channel against the cue on the response steps.
    delay : int
        The delay in steps.
    """

    name: str
    params: dict
    inputs: np.ndarray
    targets: np.ndarray
    mask: np.ndarray
    response: np.ndarray
    loss_scale: float
    accuracy_rule: str
    delay: int
    trial_types: tuple = field(default=())

    @property
    def n_in(self) -> int:
        return self.inputs.shape[-1]

    @property
    def n_out(self) -> int:
        """Output channels the task expects (1 unless the targets carry a channel axis)."""
        return self.targets.shape[2] if self.targets.ndim == 3 else 1

    @property
    def steps(self) -> int:
        return self.inputs.shape[1]

    @property
    def trials(self) -> int:
        return self.inputs.shape[0]

    def with_delay(self, delay: int) -> Task:
        """The same task with another delay (in steps)."""
        key = "T" if self.name == "delayed_activation" else "n_delay"
        return make_task(self.name, **{**self.params, key: delay})

    def with_trials_per_class(self, trials_per_class: int) -> Task:
        """The same task with another number of trials per class (input-driven tasks only)."""
        if "trials_per_class" not in self.params:
            raise ValueError(f"{self.name} has a single trial; it has no trials_per_class")
        return make_task(self.name, **{**self.params, "trials_per_class": trials_per_class})

    def to_dict(self) -> dict:
        return {"name": self.name, **self.params}

    def accuracy(self, outputs: np.ndarray) -> float:
        """The reference's accuracy of numpy outputs (the shape of ``targets``) on this task."""
        return float(accuracy_score(np, np.asarray(outputs), self.targets, self.accuracy_rule))


def accuracy_score(xp, outputs, targets, rule: str):
    """The mean accuracy of outputs against targets under ``rule``; ``xp`` is numpy or jax.numpy.

    "threshold" and "ternary" score every step (and channel); "reaction" scores only the
    response steps (those with a one-hot target): a hit where the largest output channel is the
    target's channel, so a silent network scores 1/2 on two classes.
    """
    if rule == "reaction":
        responding = (targets.sum(axis=-1) > 0).astype(outputs.dtype)
        hits = (xp.argmax(outputs, axis=-1) == xp.argmax(targets, axis=-1)).astype(outputs.dtype) * responding
        return hits.sum() / xp.maximum(responding.sum(), 1)
    return xp.mean(accuracy_hits(xp, outputs, targets, rule))


def accuracy_hits(xp, outputs, targets, rule: str):
    """Per-step hits (1.0 or 0.0) of the "threshold" or "ternary" rule; ``xp`` is numpy or jax.numpy."""
    if rule == "threshold":
        return ((outputs > 0.5) == (targets > 0.5)).astype(outputs.dtype)
    binary = xp.where(outputs > 0.33, 1.0, xp.where(outputs < -0.33, -1.0, 0.0))
    return (binary == targets).astype(outputs.dtype)


MAX_STEPS = 10**6  # steps in one trial: a delay beyond this is a typo, and its arrays would not fit
MAX_TRIALS = 10**6


def _check_size(trials: int, steps: int, channels: int) -> None:
    """Refuse, before allocating, a task whose arrays (inputs, targets, mask) cannot fit in memory."""
    check_memory(8.0 * trials * steps * (channels + 2), f"a task of {trials} trials x {steps} steps")


def _mask(kind: str, response: np.ndarray) -> np.ndarray:
    if kind not in MASKS:
        raise ValueError(f"mask must be one of {MASKS}, got {kind!r}")
    return np.ones(response.shape) if kind == "all" else response.astype(float)


def delayed_activation(T: int = 20) -> Task:
    """The delayed-activation task: stay off for ``T`` steps, then on for ``T`` steps.

    Parameters
    ----------
    T : int, optional
        The delay in steps, >= 1; a trial lasts 2T steps.

    Returns
    -------
    Task
        One trial without input; target 0 for T steps, then 1.

    Examples
    --------
    >>> task = delayed_activation(20)
    >>> task.targets.shape, task.targets[0, 19:21].tolist(), task.loss_scale
    ((1, 40), [0.0, 1.0], 0.05)
    """
    T = positive_int(T, "T", maximum=MAX_STEPS)
    targets = np.concatenate([np.zeros(T), np.ones(T)])[None, :]
    response = targets > 0
    return Task("delayed_activation", {"T": T}, np.zeros((1, 2 * T, 0)), targets, np.ones_like(targets),
                response, 1.0 / T, "threshold", T, ("activate",))


def cue_discrimination(n_in: int = 2, n_delay: int = 10, n_react: int = 10, *, trials_per_class: int = 1,
                       mask: str = "all") -> Task:
    """Delayed cue discrimination (DCDT); defaults are the reference's Fig 4 and 5 timing.

    Parameters
    ----------
    n_in : int, optional
        Steps of the cue (+1 or -1 on the input), >= 1.
    n_delay : int, optional
        Steps of the delay (no input), >= 1.
    n_react : int, optional
        Steps of the response, in which the target is the cue's sign, >= 1.
    trials_per_class : int, optional
        Trials of each class (they differ only by the network's noise), >= 1.
    mask : {"all", "response"}, optional
        The steps the loss counts: all of them (the reference) or the response period only.

    Returns
    -------
    Task
        Inputs (trials, steps, n_in), targets, mask, response period, loss scale and accuracy rule.

    Examples
    --------
    >>> task = cue_discrimination()
    >>> task.inputs[:, :3, 0].tolist(), task.targets[:, -1].tolist(), task.steps
    ([[1.0, 1.0, 0.0], [-1.0, -1.0, 0.0]], [1.0, -1.0], 22)
    """
    n_in, n_delay = positive_int(n_in, "n_in", maximum=MAX_STEPS), positive_int(n_delay, "n_delay", maximum=MAX_STEPS)
    n_react = positive_int(n_react, "n_react", maximum=MAX_STEPS)
    trials_per_class = positive_int(trials_per_class, "trials_per_class", maximum=MAX_TRIALS)
    steps = n_in + n_delay + n_react
    _check_size(2 * trials_per_class, steps, 1)
    signs = np.tile([1.0, -1.0], trials_per_class)
    inputs = np.zeros((signs.size, steps, 1))
    inputs[:, :n_in, 0] = signs[:, None]
    targets = np.zeros((signs.size, steps))
    targets[:, n_in + n_delay:] = signs[:, None]
    response = np.zeros(targets.shape, bool)
    response[:, n_in + n_delay:] = True
    params = {"n_in": n_in, "n_delay": n_delay, "n_react": n_react, "trials_per_class": trials_per_class,
              "mask": mask}
    m = _mask(mask, response)
    return Task("cue_discrimination", params, inputs, targets, m, response, 1.0 / m.size, "ternary", n_delay,
                ("+", "-"))


def match_to_sample(n_in: int = 6, n_delay: int = 16, n_react: int = 10, *, trials_per_class: int = 1,
                    mask: str = "all") -> Task:
    """Delayed match-to-sample (DMTS); defaults are the reference's Fig 4 and 7 timing.

    Parameters
    ----------
    n_in : int, optional
        Steps of each of the two cues, >= 1.
    n_delay : int, optional
        Steps of the delay between them, >= 1.
    n_react : int, optional
        Steps of the response (1 where the cues match, else 0), >= 1.
    trials_per_class : int, optional
        Trials of each class (they differ only by the network's noise), >= 1.
    mask : {"all", "response"}, optional
        The steps the loss counts: all of them (the reference) or the response period only.

    Returns
    -------
    Task
        Inputs (trials, steps, n_in), targets, mask, response period, loss scale and accuracy rule.

    Examples
    --------
    >>> task = match_to_sample()
    >>> task.steps, task.targets[:, -1].tolist()
    (38, [1.0, 1.0, 0.0, 0.0])
    """
    n_in, n_delay = positive_int(n_in, "n_in", maximum=MAX_STEPS), positive_int(n_delay, "n_delay", maximum=MAX_STEPS)
    n_react = positive_int(n_react, "n_react", maximum=MAX_STEPS)
    trials_per_class = positive_int(trials_per_class, "trials_per_class", maximum=MAX_TRIALS)
    types = [(1.0, 1.0), (-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0)]
    pairs = np.array(types * trials_per_class)
    steps = 2 * n_in + n_delay + n_react
    _check_size(4 * trials_per_class, steps, 1)
    inputs = np.zeros((len(pairs), steps, 1))
    inputs[:, :n_in, 0] = pairs[:, :1]
    inputs[:, n_in + n_delay:2 * n_in + n_delay, 0] = pairs[:, 1:]
    targets = np.zeros((len(pairs), steps))
    targets[:, 2 * n_in + n_delay:] = (pairs[:, 0] == pairs[:, 1])[:, None]
    response = np.zeros(targets.shape, bool)
    response[:, 2 * n_in + n_delay:] = True
    params = {"n_in": n_in, "n_delay": n_delay, "n_react": n_react, "trials_per_class": trials_per_class,
              "mask": mask}
    m = _mask(mask, response)
    return Task("match_to_sample", params, inputs, targets, m, response, 1.0 / m.size, "threshold", n_delay,
                ("++", "--", "-+", "+-"))


def onehot_cue_discrimination(n_in: int = 6, n_delay: int = 4, n_react: int = 10, *, n_post: int = 0,
                              trials_per_class: int = 64, weighted: bool = True) -> Task:
    """The companion study's delayed cue discrimination with a one-hot cue and two outputs.

    Defaults are its timing in steps of 5 ms: a 30 ms cue, 50 ms of response, 64 trials per
    class; its delays are 4 l steps (20 l ms). ``n_post=6`` is its "post" variant. With
    ``weighted=False`` every step weighs the same (a plain mean squared error).

    Parameters
    ----------
    n_in : int, optional
        Steps of the one-hot cue, >= 1.
    n_delay : int, optional
        Steps of the delay, >= 1.
    n_react : int, optional
        Steps of the response, >= 1.
    n_post : int, optional
        Steps after the response (the "post" variant: 6), >= 0.
    trials_per_class : int, optional
        Trials of each of the two classes, >= 1.
    weighted : bool, optional
        Weigh the response and the other steps as the study does (default) or every step alike.

    Returns
    -------
    Task
        Two input and two output channels; the loss weights in ``mask``.

    Examples
    --------
    >>> task = onehot_cue_discrimination(n_delay=8, trials_per_class=1)
    >>> task.inputs[:, 0].tolist(), task.targets[:, -1].tolist(), task.steps
    ([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]], 24)
    >>> float(task.mask[0, 0, 0]), float(task.mask[0, -1, 0])  # 10/24 and 1 - 10/24
    (0.4166666666666667, 0.5833333333333333)
    """
    n_in, n_delay = positive_int(n_in, "n_in", maximum=MAX_STEPS), positive_int(n_delay, "n_delay", maximum=MAX_STEPS)
    n_react = positive_int(n_react, "n_react", maximum=MAX_STEPS)
    n_post = positive_int(n_post, "n_post", minimum=0, maximum=MAX_STEPS)
    trials_per_class = positive_int(trials_per_class, "trials_per_class", maximum=MAX_TRIALS)
    if not isinstance(weighted, bool):
        raise ValueError(f"weighted must be a bool, got {weighted!r}")
    steps = n_in + n_delay + n_react + n_post
    _check_size(2 * trials_per_class, steps, 2)
    cue = np.tile(np.eye(2), (trials_per_class, 1))  # (trials, 2): classes interleaved
    inputs = np.zeros((len(cue), steps, 2))
    inputs[:, :n_in] = cue[:, None]
    targets = np.zeros((len(cue), steps, 2))
    start = n_in + n_delay
    targets[:, start:start + n_react] = cue[:, None]
    response = np.zeros((len(cue), steps), bool)
    response[:, start:start + n_react] = True
    weights = np.ones(steps)
    if weighted:
        late = n_react + n_post
        weights[:] = late / steps
        weights[steps - late:] = 1 - late / steps
    mask = np.broadcast_to(weights[None, :, None], targets.shape).copy()
    params = {"n_in": n_in, "n_delay": n_delay, "n_react": n_react, "n_post": n_post,
              "trials_per_class": trials_per_class, "weighted": weighted}
    return Task("onehot_cue_discrimination", params, inputs, targets, mask, response, 1.0 / mask.size,
                "reaction", n_delay, ("A", "B"))


TASKS = {"delayed_activation": delayed_activation, "cue_discrimination": cue_discrimination,
         "match_to_sample": match_to_sample, "onehot_cue_discrimination": onehot_cue_discrimination}


def make_task(name: str, **params) -> Task:
    """Build a task by factory name (the inverse of :meth:`Task.to_dict`).

    Parameters
    ----------
    name : str
        The factory: "delayed_activation", "cue_discrimination", "match_to_sample" or
        "onehot_cue_discrimination".
    **params
        Its arguments.

    Returns
    -------
    Task
    """
    if name not in TASKS:
        raise ValueError(f"task must be one of {tuple(TASKS)}, got {name!r}")
    return TASKS[name](**params)
