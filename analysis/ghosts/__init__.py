"""Slow points and ghosts of any flow dx/dt = F(x) or map x -> G(x), with the local normal form of each ghost.

Modules: :mod:`.dynamics` (:class:`Flow`, :class:`Map`: a system with its kind of time, parameters
and input size), :mod:`.field` (the field and the starts), :mod:`.kernels` (compiled Adam and
Newton on q, kept per field function), :mod:`.search` (:func:`find_slow_points`), :mod:`.result`
(:class:`SlowPoints`, with NetCDF save and load), :mod:`.local_form` (:func:`normal_form`),
:mod:`.sensitivity` (:func:`ghost_r_eff`, differentiable in the weights), :mod:`.passage`
(:func:`measured_passage_time`), :mod:`.branches` (:func:`follow_branch`), :mod:`.adapters`
(:func:`from_torch`, :func:`from_weights`: the user's own networks) and :mod:`.tracker`
(:class:`SlowPointTracker`, :func:`sample_states`: any training loop).

**Search.** Slow points are local minima of the kinetic energy q(x) = |F(x)|^2 / 2. From every
start at once (vmapped), :func:`find_slow_points` runs damped Newton steps on q with its exact
Hessian J^T J + sum_i F_i D^2 F_i (automatic differentiation): a Levenberg-Marquardt iteration
that behaves like gradient descent far from a minimum and converges quadratically near one.
Converged points are merged within a tolerance, and only true local minima of q are kept (a
positive semi-definite Hessian of q). Starts whose search runs away (non-finite, or still not
converged after ``max_iter`` steps) are reported in ``SlowPoints.unconverged``, never dropped
silently.

**Cost.** A cheap Adam descent from every start first, then Newton only from the distinct
candidates, in fixed-size blocks that stop as soon as their own points settle. The compiled
kernels belong to the field function: give a parametrised field F(x, params) with ``params=``
and a later search of the same function (one network at another checkpoint) compiles nothing.

**Scale.** The search runs on F divided by the median speed at the starts, and every
classification below compares the field with itself near the point. Multiplying a field by a
constant therefore changes no point and no label, and the starts decide where the search looks,
never what a point is called.

**Classification** (grounded in the saddle-node normal form, Dinc et al., arXiv:2501.02378).
Each point is judged in its neighbourhood: the 2n points at distance delta = ``PROBE`` (1 + |x|)
along the coordinate axes, whose largest speed is the *near speed* and whose near speed / delta,
or the largest |lambda| if larger, is the point's *rate scale*:

* a *fixed point*: speed at most ``fixed_tol`` times the near speed. Its stability
  (:func:`stability_label`) comes from the eigenvalues of J for a flow (real parts) and from the
  multipliers of dG/dx for a map (moduli against 1): *stable*, *unstable*, *saddle*,
  *marginal* (on the imaginary axis, or the unit circle, within the tolerance: a centre) or
  *non-isolated* (a zero eigenvalue, a multiplier 1: a line or ring of fixed points, or a point
  exactly at its bifurcation);
* a *ghost*: a local minimum of q that is not fixed, with exactly one slow direction (one
  eigenvalue with |lambda| at most ``slow_tol`` times the rate scale) and a positive local scale
  parameter r_eff. At an exact minimum of q with F != 0, J^T F = 0, so J is singular and its left
  null vector is parallel to F: a ghost is where the flow nearly has a saddle-node;
* any other local minimum of q is a *slow point*.

A map x -> G(x) (a :class:`Map`, or ``time="discrete"``, e.g. one step of a trained RNN) is
searched as the flow G(x) - x, whose zeros are the map's fixed points; its slow direction is the
multiplier closest to 1, and r_eff and the passage time of its ghosts count steps: near a ghost
s_{k+1} = s_k + c0 + lambda s_k + A s_k^2 becomes y_{k+1} = y_k + y_k^2 + r_eff exactly, which
passes the ghost in pi / sqrt(r_eff) steps as r_eff -> 0 (derived in
:func:`reduced.symbolic.local_normal_form`).

**Inputs.** ``inputs=`` holds a constant input (one vector, or one per start: each distinct input
is searched as its own system, and every point carries its input). A system with an input is
searched at input zero unless told otherwise.

**Local normal form.** With the slow right and left eigenvectors v, w of the Jacobian (J v =
lambda v, w^T J = lambda w^T, w.v = 1), the slow coordinate s in x = x_g + s v obeys, to second
order, s' = c0 + lambda s + A s^2 with c0 = w.F(x_g) and A = (1/2) w.D^2F(x_g)[v, v]. Completing
the square, y = A (s + lambda / 2A) obeys y' = y^2 + r_eff with

    r_eff = A c0 - lambda^2 / 4,

the canonical form of the reduced model, so a trajectory takes pi / sqrt(r_eff) to pass the whole
ghost (time in the field's own units). At an exact minimum of q, lambda = 0 and r_eff = A c0.
r_eff does not depend on how v is scaled.
"""

from .adapters import from_torch, from_weights
from .branches import Branch, follow_branch
from .dynamics import Dynamics, Flow, Map
from .field import as_field
from .kernels import NEWTON_BLOCK
from .local_form import normal_form
from .passage import measured_passage_time
from .result import KINDS, STABILITIES, TIMES, SlowPoints, stability_label
from .search import find_slow_points
from .sensitivity import ghost_r_eff
from .tracker import SlowPointTracker, sample_states

__all__ = [
    "KINDS",
    "NEWTON_BLOCK",
    "STABILITIES",
    "TIMES",
    "Branch",
    "Dynamics",
    "Flow",
    "Map",
    "SlowPointTracker",
    "SlowPoints",
    "as_field",
    "find_slow_points",
    "follow_branch",
    "ghost_r_eff",
    "from_torch",
    "from_weights",
    "measured_passage_time",
    "normal_form",
    "sample_states",
    "stability_label",
]
