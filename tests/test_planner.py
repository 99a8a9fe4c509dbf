"""Unit tests for data_sources.planner (pure functions, no I/O)."""

from __future__ import annotations

import math
from collections import Counter
from itertools import product

import pytest
from hypothesis import given, settings, strategies as st

from data_sources.planner import (cells, expand_expression, expand_selection, minimum_requests,
                                  plan)

YEARS = [str(y) for y in range(2020, 2031)]
REGIONS = ["0", "0301", "3101", "3103", "4601", "4602", "46"]


@pytest.mark.parametrize("expr, time, expected", [
    ("*", True, YEARS),
    ("top(3)", True, ["2028", "2029", "2030"]),          # latest periods, ascending
    ("TOP(2,1)", True, ["2028", "2029"]),                 # offset from the end
    ("bottom(2)", True, ["2020", "2021"]),
    ("from(2028)", True, ["2028", "2029", "2030"]),
    ("to(2021)", True, ["2020", "2021"]),
    ("range(2022,2024)", True, ["2022", "2023", "2024"]),
    ("2025", True, ["2025"]),
    ("202?", True, YEARS[:10]),
    ("203*", True, ["2030"]),
])
def test_time_expressions(expr, time, expected):
    assert expand_expression(YEARS, expr, time=time) == expected


def test_top_on_non_time_takes_first_codes():
    assert expand_expression(REGIONS, "top(2)") == ["0", "0301"]
    assert expand_expression(REGIONS, "bottom(2)") == ["4602", "46"]


def test_wildcards_and_case():
    assert expand_expression(REGIONS, "46*") == ["4601", "4602", "46"]
    assert expand_expression(REGIONS, "46??") == ["4601", "4602"]
    assert expand_expression(["Personer", "Personer1"], "personer1") == ["Personer1"]


def test_unknown_code_raises_norwegian():
    with pytest.raises(ValueError, match="ukjent kode"):
        expand_expression(REGIONS, "9999")
    with pytest.raises(ValueError):
        expand_expression(YEARS, "top(0)")


def test_selection_union_in_table_order_without_duplicates():
    assert expand_selection(REGIONS, ["4601", "0301", "46*"]) == ["0301", "4601", "4602", "46"]


def test_minimum_requests():
    assert minimum_requests(2_000_000, 800_000) == 3
    assert minimum_requests(800_000, 800_000) == 1
    assert minimum_requests(0, 10) == 0


def _codes(n, prefix):
    return [f"{prefix}{i}" for i in range(n)]


def _check_cover(selected, parts, max_cells):
    seen = Counter()
    for p in parts:
        assert list(p) == list(selected)
        assert cells(p) <= max_cells
        for combo in product(*p.values()):
            seen[combo] += 1
    assert len(seen) == cells(selected)
    assert set(seen.values()) == {1}


def test_fits_in_one():
    sel = {"Region": _codes(3, "r"), "Tid": _codes(2, "t")}
    assert plan(sel, 6) == [sel]


def test_realistic_projection_reaches_lower_bound_with_two_dims():
    # 357 kommuner x 106 ages x 2 sexes x 9 alternatives x 25 years = 17,030,700 cells.
    sel = {"Region": _codes(357, "r"), "Kjonn": ["1", "2"], "Alder": _codes(106, "a"),
           "ContentsCode": _codes(9, "c"), "Tid": _codes(25, "t")}
    parts = plan(sel, 800_000)
    assert len(parts) == minimum_requests(cells(sel), 800_000) == 22  # one dim alone needs 23
    assert all(cells(p) <= 800_000 for p in parts)
    assert sum(cells(p) for p in parts) == cells(sel)
    assert all(p["Tid"] == sel["Tid"] and p["ContentsCode"] == sel["ContentsCode"] for p in parts)


def test_tie_prefers_region_and_avoids_tid():
    sel = {"Region": _codes(4, "r"), "Tid": _codes(4, "t")}
    parts = plan(sel, 8)
    assert len(parts) == 2
    assert all(p["Tid"] == sel["Tid"] for p in parts)
    sel = {"Tid": _codes(4, "t"), "ContentsCode": _codes(4, "c"), "Alder": _codes(4, "a")}
    parts = plan(sel, 32)
    assert len(parts) == 2 and all(len(p["Alder"]) == 2 for p in parts)


def test_needs_more_than_two_split_dimensions():
    sel = {"A": _codes(10, "a"), "B": _codes(10, "b"), "C": _codes(10, "c")}
    parts = plan(sel, 5)
    _check_cover(sel, parts, 5)
    assert len(parts) == 200 == minimum_requests(1000, 5)


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 9), min_size=1, max_size=4), max_cells=st.integers(1, 60))
def test_plan_properties(sizes, max_cells):
    sel = {f"D{i}": _codes(n, f"d{i}_") for i, n in enumerate(sizes)}
    parts = plan(sel, max_cells)
    _check_cover(sel, parts, max_cells)
    total = cells(sel)
    assert len(parts) >= minimum_requests(total, max_cells)
    # never worse than the best plan that chunks a single dimension
    singles = [math.ceil(n / (max_cells // (total // n))) for n in sizes
               if total // n <= max_cells]
    if singles:
        assert len(parts) <= min(singles)


def test_full_14746_reaches_the_lower_bound_with_grouped_plan():
    """373 regions x 2 x 106 x 9 alternatives x 25 years: every uniform grid needs 24
    requests; grouping the alternatives (4 pairs + 1 single) reaches ceil(cells/limit) = 23."""
    from data_sources import planner
    sel = {"Region": [f"r{i}" for i in range(373)], "Kjonn": ["1", "2"],
           "Alder": [f"{a:03d}" for a in range(106)],
           "ContentsCode": [f"Personer{i}" for i in range(9)],
           "Tid": [str(y) for y in range(2026, 2051)]}
    parts = planner.plan(sel, 800_000)
    assert len(parts) == planner.minimum_requests(planner.cells(sel), 800_000) == 23
    assert all(planner.cells(p) <= 800_000 for p in parts)
    seen = set()
    for p in parts:
        for r in p["Region"]:
            for c in p["ContentsCode"]:
                assert (r, c) not in seen
                seen.add((r, c))
        assert p["Kjonn"] == sel["Kjonn"] and p["Tid"] == sel["Tid"]
    assert len(seen) == 373 * 9
