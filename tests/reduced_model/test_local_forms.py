"""The local normal form of flows and maps, derived in sympy, against the ghost finder and iteration."""

import numpy as np
import pytest
import sympy as sp

from analysis.ghosts import find_slow_points
from reduced.symbolic import local_normal_form
from reduced.symbolic.local_forms import A_coef, c0, lam, r_eff, s


@pytest.mark.parametrize("time", ["continuous", "discrete"])
def test_completing_the_square_gives_the_canonical_form_and_the_passage(time):
    form = local_normal_form(time)
    assert sp.simplify(form.r_eff - (A_coef * c0 - lam**2 / 4)) == 0
    assert sp.simplify(form.passage - sp.pi / sp.sqrt(r_eff)) == 0
    # the substitution maps the slow dynamics onto the canonical form, checked at random values
    rng = np.random.default_rng(0)
    for _ in range(5):
        values = {c0: rng.uniform(0.1, 1), lam: rng.uniform(-1, 1), A_coef: rng.uniform(0.5, 2), s: rng.normal()}
        y_now = form.substitution.subs(values)
        if time == "discrete":
            lhs = form.substitution.subs({**values, s: form.slow.subs(values)})
        else:
            lhs = A_coef.subs(values) * form.slow.subs(values)  # dy/dt = A ds/dt
        rhs = form.canonical.subs({sp.Symbol("y", real=True): y_now, r_eff: form.r_eff.subs(values)})
        assert float(lhs - rhs) == pytest.approx(0, abs=1e-12)


def test_the_map_and_the_finder_agree_on_r_eff_with_a_linear_term():
    # s -> s + c0 + lambda s + A s^2: the finder's minimum of |G - s| and its r_eff against sympy's
    form = local_normal_form("discrete")
    for c, la, a in ((0.02, 0.1, 1.0), (0.003, -0.05, 2.0), (1e-4, 0.01, 0.5)):
        expected = float(form.r_eff.subs({c0: c, lam: la, A_coef: a}))
        found = find_slow_points(lambda x, c=c, la=la, a=a: x + c + la * x + a * x**2, [[0.3]], time="discrete")
        assert found.kind.tolist() == ["ghost"] and found.r_eff[0] == pytest.approx(expected, rel=1e-9)
        assert found.multipliers[0, 0].real == pytest.approx(1.0, abs=1e-9)  # the slow multiplier at the ghost


def test_the_maps_passage_in_steps_converges_to_pi_over_sqrt_r_at_first_order():
    # y -> y + y^2 + r across the ghost, from -L to L at fixed L, counted by iteration, approaches
    # pi / sqrt(r): the steps outside [-L, L] and the Euler error of step h = sqrt(r) are O(1) steps,
    # a relative error first order in h
    def steps_through(r, far=0.1):
        y, k = -far, 0
        while y < far:
            y, k = y + y * y + r, k + 1
        return k

    rs = np.array([1e-4, 1e-5, 1e-6, 1e-7])
    errors = np.array([abs(steps_through(r) * np.sqrt(r) / np.pi - 1) for r in rs])
    order = np.polyfit(np.log(np.sqrt(rs)), np.log(errors), 1)[0]
    assert errors[-1] < 0.01 and order == pytest.approx(1.0, abs=0.25)


def test_a_bad_time_is_refused():
    with pytest.raises(ValueError, match="time must be one of"):
        local_normal_form("sideways")
