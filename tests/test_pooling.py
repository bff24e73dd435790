"""Dorfman pooling against brute-force enumeration and closed forms."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.pooling import break_even_prevalence, dorfman_tests_per_person, optimal_pool_size


def brute_force_tests_per_person(p, k, se=1.0, sp=1.0):
    """Enumerate every infection pattern of a pool of k and the pool-test outcome."""
    total = 0.0
    for pattern in itertools.product([0, 1], repeat=k):
        prob = np.prod([p if s else 1 - p for s in pattern])
        pool_positive = se if any(pattern) else 1 - sp
        total += prob * (1 + k * pool_positive)
    return total / k


@pytest.mark.parametrize("p", [0.001, 0.05, 0.3])
@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("se, sp", [(1.0, 1.0), (0.9, 0.99)])
def test_matches_enumeration(p, k, se, sp):
    assert dorfman_tests_per_person(p, k, se, sp) == pytest.approx(brute_force_tests_per_person(p, k, se, sp))


def test_scalar_and_array():
    assert isinstance(dorfman_tests_per_person(0.01, 10), float)
    out = dorfman_tests_per_person(np.array([0.001, 0.01]), 10)
    assert out.shape == (2,) and out[0] < out[1]
    assert dorfman_tests_per_person(0.5, 1) == 1.0


def test_optimal_pool_shrinks_with_prevalence():
    sizes = [optimal_pool_size(p) for p in (0.0005, 0.005, 0.05, 0.2)]
    assert sizes == sorted(sizes, reverse=True)
    assert optimal_pool_size(0.05) == 5  # classic Dorfman result: k = 5 near 5 %
    assert optimal_pool_size(0.4) == 1  # above break-even for every k: do not pool


@pytest.mark.parametrize("k", [5, 10, 20])
def test_break_even_closed_form(k):
    p = break_even_prevalence(k)
    assert (1 - p) ** k == pytest.approx(1 / k, rel=1e-9)
    assert dorfman_tests_per_person(p * 0.9, k) < 1 < dorfman_tests_per_person(min(p * 1.1, 1), k)


@pytest.mark.parametrize("args", [(-0.1, 5), (1.2, 5), (0.1, 0), (0.1, 2.5)])
def test_bad_input(args):
    with pytest.raises(ValueError):
        dorfman_tests_per_person(*args)
