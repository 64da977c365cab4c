"""One-to-one matching by maximum cardinality, ties broken by the larger total overlap.

A greedy pass depends on the order it visits spans; this does not. Each edge weighs
BIG + overlap with BIG larger than every overlap added together, so a heaviest matching has
the most edges first and, among those, the largest total overlap. Graphs are split into
connected components first (spans of one label in one document rarely touch more than a few
others), and a component is solved with the Hungarian algorithm on integer weights: exact.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

Edge = tuple[int, int, int]  # (left index, right index, overlap > 0)


def max_matching(n_left: int, n_right: int, edges: Sequence[Edge]) -> list[tuple[int, int]]:
    """The pairs (left, right) of a maximum matching with the largest total overlap."""
    if not edges:
        return []
    lefts = {i for i, _, _ in edges}
    if len(lefts) == len(edges) == len({j for _, j, _ in edges}):
        return sorted((i, j) for i, j, _ in edges)  # every span has one partner at most
    parent = list(range(n_left + n_right))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, _ in edges:
        parent[find(i)] = find(n_left + j)
    components: dict[int, list[Edge]] = {}
    for e in edges:
        components.setdefault(find(e[0]), []).append(e)
    out: list[tuple[int, int]] = []
    for comp in components.values():
        lefts = {i for i, _, _ in comp}
        rights = {j for _, j, _ in comp}
        if len(lefts) == 1 or len(rights) == 1:  # a star: its heaviest edge
            i, j, _ = max(comp, key=lambda e: (e[2], -e[0], -e[1]))
            out.append((i, j))
        else:
            out += _heaviest(comp, sorted(lefts), sorted(rights))
    return sorted(out)


def _heaviest(edges: list[Edge], lefts: list[int], rights: list[int]) -> list[tuple[int, int]]:
    big = 1 + sum(w for _, _, w in edges)
    row = {x: k for k, x in enumerate(lefts)}
    col = {x: k for k, x in enumerate(rights)}
    flip = len(lefts) > len(rights)  # the algorithm wants rows <= columns
    n, m = (len(rights), len(lefts)) if flip else (len(lefts), len(rights))
    cost = [[0] * m for _ in range(n)]  # minimise -weight; a non-edge weighs 0
    for i, j, w in edges:
        r, c = (col[j], row[i]) if flip else (row[i], col[j])
        cost[r][c] = -(big + w)
    pairs = []
    for r, c in _hungarian(cost, n, m):
        if cost[r][c] < 0:  # a real edge, not a filler assignment
            i, j = (lefts[c], rights[r]) if flip else (lefts[r], rights[c])
            pairs.append((i, j))
    return pairs


def _hungarian(cost: list[list[int]], n: int, m: int) -> list[tuple[int, int]]:
    """Minimum-cost assignment of every row to a distinct column (n <= m), O(n² m)."""
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)  # column -> row (1-based), 0: free
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            row = cost[i0 - 1]
            for j in range(1, m + 1):
                if not used[j]:
                    cur = row[j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    return [(p[j] - 1, j - 1) for j in range(1, m + 1) if p[j]]


def interval_edges(a: Sequence[Sequence[Any]], b: Sequence[Sequence[Any]],
                   labelled: bool = False) -> list[Edge]:
    """Edges between intervals (start, end[, label]) of `a` and `b`, each sorted by start,
    that share a character (and, when labelled, the label), weighted by the characters they
    share."""
    if not a or not b:
        return []
    starts = [x[0] for x in b]
    longest = max(x[1] - x[0] for x in b)
    edges = []
    for i, x in enumerate(a):
        s, e = x[0], x[1]
        # y shares a character with [s, e) iff y.start < e and y.end > s; y.end <= y.start +
        # longest, so only starts in (s - longest, e) can
        for j in range(bisect_right(starts, s - longest), bisect_left(starts, e)):
            y = b[j]
            shared = min(e, y[1]) - max(s, y[0])
            if shared > 0 and not (labelled and x[2] != y[2]):
                edges.append((i, j, shared))
    return edges
