"""The validated descent problem that descend, summarize_runs, eta_c and the phase diagrams share."""

import numpy as np
import pytest

from analysis import DescentProblem, descend, summarize_runs
from analysis.descent import run_descent, summarize_problem
from reduced import critical_learning_rate, optimal_r


def test_a_problem_runs_as_the_public_functions_do():
    T = np.array([50.0, 100.0])
    eta = np.array([[0.5], [1.2]]) * critical_learning_rate(T)
    problem = DescentProblem.build(10 * optimal_r(T), eta, T, 3000)
    assert problem.shape == (2, 2)
    np.testing.assert_array_equal(run_descent(problem, record_every=100).r,
                                  descend(10 * optimal_r(T), eta, T, 3000, record_every=100).r)
    np.testing.assert_array_equal(summarize_problem(problem).regime,
                                  summarize_runs(10 * optimal_r(T), eta, T, 3000).regime)
    np.testing.assert_allclose(problem.r_zone, optimal_r(T)[None, :].repeat(2, 0) / 4)


def test_with_eta_keeps_the_runs_and_checks_the_rates():
    problem = DescentProblem.build(np.ones(3), np.ones((2, 1)), 10.0, 10)
    moved = problem.with_eta(np.full((2, 1), 2.0))
    assert moved.eta.shape == problem.shape and np.all(moved.eta == 2.0)
    np.testing.assert_array_equal(moved.r0, problem.r0)
    with pytest.raises(ValueError, match="eta"):
        problem.with_eta(-1.0)
    with pytest.raises(ValueError, match="broadcast"):
        problem.with_eta(np.ones(4))


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(r0=np.nan), "r0"), (dict(eta=0.0), "eta"), (dict(T=[]), "T must not be empty"),
    (dict(epochs=0), "epochs"), (dict(optimizer="rmsprop"), "optimizer"),
    (dict(optimizer="momentum", momentum=1.0), "momentum"), (dict(a=-1.0), "a"),
])
def test_bad_arguments_name_themselves(kwargs, match):
    args = dict(r0=1.0, eta=1.0, T=10.0, epochs=10) | kwargs
    with pytest.raises(ValueError, match=match):
        DescentProblem.build(args.pop("r0"), args.pop("eta"), args.pop("T"), args.pop("epochs"), **args)
