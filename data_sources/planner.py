"""Pure helpers for PxWebApi 2 queries: expand selection expressions, plan request splits.

Public API:

- ``expand_expression(codes, expr, *, time=False) -> list[str]``: the codes (a subset of
  ``codes``, in table order) that one PxWebApi 2 selection expression picks.
- ``expand_selection(codes, value_codes, *, time=False) -> list[str]``: union of several
  expressions (a ``valueCodes`` array), de-duplicated, in table order.
- ``minimum_requests(total_cells, max_cells) -> int``: ``ceil(total / max)``, the lower bound.
- ``plan(selected, max_cells, *, geo=None, avoid=("Tid", "ContentsCode")) -> list[dict]``:
  split a query (dimension id -> expanded codes, in JSON-stat id order) into sub-queries of at
  most ``max_cells`` cells each, using as few requests as chunking allows.
- ``cells(selected) -> int``: cell count of a query (product of the code counts).

Expression semantics, checked against PxWebApi 2's own source (PxTools/PxWebApi,
``PxWeb/Code/Api2/DataSelection/SelectionExpressions/*.cs``):

- ``*`` alone = all codes; ``*`` and ``?`` inside a code are wildcards (any run / one char),
  matched case-insensitively against codes.
- ``top(n[,offset])``: for the time variable the ``n`` *latest* periods (skipping ``offset``
  from the end), returned ascending; for other variables the ``n`` first codes after
  ``offset``. ``bottom(n[,offset])`` is the mirror image (earliest periods / last codes).
- ``from(x)``: ``x`` and everything after it; ``to(x)``: everything up to and including ``x``;
  ``range(a,b)``: ``a`` through ``b`` inclusive (positions in the variable's code order).
- Plain codes: exact match, falling back to a case-insensitive match (as PxWebApi does).

Unknown codes raise ``ValueError`` with a Norwegian message (PxWebApi answers 400
"Non-existent value" for those).
"""

from __future__ import annotations

import math
import re
from itertools import combinations

__all__ = ["expand_expression", "expand_selection", "minimum_requests", "plan", "cells",
           "is_geo_dimension"]

_FUNC = re.compile(r"^\s*(top|bottom|from|to|range)\s*\((.*)\)\s*$", re.IGNORECASE)


def _index_of(codes: list[str], code: str) -> int:
    code = code.strip()
    try:
        return codes.index(code)
    except ValueError:
        lowered = code.lower()
        for i, c in enumerate(codes):
            if c.lower() == lowered:
                return i
    raise ValueError(f"ukjent kode «{code}»")


def _count_offset(arg: str, expr: str) -> tuple[int, int]:
    parts = [p.strip() for p in arg.split(",")]
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"ugyldig uttrykk «{expr}»") from None
    if len(nums) not in (1, 2) or nums[0] < 1 or (len(nums) == 2 and nums[1] < 0):
        raise ValueError(f"ugyldig uttrykk «{expr}»")
    return nums[0], (nums[1] if len(nums) == 2 else 0)


def expand_expression(codes: list[str], expr: str, *, time: bool = False) -> list[str]:
    """Codes picked by one selection expression ``expr``, in table order (see module doc)."""
    codes = list(codes)
    expr = str(expr).strip()
    if expr == "*":
        return codes
    m = _FUNC.match(expr)
    if m:
        func, arg = m.group(1).lower(), m.group(2)
        if func in ("top", "bottom"):
            n, off = _count_offset(arg, expr)
            from_end = (func == "top") == time   # top on time / bottom on others: from the end
            if from_end:
                stop = len(codes) - off
                return codes[max(stop - n, 0):max(stop, 0)]
            return codes[off:off + n]
        if func == "from":
            return codes[_index_of(codes, arg):]
        if func == "to":
            return codes[:_index_of(codes, arg) + 1]
        parts = arg.split(",")
        if len(parts) != 2:
            raise ValueError(f"ugyldig uttrykk «{expr}»")
        a, b = _index_of(codes, parts[0]), _index_of(codes, parts[1])
        if a > b:
            a, b = b, a
        return codes[a:b + 1]
    if "*" in expr or "?" in expr:
        pattern = re.compile(
            "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in expr),
            re.IGNORECASE)
        return [c for c in codes if pattern.fullmatch(c)]
    return [codes[_index_of(codes, expr)]]


def expand_selection(codes: list[str], value_codes: list[str], *, time: bool = False) -> list[str]:
    """Union of the expressions in ``value_codes``, de-duplicated, in the order of ``codes``."""
    picked: set[str] = set()
    for expr in value_codes:
        picked.update(expand_expression(codes, expr, time=time))
    return [c for c in codes if c in picked]


def minimum_requests(total_cells: int, max_cells: int) -> int:
    """Lower bound on the number of requests: ``ceil(total_cells / max_cells)`` (0 if empty)."""
    if max_cells < 1:
        raise ValueError("max_cells må være minst 1")
    return math.ceil(total_cells / max_cells) if total_cells > 0 else 0


def cells(selected: dict[str, list[str]]) -> int:
    """Number of cells of a query: product of the number of codes per dimension."""
    return math.prod(len(v) for v in selected.values())


def is_geo_dimension(dim_id: str) -> bool:
    """True for SSB's geography variables (``Region``, ``KOKkommuneregion0000``, ...)."""
    return "region" in dim_id.lower()


def _chunks(codes: list[str], n_chunks: int) -> list[list[str]]:
    """Split ``codes`` into ``n_chunks`` contiguous, near-equal parts (sizes differ by ≤ 1)."""
    q, r = divmod(len(codes), n_chunks)
    out, start = [], 0
    for i in range(n_chunks):
        size = q + (1 if i < r else 0)
        out.append(codes[start:start + size])
        start += size
    return out


def _best_counts(sizes: list[int], rest: int, max_cells: int) -> tuple[int, ...] | None:
    """Fewest-requests chunk counts for the dimensions in ``sizes`` (others fixed at ``rest`` cells).

    Returns chunk counts per dimension, or None if even single codes do not fit.
    """
    if rest > max_cells:
        return None
    if len(sizes) == 1:
        k = max_cells // rest
        return (math.ceil(sizes[0] / k),) if k >= 1 else None
    best: tuple[int, tuple[int, ...]] | None = None
    n0 = sizes[0]
    seen = set()
    for c0 in range(1, n0 + 1):
        k0 = math.ceil(n0 / c0)          # chunk size for this chunk count
        if k0 in seen:
            continue
        seen.add(k0)
        sub = _best_counts(sizes[1:], rest * k0, max_cells)
        if sub is None:
            continue
        c0_eff = math.ceil(n0 / k0)
        total = c0_eff * math.prod(sub)
        if best is None or total < best[0]:
            best = (total, (c0_eff, *sub))
    return best[1] if best else None


def _grid_split(selected: dict[str, list[str]], max_cells: int, geo: str | None,
                avoid: tuple[str, ...]) -> tuple[tuple, dict[str, int]]:
    """Best uniform grid: (sort key whose first element is the request count, chunk counts)."""
    dims = list(selected)
    total = cells(selected)
    splittable = [d for d in dims if len(selected[d]) > 1]
    best_key, best_split = None, None
    for n_split in range(1, len(splittable) + 1):
        for combo in combinations(splittable, n_split):
            rest = total // math.prod(len(selected[d]) for d in combo)
            counts = _best_counts([len(selected[d]) for d in combo], rest, max_cells)
            if counts is None:
                continue
            split = {d: c for d, c in zip(combo, counts) if c > 1}
            key = (math.prod(counts), 0 if geo in split else 1,
                   sum(1 for d in split if d in avoid), len(split))
            if best_key is None or key < best_key:
                best_key, best_split = key, split
        if best_split is not None and n_split >= 2:
            break   # singles and pairs are searched exhaustively; triples etc. only as fallback
    assert best_split is not None  # splitting every dimension to single codes always fits
    return best_key, best_split


def _grid_parts(selected: dict[str, list[str]], split: dict[str, int]) -> list[dict]:
    parts: list[dict[str, list[str]]] = [{}]
    for d in selected:
        chunks = _chunks(selected[d], split[d]) if d in split else [list(selected[d])]
        parts = [{**p, d: ch} for p in parts for ch in chunks]
    return parts


def _grid_count(selected, max_cells, geo, avoid) -> int:
    if cells(selected) <= max_cells:
        return 1
    return _grid_split(selected, max_cells, geo, avoid)[0][0]


def _grouped(selected: dict[str, list[str]], max_cells: int, geo: str | None,
             avoid: tuple[str, ...], limit: int = 40) -> tuple[int, str, list[int]] | None:
    """Best two-level plan: split one small dimension into groups of unequal sizes, each
    planned as a grid. E.g. 14746 (373 regions × 9 alternatives): four pairs of alternatives
    × 5 region chunks + 1 alternative × 3 region chunks = 23 requests, where any uniform grid
    needs 24. Returns (requests, dimension, group sizes) or None."""
    best = None
    for d in selected:
        n = len(selected[d])
        if n < 2 or n > limit or d == geo:
            continue
        cost = {g: _grid_count({**selected, d: selected[d][:g]}, max_cells, geo, avoid)
                for g in range(1, n + 1)}
        dp = [0] + [None] * n          # dp[m]: fewest requests covering m codes of d
        choice = [0] * (n + 1)
        for m in range(1, n + 1):
            for g in range(1, m + 1):
                v = dp[m - g] + cost[g]
                if dp[m] is None or v < dp[m]:
                    dp[m], choice[m] = v, g
        sizes, m = [], n
        while m:
            sizes.append(choice[m])
            m -= choice[m]
        if best is None or dp[n] < best[0]:
            best = (dp[n], d, sorted(sizes, reverse=True))
    return best


def plan(selected: dict[str, list[str]], max_cells: int, *, geo: str | None = None,
         avoid: tuple[str, ...] = ("Tid", "ContentsCode")) -> list[dict[str, list[str]]]:
    """Split a query into sub-queries of at most ``max_cells`` cells each.

    ``selected`` maps dimension id -> expanded codes (JSON-stat ``id`` order). Tries chunking
    every single dimension and every pair of dimensions (then triples, only if nothing smaller
    fits) and keeps the plan with the fewest requests. Ties prefer splitting the geography
    dimension (``geo``, default: the first id containing "region"), then plans that do not
    split dimensions in ``avoid`` (Tid, ContentsCode), then fewer split dimensions. A
    two-level plan (one small dimension cut into groups of unequal size, each a grid) is used
    when it needs strictly fewer requests.

    Returns a list of dicts with the same keys as ``selected``; every cell of the query is in
    exactly one sub-query. An empty query (some dimension with no codes) gives ``[]``.
    """
    if max_cells < 1:
        raise ValueError("max_cells må være minst 1")
    dims = list(selected)
    total = cells(selected)
    if total == 0:
        return []
    if total <= max_cells:
        return [{d: list(selected[d]) for d in dims}]
    if geo is None:
        geo = next((d for d in dims if is_geo_dimension(d)), None)
    key, split = _grid_split(selected, max_cells, geo, avoid)
    grouped = _grouped(selected, max_cells, geo, avoid)
    if grouped is None or grouped[0] >= key[0]:
        return _grid_parts(selected, split)
    _, d, sizes = grouped
    parts, start = [], 0
    for g in sizes:
        sub = {**selected, d: selected[d][start:start + g]}
        start += g
        if cells(sub) <= max_cells:
            parts.append({k: list(v) for k, v in sub.items()})
        else:
            parts.extend(_grid_parts(sub, _grid_split(sub, max_cells, geo, avoid)[1]))
    return parts
