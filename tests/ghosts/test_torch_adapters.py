"""from_torch against PyTorch itself: the step, the fixed points and their stability."""

import numpy as np
import pytest

from analysis.ghosts import find_slow_points, from_torch

torch = pytest.importorskip("torch")

H, M = 5, 3


def _modules():
    torch.manual_seed(0)
    for layers in (1, 2):
        yield torch.nn.RNN(M, H, num_layers=layers)
        yield torch.nn.RNN(M, H, num_layers=layers, nonlinearity="relu", bias=False)
        yield torch.nn.GRU(M, H, num_layers=layers, batch_first=True)
        yield torch.nn.LSTM(M, H, num_layers=layers)
    yield torch.nn.RNNCell(M, H)
    yield torch.nn.RNNCell(M, H, nonlinearity="relu")
    yield torch.nn.GRUCell(M, H)
    yield torch.nn.LSTMCell(M, H)


MODULES = list(_modules())
IDS = [f"{type(m).__name__}-{getattr(m, 'num_layers', 1)}-{getattr(m, 'nonlinearity', '')}" for m in MODULES]


def torch_step(module, x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One step of the module by PyTorch's own forward, the state laid out as from_torch documents."""
    module = module.double()
    layers = getattr(module, "num_layers", 1)
    with torch.no_grad():
        ut, xt = torch.tensor(u), torch.tensor(x)
        if isinstance(module, torch.nn.LSTM):
            h, c = xt[:layers * H].reshape(layers, 1, H), xt[layers * H:].reshape(layers, 1, H)
            _, (h, c) = module(ut[None, None], (h, c))
            return np.concatenate([h.reshape(-1).numpy(), c.reshape(-1).numpy()])
        if isinstance(module, torch.nn.RNN | torch.nn.GRU):
            _, h = module(ut[None, None], xt.reshape(layers, 1, H))
            return h.reshape(-1).numpy()
        if isinstance(module, torch.nn.LSTMCell):
            h, c = module(ut[None], (xt[None, :H], xt[None, H:]))
            return np.concatenate([h[0].numpy(), c[0].numpy()])
        return module(ut[None], xt[None])[0].numpy()


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_the_adapters_step_is_pytorchs_step(module):
    G = from_torch(module)
    rng = np.random.default_rng(1)
    per_layer = 2 * H if isinstance(module, torch.nn.LSTM | torch.nn.LSTMCell) else H  # an LSTM keeps h and c
    assert G.n_input == M and G.n_state == per_layer * getattr(module, "num_layers", 1)
    for _ in range(5):
        x, u = 2 * rng.normal(size=G.n_state), rng.normal(size=M)
        np.testing.assert_allclose(G(x, u), torch_step(module, x, u), atol=1e-10, rtol=0)


@pytest.mark.parametrize("kind", ["GRU", "LSTM"])
def test_fixed_points_are_fixed_by_pytorch_and_their_stability_is_its_jacobians(kind):
    torch.manual_seed(3)
    module = getattr(torch.nn, kind)(M, H).double()
    with torch.no_grad():  # a stronger recurrence than the default init, so that there is structure
        module.weight_hh_l0.mul_(4.0)
    G = from_torch(module)
    u = np.array([0.2, -0.1, 0.05])
    starts = np.random.default_rng(0).uniform(-1, 1, size=(300, G.n_state))
    found = find_slow_points(G, starts, inputs=u)
    fixed = found.fixed_points
    assert len(fixed) >= 1
    for x, stability, multipliers in zip(fixed.x, fixed.stability, fixed.multipliers, strict=True):
        assert np.max(np.abs(torch_step(module, x, u) - x)) < 1e-10  # G(x*) = x*, checked by PyTorch
        jac = torch.autograd.functional.jacobian(lambda s: _torch_map(module, s, torch.tensor(u)), torch.tensor(x))
        mu = np.linalg.eigvals(jac.numpy())
        np.testing.assert_allclose(np.sort(np.abs(mu)), np.sort(np.abs(multipliers)), atol=1e-8)
        expected = "stable" if np.all(np.abs(mu) < 1) else ("saddle" if np.any(np.abs(mu) < 1) else "unstable")
        assert stability == expected


def _torch_map(module, x, u):
    if isinstance(module, torch.nn.LSTM):
        _, (h, c) = module(u[None, None], (x[:H].reshape(1, 1, H), x[H:].reshape(1, 1, H)))
        return torch.cat([h.reshape(-1), c.reshape(-1)])
    return module(u[None, None], x.reshape(1, 1, H))[1].reshape(-1)


def test_one_compiled_search_serves_every_checkpoint():
    from analysis.ghosts.kernels import kernels_for

    a, b = torch.nn.GRU(M, H), torch.nn.GRU(M, H)
    assert from_torch(a).function is from_torch(b).function  # one step function per architecture
    kernels = kernels_for(from_torch(a).function, True, "discrete", True)
    find_slow_points(from_torch(a), np.zeros((4, H)))
    find_slow_points(from_torch(b), np.zeros((4, H)))
    assert kernels_for(from_torch(b).function, True, "discrete", True) is kernels


@pytest.mark.parametrize(("module", "match"), [
    (lambda: torch.nn.GRU(M, H, bidirectional=True), "bidirectional=True is not supported"),
    (lambda: torch.nn.LSTM(M, H, proj_size=2), "proj_size=2 is not supported"),
    (lambda: torch.nn.Linear(M, H), r"module must be one of torch.nn.RNN, .*got Linear"),
])
def test_unsupported_modules_are_refused_by_name(module, match):
    with pytest.raises(ValueError, match=match):
        from_torch(module())


def test_non_finite_weights_are_refused():
    module = torch.nn.RNN(M, H)
    with torch.no_grad():
        module.weight_hh_l0[0, 0] = float("nan")
    with pytest.raises(ValueError, match="weights must be finite"):
        from_torch(module)


def test_a_later_checkpoint_compiles_nothing():
    import jax

    events = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, seconds, **kwargs: events.append(event) if event.endswith("backend_compile_duration") else None)
    torch.manual_seed(5)
    module = torch.nn.GRU(M, 8)
    rng = np.random.default_rng(0)
    find_slow_points(from_torch(module), rng.normal(size=(64, 8)))  # the first search compiles
    with torch.no_grad():  # "training": other weights, other starts, the same shapes
        for p in module.parameters():
            p.mul_(1.5)
    before = len(events)
    find_slow_points(from_torch(module), rng.normal(size=(64, 8)) * 2)
    assert len(events) == before
