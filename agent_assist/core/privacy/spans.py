"""The scrubber's building block: a rule finds spans of one kind in a text.

Rules run in a fixed order over the same text; each span a rule finds claims that stretch of
text, and later rules only get what is still free.  A rule whose ``label`` is :data:`KEEP`
claims look-alikes (timestamps, order numbers, tracking codes) so that no later rule takes
them for personal data; every other span is replaced by ``[label]``.

Patterns are compiled on a rule's first use, not at import: the event log imports the
scrubber at the app's start, and compiling every pattern costs a noticeable part of it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

KEEP = ""
"""The label of rules that protect look-alikes rather than remove personal data."""

Free = Callable[[int, int], bool]
"""Whether ``text[start:end]`` is still unclaimed."""

Finder = Callable[[str, Free], Iterator[tuple[int, int]]]


@dataclass(frozen=True)
class Rule:
    label: str
    find: Finder


class Claims:
    """Disjoint claimed spans, kept sorted: claiming and testing are O(log n)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self.labels: list[str] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)
        if i and self._ends[i - 1] > start:
            return False
        return i == len(self._starts) or self._starts[i] >= end

    def claim(self, start: int, end: int, label: str) -> bool:
        if end <= start or not self.free(start, end):
            return False
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        self.labels.insert(i, label)
        return True

    def __iter__(self) -> Iterator[tuple[int, int, str]]:
        return iter(zip(self._starts, self._ends, self.labels, strict=True))


def lazy(pattern: str) -> Callable[[], re.Pattern[str]]:
    """``pattern``, compiled on the first call."""
    return cache(lambda: re.compile(pattern))


def regex(pattern: str, ok: Callable[[str], bool] | None = None) -> Finder:
    """Each match (or its ``pii`` group, when the pattern has one) that ``ok`` accepts."""
    compiled = lazy(pattern)

    def find(text: str, free: Free) -> Iterator[tuple[int, int]]:
        group = "pii" if "pii" in compiled().groupindex else 0
        for m in compiled().finditer(text):
            start, end = m.span(group)
            if start >= 0 and free(start, end) and (ok is None or ok(m.group(group))):
                yield start, end

    return find


def _alnum_groups(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[A-Za-z0-9]+", text)]


def windows(pattern: str, ok: Callable[[str], bool], longest: int) -> Finder:
    """Runs of whole alphanumeric groups inside each match (each run at most ``longest``
    alphanumerics, leftmost-longest first) that ``ok`` accepts and that are still free: so a
    card number next to a year or an order number, or an IBAN next to a word, is still found,
    and the search stays linear."""

    compiled = lazy(pattern)

    def find(text: str, free: Free) -> Iterator[tuple[int, int]]:
        for m in compiled().finditer(text):
            base, cand = m.start(), m.group()
            groups = _alnum_groups(cand)
            i = 0
            while i < len(groups):
                start = groups[i][0]
                while start > 0 and cand[start - 1] in "+(":
                    start -= 1
                ends, size = [], 0
                for k in range(i, len(groups)):
                    size += groups[k][1] - groups[k][0]
                    if size > longest:
                        break
                    ends.append(k)
                found = next(
                    (
                        k
                        for k in reversed(ends)
                        if free(base + start, base + groups[k][1])
                        and ok(cand[start : groups[k][1]])
                    ),
                    None,
                )
                if found is None:
                    i += 1
                    continue
                yield base + start, base + groups[found][1]
                i = found + 1

    return find


def apply(text: str, rules: tuple[Rule, ...], kinds: frozenset[str] | None) -> str:
    """``text`` with every span of a rule (of ``kinds``, or any) replaced by its label."""
    claims = Claims()
    for rule in rules:
        if rule.label != KEEP and kinds is not None and rule.label not in kinds:
            continue
        for start, end in rule.find(text, claims.free):
            claims.claim(start, end, rule.label)
    out, last = [], 0
    for start, end, label in claims:
        if label == KEEP:
            continue
        out += [text[last:start], f"[{label}]"]
        last = end
    out.append(text[last:])
    return "".join(out)
