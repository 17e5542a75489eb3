"""The shared sympy symbols of the derivations; their assumptions select the branch sympy takes."""

from __future__ import annotations

import sympy as sp

# Shared symbols. Assumptions matter: they select the branch sympy takes.
t = sp.Symbol("t", nonnegative=True)
x = sp.Symbol("x", real=True)
x0 = sp.Symbol("x_0", real=True)
x1 = sp.Symbol("x_1", real=True)
r = sp.Symbol("r", real=True)
T = sp.Symbol("T", positive=True)
eta = sp.Symbol("eta", positive=True)
rho = sp.Symbol("rho", positive=True)
beta = sp.Symbol("beta", positive=True)
tau = sp.Symbol("tau", nonnegative=True)
r0 = sp.Symbol("r_0", positive=True)
rho0 = sp.Symbol("rho_0", positive=True)

SIGNS_OF_R = ("positive", "zero", "negative")  # the three cases of the canonical form
