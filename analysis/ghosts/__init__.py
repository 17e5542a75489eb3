"""Slow points and ghosts of any flow dx/dt = F(x), with the local normal form of each ghost.

Modules: :mod:`.field` (the field and the starts), :mod:`.kernels` (compiled Adam and Newton on
q, kept per field function), :mod:`.search` (:func:`find_slow_points`), :mod:`.result`
(:class:`SlowPoints`), :mod:`.local_form` (:func:`normal_form`), :mod:`.passage`
(:func:`measured_passage_time`) and :mod:`.branches` (:func:`follow_branch`).

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

**Classification** (grounded in the saddle-node normal form, Dinc et al., arXiv:2501.02378):

* a *fixed point*: speed |F| at most ``fixed_tol`` times the field's scale (the median speed at
  the starts, or 1 if that is smaller); its eigenvalues give its stability;
* a *ghost*: a local minimum of q with |F| above that tolerance, exactly one slow direction
  (one Jacobian eigenvalue with |lambda| at most ``slow_tol`` times the largest |lambda|, or
  ``slow_tol`` in one dimension) and a positive local scale parameter r_eff. At an exact minimum
  of q with F != 0, J^T F = 0, so J is singular and its left null vector is parallel to F: a
  ghost is where the flow nearly has a saddle-node;
* any other local minimum of q is a *slow point*.

**Local normal form.** With the slow right and left eigenvectors v, w of the Jacobian (J v =
lambda v, w^T J = lambda w^T, w.v = 1), the slow coordinate s in x = x_g + s v obeys, to second
order, s' = c0 + lambda s + A s^2 with c0 = w.F(x_g) and A = (1/2) w.D^2F(x_g)[v, v]. Completing
the square, y = A (s + lambda / 2A) obeys y' = y^2 + r_eff with

    r_eff = A c0 - lambda^2 / 4,

the canonical form of the reduced model, so a trajectory takes pi / sqrt(r_eff) to pass the whole
ghost (time in the field's own units). At an exact minimum of q, lambda = 0 and r_eff = A c0.
r_eff does not depend on how v is scaled.
"""

from .branches import Branch, follow_branch
from .field import as_field
from .local_form import normal_form
from .passage import measured_passage_time
from .result import KINDS, SlowPoints
from .search import find_slow_points

__all__ = [
    "KINDS",
    "Branch",
    "SlowPoints",
    "as_field",
    "find_slow_points",
    "follow_branch",
    "measured_passage_time",
    "normal_form",
]
