"""The roofline's operation counts (benchmarks/roofline.py) against PyTorch's own flop counter."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _roofline():
    sys.path.insert(0, str(ROOT / "benchmarks"))  # roofline.py imports its sibling networks.py
    try:
        spec = importlib.util.spec_from_file_location("roofline", ROOT / "benchmarks" / "roofline.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


def test_the_full_rank_count_matches_the_matrix_products_pytorch_counts():
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    N, trials, steps = 100, 2, 22
    W = torch.randn(N, N, requires_grad=True)
    r = torch.tanh(0.1 * torch.randn(trials, N))
    with FlopCounterMode(display=False) as counter:
        x = r
        for _ in range(steps):
            x = 0.5 * x + 0.5 * torch.tanh(x @ W)
        x.sum().backward()
    matmul = counter.get_total_flops()  # PyTorch counts the products only: forward and backward
    ops, _ = _roofline().full_rank_work(N, trials, steps)
    elementwise_and_update = trials * steps * 20 * N + 2 * N * N
    assert ops - elementwise_and_update == matmul


def test_the_counts_scale_as_the_equations_say():
    roofline = _roofline()
    one_small, one_large = roofline.rank_one_work(100, 40), roofline.rank_one_work(200, 80)
    assert one_large[0] == pytest.approx(4 * one_small[0], rel=0.01)  # linear in N and in the steps
    full_small, full_large = roofline.full_rank_work(100, 2, 22), roofline.full_rank_work(200, 2, 22)
    assert full_large[0] / full_small[0] == pytest.approx(4, rel=0.02)  # N^2 dominates
