"""The small statistics behind the intervals: Student's t, the normal law, Holm's procedure."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("numpy")

from mastery_grading import InvalidValueError
from mastery_grading.simulation._stats import (
    Z95,
    holm,
    normal_two_sided_p,
    t_quantile,
    t_two_sided_p,
    t_within,
)


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        # two-sided 95 % critical values of Student's t (NIST/SEMATECH e-Handbook, table 1.3.6.7.2)
        (1, 12.706),
        (2, 4.303),
        (3, 3.182),
        (4, 2.776),
        (5, 2.571),
        (9, 2.262),
        (10, 2.228),
        (19, 2.093),
        (29, 2.045),
        (30, 2.042),
        (100, 1.984),
    ],
)
def test_t_quantiles_match_the_published_table(df: int, expected: float) -> None:
    assert expected == pytest.approx(t_quantile(0.95, df), abs=5e-4)


@pytest.mark.parametrize(("df", "expected"), [(4, 4.604), (9, 3.250), (30, 2.750)])
def test_t_quantiles_at_99_percent_match_the_published_table(df: int, expected: float) -> None:
    assert expected == pytest.approx(t_quantile(0.99, df), abs=5e-4)


def test_t_tends_to_the_normal_law() -> None:
    assert Z95 == pytest.approx(t_quantile(0.95, 20_000), abs=1e-3)
    assert 0.05 == pytest.approx(normal_two_sided_p(Z95), abs=1e-12)


@given(st.floats(0.0, 50.0), st.integers(1, 60))
def test_the_two_sided_p_value_is_the_mass_beyond_the_statistic(t: float, df: int) -> None:
    p = t_two_sided_p(t, df)
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(1.0 - t_within(t, df))
    # farther out, less mass (to the absolute accuracy of 1 - P(|T| <= t), about 1e-15)
    assert t_two_sided_p(t + 0.5, df) <= p + 1e-14
    assert p >= normal_two_sided_p(t) - 1e-12  # t has heavier tails than the normal law


def test_t_refuses_bad_degrees_of_freedom_and_levels() -> None:
    with pytest.raises(InvalidValueError, match="df=0 must be an int >= 1"):
        t_within(1.0, 0)
    with pytest.raises(InvalidValueError, match=r"level=1\.0 must be in \(0, 1\)"):
        t_quantile(1.0, 3)


def test_holm_multiplies_the_smallest_p_by_the_number_of_tests_and_steps_down() -> None:
    # sorted: 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> running max 0.06)
    assert [0.03, 0.06, 0.06] == holm([0.01, 0.04, 0.03])
    assert [1.0, 1.0] == holm([0.6, 0.9])


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12))
def test_holm_never_lowers_a_p_value_and_keeps_their_order(p_values: list[float]) -> None:
    adjusted = holm(p_values)
    assert all(a >= p - 1e-15 for a, p in zip(adjusted, p_values, strict=True))
    assert all(0.0 <= a <= 1.0 for a in adjusted)
    ranked = sorted(range(len(p_values)), key=lambda i: p_values[i])
    assert all(adjusted[i] <= adjusted[j] + 1e-15 for i, j in itertools.pairwise(ranked))
    assert all(math.isfinite(a) for a in adjusted)
