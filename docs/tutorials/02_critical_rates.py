# %% [markdown]
# # Critical learning rates and phase diagrams
#
# Gradient descent on $r$ with rate $\eta$: below the critical rate $\eta_c \propto T^{-4}$
# the iterates settle at (or oscillate about) the optimum $r^*$; above it one overshoot lands
# in the no-learning zone $r \le r^*/4$, where the gradient vanishes, and learning stops for
# good. This tutorial runs the descent, finds $\eta_c$ numerically, compares it with the closed
# form, draws a phase diagram and repeats the measurement with momentum and Adam.

# %%
# %matplotlib inline
import numpy as np

import reduced
from analysis import REGIMES, classify, critical_learning_rate_numeric, descend, fit_power_law, phase_diagram, plotting

T = 100.0
r_star = reduced.optimal_r(T)
eta_c = reduced.critical_learning_rate(T)

# %% [markdown]
# ## One descent per learning rate
#
# `descend` vectorises over any broadcastable arrays of starts, rates and delays. Starting at
# $10 r^*$, half the critical rate ends oscillating about $r^*$ and 1.2 times it ends trapped:

# %%
run = descend(10 * r_star, np.array([0.5, 1.2]) * eta_c, T, 10_000)
print([REGIMES[c] for c in classify(run).regime])

# %% [markdown]
# ## The critical rate, measured
#
# `critical_learning_rate_numeric` scans rates densely around the closed form and reports the
# first rate at which a run ends trapped. With `independent=True` every delay gets its own
# random starts, so a power-law fit over the delays has a real confidence interval:

# %%
Ts = np.array([25.0, 50.0, 100.0, 200.0])
measured = critical_learning_rate_numeric(Ts, independent=True)
print("measured / closed form:", np.round(measured / reduced.critical_learning_rate(Ts), 4))
fit = fit_power_law(Ts, measured)
print(f"exponent {fit.exponent:.4f}, 95% CI [{fit.ci[0]:.4f}, {fit.ci[1]:.4f}] (closed form: -4)")

# %% [markdown]
# ## A phase diagram over $(T, \eta)$
#
# `phase_diagram` runs seeds of random starts at every grid point and returns an
# `xarray.Dataset` of regimes and summaries; `plotting.plot_phase_eta_T` draws it with the closed
# form $\eta_c(T)$ on top. (Long sweeps take `out="diagram.nc"`: they save as they go and resume.)

# %%
ds = phase_diagram(eta=np.geomspace(1e-9, 1e-4, 30), T=np.geomspace(20, 200, 12), seeds=4, epochs=3000)
print(sorted(ds.data_vars))
fig = plotting.plot_phase_eta_T(ds)
fig

# %% [markdown]
# ## Momentum and Adam
#
# The same functions take `optimizer="momentum"` (heavy ball, optax's update rule) and
# `optimizer="adam"`. Momentum lowers $\eta_c$; Adam normalises the step, so its critical
# rate scales like $r^* \propto T^{-2}$ rather than $T^{-4}$:

# %%
eta_mu = critical_learning_rate_numeric(T, optimizer="momentum", momentum=np.array([0.0, 0.5, 0.9]))
print("momentum 0, 0.5, 0.9:", np.round(eta_mu / eta_c, 3))
eta_adam = critical_learning_rate_numeric(Ts, optimizer="adam", independent=True)
print(f"Adam's exponent: {fit_power_law(Ts, eta_adam).exponent:.2f}")
