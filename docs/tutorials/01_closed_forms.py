# %% [markdown]
# # The 1-D model and its closed forms
#
# Near a saddle-node ghost a recurrent network's slow dynamics reduce to
# $\dot x = x^2 + r$. Trained to switch its output on after a delay $T$, the only thing the
# model can learn is $r$. This tutorial derives the closed forms of that problem with sympy
# (`reduced.symbolic`) and checks the library's numpy functions (`reduced`) against them and
# against a numerical solver.

# %%
import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

import reduced
from reduced import symbolic

# %% [markdown]
# ## The passage time
#
# For $r > 0$ the solution from $x(0) = 0$ is $x(t) = \sqrt r \tan(\sqrt r\, t)$: it blows
# up at $t_\infty(r) = \pi / (2\sqrt r)$. sympy derives the trajectory from the vector field by
# separation of variables (here from any $x_0$), and the time to blow-up:

# %%
print(symbolic.trajectory("positive"))
print(symbolic.passage_time("positive", to_infinity=True))
print(symbolic.blowup_time(), "(from x0 = 0)")

# %% [markdown]
# The numeric twin agrees with an ODE solver that integrates until $x$ passes a large value
# (here $10^6$, which the exact solution reaches $\arctan(10^6/\sqrt r)/\sqrt r$ after the start):

# %%
for r in (1e-4, 1e-2, 1.0):
    reach = solve_ivp(lambda t, x, r=r: x**2 + r, (0, 1e4), [0.0], events=lambda t, x: x[0] - 1e6,
                      rtol=1e-12, atol=1e-12)
    exact = np.arctan(1e6 / np.sqrt(r)) / np.sqrt(r)
    print(f"r = {r:g}: solver {reach.t_events[0][0]:.6f}, closed form {exact:.6f}, "
          f"t_inf = {reduced.passage_time(r):.6f}")

# %% [markdown]
# ## The optimum, the no-learning zone and the critical learning rate
#
# In the sharp limit (infinite output confidence) the loss is $|T - t_\infty(r)| / T$ while the
# output switches on within the trial, so the optimum is $r^* = \pi^2 / (4T^2)$ and below
# $r^*/4$ the output never switches on: the loss is 1 and its gradient is zero, the
# **no-learning zone**. A gradient step from the far side of $r^*$ that lands in the zone ends
# learning for good; the largest rate at which no step from above can land there is the
# critical learning rate $\eta_c$.

# %%
print(symbolic.optimal_r())
print(symbolic.critical_learning_rate(normalized=True), symbolic.critical_exponent(True))
print(symbolic.critical_learning_rate(normalized=False), symbolic.critical_exponent(False))

# %% [markdown]
# The numpy functions evaluate those expressions; we check them against sympy at several delays:

# %%
T_sym = symbolic.T
eta_c_expr = sp.lambdify(T_sym, symbolic.critical_learning_rate(normalized=True))
r_star_expr = sp.lambdify(T_sym, symbolic.optimal_r())
Ts = np.array([10.0, 25.0, 100.0, 400.0])
np.testing.assert_allclose(reduced.critical_learning_rate(Ts), eta_c_expr(Ts), rtol=1e-13)
np.testing.assert_allclose(reduced.optimal_r(Ts), r_star_expr(Ts), rtol=1e-13)
print("eta_c(T):", reduced.critical_learning_rate(Ts))

# %% [markdown]
# The loss and its gradient in the sharp limit, and a finite-difference check of the gradient
# on the learning side of the zone:

# %%
T = 100.0
r_star = reduced.optimal_r(T)
r = np.array([0.5, 0.8, 1.5, 3.0]) * r_star
h = 1e-9 * r_star
fd = (reduced.sharp_loss(r + h, T) - reduced.sharp_loss(r - h, T)) / (2 * h)
print(reduced.sharp_loss(r, T))
np.testing.assert_allclose(reduced.sharp_gradient(r, T), fd, rtol=1e-5)
print("inside the zone:", reduced.sharp_loss(r_star / 8, T), reduced.sharp_gradient(r_star / 8, T))

# %% [markdown]
# ## Finite confidence
#
# With a readout $\mathrm{sigmoid}(a(x - x^*))$ of finite confidence $a$ the landscape is
# smooth: `reduced.loss_and_grad` evaluates it exactly (continuous time, or the reference code's
# Euler model with `dt=`). Its minimum sits just below $r^*$, and in the zone the gradient is
# small but no longer zero:

# %%
m = reduced.minimum(T, a=1.0)
print(f"r_min / r* = {m.r_min / r_star:.4f}, eta_s = 2 / L'' = {m.eta_s:.3e}")
print(f"|dL/dr| in the zone (r = 0): {reduced.no_learning_gradient(T, a=1.0):.3e}")
