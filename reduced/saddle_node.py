"""Reduction of an n-D vector field at a saddle-node to the canonical form dy/dt = y^2 + r.

At a saddle-node (x_c, mu_c) of dx/dt = f(x; mu) the Jacobian J has a simple zero eigenvalue
with right and left null vectors v, w (w.v = 1). On the centre manifold x = x_c + z v + ...

    dz/dt = B (mu - mu_c) + A z^2 + ...,   A = (1/2) w.D2f(v, v),   B = w.df/dmu,

and y = A z gives dy/dt = y^2 + r with r(mu) = A B (mu - mu_c). Past the fold (r > 0) a
trajectory lingers at the ghost for pi / sqrt(r) to leading order (docs/science.md, section 3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp

from .validation import finite, positive, scalar_or_array

_ZERO_TOL = 1e-10  # what counts as zero for coefficients computed in floating point


class DegenerateSaddleNodeError(ValueError):
    """The point is not a non-degenerate saddle-node (fold); the message says why."""


@dataclass(frozen=True)
class SaddleNodeReduction:
    """The canonical form of a vector field at one of its saddle-node points.

    Attributes
    ----------
    x_c : sympy objects
        The saddle-node point and the critical parameter.
    mu_c : sympy objects
        The saddle-node point and the critical parameter.
    A, B : sympy expressions
        Quadratic and parameter coefficients of the centre-manifold flow.
    v : sympy column matrices
        Right and left null vectors of the Jacobian, normalised so that w.v = 1.
    w : sympy column matrices
        Right and left null vectors of the Jacobian, normalised so that w.v = 1.
    r_of_mu : sympy expression
        The scale parameter of the canonical form, r(mu) = A B (mu - mu_c).
    r_numeric : callable
        ``r_of_mu`` as a vectorised numpy function of mu.
    transverse_eigenvalues : tuple of complex
        The other eigenvalues of the Jacobian at the saddle-node. The fold *attracts* nearby
        trajectories (so the predicted passage is what a trajectory does) only when all their real
        parts are negative; see :attr:`attracting`.
    """

    f: sp.ImmutableMatrix
    x: tuple[sp.Symbol, ...]
    mu: sp.Symbol
    x_c: sp.ImmutableMatrix
    mu_c: sp.Expr
    A: sp.Expr
    B: sp.Expr
    v: sp.ImmutableMatrix
    w: sp.ImmutableMatrix
    r_of_mu: sp.Expr
    r_numeric: Callable[[ArrayLike], np.ndarray] = field(repr=False)
    transverse_eigenvalues: tuple = ()

    @property
    def attracting(self) -> bool:
        """True when every transverse eigenvalue has a negative real part (always in 1-D)."""
        return all(complex(v).real < 0 for v in self.transverse_eigenvalues)

    @property
    def default_half_width(self) -> float:
        """A bottleneck half-width on the system's own scale.

        The centre-manifold flow z' = B (mu - mu_c) + A z^2 holds while the quadratic term is small
        against the transverse relaxation, |A| z^2 << |lambda_t| |z|, i.e. |z| << |lambda_t| / |A|;
        the default is a fifth of that (of 1 / |A| in one dimension).
        """
        rates = [abs(complex(v).real) for v in self.transverse_eigenvalues]
        scale = min(rates) if rates else 1.0
        return 0.2 * scale / abs(float(self.A))

    def passage_time(self, mu: ArrayLike):
        """Predicted time to pass the ghost, pi / sqrt(r(mu)); inf where r(mu) <= 0."""
        mu = finite(mu, "mu")
        r = np.asarray(self.r_numeric(mu), dtype=float) * np.ones_like(mu)
        with np.errstate(divide="ignore"):
            return scalar_or_array(np.where(r > 0, np.pi / np.sqrt(np.where(r > 0, r, 1.0)), np.inf))

    def integrated_passage_time(self, mu: float, half_width: float | None = None, *, rtol: float = 1e-10) -> float:
        """Integrate the full vector field through the bottleneck at parameter ``mu``.

        Starts at x_c - sign(A) * half_width * v and stops where the centre coordinate
        z = w.(x - x_c) reaches sign(A) * half_width on the far side. As mu -> mu_c the
        result divided by :meth:`passage_time` tends to 1 for an attracting fold. The default
        half-width is :attr:`default_half_width`, on the system's own scale.
        """
        mu = float(finite(mu, "mu"))
        half_width = self.default_half_width if half_width is None else float(positive(half_width, "half_width"))
        if not float(self.r_numeric(mu)) > 0:
            raise ValueError(f"mu must lie on the ghost side of mu_c = {float(self.mu_c):.6g} (r(mu) > 0)")
        rhs = sp.lambdify(self.x, list(self.f.subs(self.mu, mu)), "numpy")
        jac = sp.lambdify(self.x, self.f.subs(self.mu, mu).jacobian(self.x), "numpy")
        x_c = np.array(self.x_c, dtype=float).ravel()
        v = np.array(self.v, dtype=float).ravel()
        w = np.array(self.w, dtype=float).ravel()
        direction = float(np.sign(float(self.A)))

        def far_side(_, state):
            return direction * (w @ (state - x_c)) - half_width

        far_side.terminal = True
        far_side.direction = 1
        t_max = 100 * float(self.passage_time(mu)) + 100.0
        sol = solve_ivp(
            lambda _, s: np.asarray(rhs(*s), dtype=float),
            (0.0, t_max),
            x_c - direction * half_width * v,
            method="Radau",
            jac=lambda _, s: np.asarray(jac(*s), dtype=float),
            events=far_side,
            rtol=rtol,
            atol=rtol * 1e-2,
        )
        if sol.t_events[0].size == 0:
            raise RuntimeError("the trajectory did not leave the bottleneck; try a smaller half_width")
        return float(sol.t_events[0][0])


def _as_matrix(f, x) -> tuple[sp.ImmutableMatrix, tuple[sp.Symbol, ...]]:
    xs = tuple(x) if isinstance(x, (list, tuple)) else (x,)
    fs = f if isinstance(f, (list, tuple, sp.MatrixBase)) else [f]
    F = sp.ImmutableMatrix(list(fs))
    if F.shape[0] != len(xs):
        raise ValueError(f"f has {F.shape[0]} components but x has {len(xs)} variables")
    return F, xs


def _is_zero(expr: sp.Expr) -> bool:
    value = sp.simplify(expr)
    if value.is_zero:
        return True
    try:
        return abs(complex(sp.N(value))) < _ZERO_TOL
    except TypeError:
        return False


def find_saddle_nodes(f: Sequence[sp.Expr] | sp.Matrix, x: Sequence[sp.Symbol], mu: sp.Symbol, *,
                      near: Sequence[float] | None = None) -> list[dict]:
    """Points where f = 0 and det J = 0, as dicts {symbol: value} over x and mu.

    Solved exactly by ``sympy.solve`` where it can; the exact solutions are sorted by
    distance to ``near`` (a guess for (x..., mu)) when one is given. Where no closed form
    exists, ``sympy.nsolve`` is started from ``near``.

    Parameters
    ----------
    f : sequence of sympy expressions
        The vector field f(x; mu), one expression per state variable.
    x : sequence of sympy symbols
        The state variables.
    mu : sympy symbol
        The bifurcation parameter.
    near : sequence of float, optional
        A guess for (x..., mu): sorts exact solutions by distance to it, and starts ``nsolve``
        where no closed form exists.

    Returns
    -------
    list of dict
        One ``{symbol: value}`` per point, over x and mu.
    """
    F, xs = _as_matrix(f, x)
    unknowns = (*xs, mu)
    equations = [*F, F.jacobian(xs).det()]
    if near is not None and len(near) != len(unknowns):
        raise ValueError(f"near must give {len(unknowns)} numbers, one per (x..., mu)")
    try:
        sols = sp.solve(equations, unknowns, dict=True)
    except NotImplementedError:
        sols = None
    if sols is None:
        if near is None:
            raise ValueError("f = 0, det J = 0 has no closed-form solution: pass near=(x..., mu) as a guess")
        root = sp.nsolve(equations, unknowns, list(near), tol=1e-30, prec=40)
        return [{s: sp.Float(root[i], 30) for i, s in enumerate(unknowns)}]
    if any(len(s) < len(unknowns) for s in sols):
        raise DegenerateSaddleNodeError("the singular equilibria are not isolated (a curve of them, not a fold)")
    real = [s for s in sols if all(sp.im(v) == 0 for v in s.values())]
    if near is not None:
        real.sort(key=lambda s: sum((float(s[u]) - g) ** 2 for u, g in zip(unknowns, near, strict=True)))
    return real


def reduce_saddle_node(f: Sequence[sp.Expr] | sp.Matrix, x: Sequence[sp.Symbol], mu: sp.Symbol, *,
                       near: Sequence[float] | None = None, require_attracting: bool = False) -> SaddleNodeReduction:
    """Reduce dx/dt = f(x; mu) at a saddle-node point to dy/dt = y^2 + r(mu).

    Parameters
    ----------
    f : sympy expression or sequence of expressions
        The vector field, one component per state variable.
    x : sympy Symbol or sequence of Symbols
        The state variables.
    mu : sympy Symbol
        The bifurcation parameter.
    near : sequence of float, optional
        A guess for (x..., mu). Required when there are several saddle-nodes (the one
        nearest the guess is reduced) or when f = 0, det J = 0 must be solved numerically.
    require_attracting : bool
        Refuse (DegenerateSaddleNodeError) a fold whose transverse directions are not all stable.
        By default such a fold is reduced with a ``RuntimeWarning``: its ghost repels nearby
        trajectories, so no trajectory lingers for the predicted passage time.

    Returns
    -------
    SaddleNodeReduction

    Raises
    ------
    DegenerateSaddleNodeError
        If there is no saddle-node, the zero eigenvalue is not simple, or A = 0 or B = 0
        (the point is not a fold). A subclass of ``ValueError``.

    Examples
    --------
    >>> import sympy as sp
    >>> from reduced import reduce_saddle_node
    >>> u, m = sp.symbols("u mu", real=True)
    >>> red = reduce_saddle_node(m - u**2, u, m)
    >>> red.mu_c, red.A, red.B, red.r_of_mu
    (0, -1, 1, -mu)
    """
    F, xs = _as_matrix(f, x)
    points = find_saddle_nodes(F, xs, mu, near=near)
    if not points:
        raise DegenerateSaddleNodeError("no saddle-node: f = 0 and det J = 0 have no real solution")
    if len(points) > 1 and near is None:
        listing = "; ".join(", ".join(f"{k}={v}" for k, v in p.items()) for p in points)
        raise ValueError(f"{len(points)} saddle-nodes found ({listing}): pass near=(x..., mu) to pick one")
    point = points[0]
    J = F.jacobian(xs).subs(point)
    numeric = any(isinstance(v, sp.Float) for v in point.values())
    v, w = _null_vectors(J, numeric)
    wv = (w.T * v)[0]
    if _is_zero(wv):
        raise DegenerateSaddleNodeError("the zero eigenvalue is not simple (w.v = 0: a Jordan block)")
    w = w / wv
    hessian_term = sum(
        w[i] * (v.T * sp.hessian(F[i], xs).subs(point) * v)[0] for i in range(len(xs))
    )
    A = sp.nsimplify(sp.simplify(hessian_term / 2)) if not numeric else sp.N(hessian_term / 2)
    B_raw = (w.T * F.diff(mu).subs(point))[0]
    B = sp.simplify(B_raw) if not numeric else sp.N(B_raw)
    if _is_zero(A):
        raise DegenerateSaddleNodeError("A = (1/2) w.D2f(v, v) = 0: not a fold (transcritical or pitchfork-like)")
    if _is_zero(B):
        raise DegenerateSaddleNodeError("B = w.df/dmu = 0: the parameter does not unfold the saddle-node")
    mu_c = point[mu]
    r_of_mu = sp.expand(A * B * (mu - mu_c))
    eigenvalues = np.linalg.eigvals(np.array(J.evalf(30), dtype=complex))
    transverse = tuple(complex(v) for v in np.delete(eigenvalues, np.argmin(np.abs(eigenvalues))))
    if not all(v.real < 0 for v in transverse):
        shown = ", ".join(f"{v.real:.4g}{v.imag:+.4g}j" for v in transverse)
        message = (f"the fold is not attracting: transverse eigenvalues [{shown}] include a non-negative "
                   "real part, so trajectories leave before the predicted passage")
        if require_attracting:
            raise DegenerateSaddleNodeError(message)
        import warnings

        warnings.warn(message, RuntimeWarning, stacklevel=2)
    return SaddleNodeReduction(
        f=F,
        x=xs,
        mu=mu,
        x_c=sp.ImmutableMatrix([point[s] for s in xs]),
        mu_c=mu_c,
        A=A,
        B=B,
        v=sp.ImmutableMatrix(v),
        w=sp.ImmutableMatrix(w),
        r_of_mu=r_of_mu,
        r_numeric=sp.lambdify(mu, r_of_mu, "numpy"),
        transverse_eigenvalues=transverse,
    )


def _null_vectors(J: sp.Matrix, numeric: bool) -> tuple[sp.Matrix, sp.Matrix]:
    """Right and left null vectors of J; refuses a null space of dimension > 1."""
    if not numeric:
        right, left = J.nullspace(simplify=True), J.T.nullspace(simplify=True)
        if len(right) > 1:
            raise DegenerateSaddleNodeError(f"the zero eigenvalue is not simple (null space of dimension {len(right)})")
        if not right:
            raise DegenerateSaddleNodeError("J is not singular at the point found")
        return right[0], left[0]
    Jn = np.array(J.evalf(30), dtype=float)
    _, s, vh = np.linalg.svd(Jn)
    small = s < _ZERO_TOL * max(1.0, s.max())
    if small.sum() > 1:
        raise DegenerateSaddleNodeError(f"the zero eigenvalue is not simple (null space of dimension {small.sum()})")
    _, _, vh_left = np.linalg.svd(Jn.T)
    return sp.Matrix(vh[-1]), sp.Matrix(vh_left[-1])
