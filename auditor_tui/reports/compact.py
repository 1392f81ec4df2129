"""Report rows held by the hundred thousand (docs/performance.md): their repeated texts and
section scores shared between rows, each row's question points in a `Points` mapping (its
questions and their maxima shared by every row answering the same questions, its points a
tuple of small integers) instead of a dict of pairs.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

Pair = tuple[int, int]  # (points, maximum)

# Each kind of value kept once, by value (they are as many as the distinct values of the rows).
_texts: dict[str, str] = {}
_sections: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_keys: dict[tuple[str, ...], tuple[str, ...]] = {}
_maxima: dict[tuple[int, ...], tuple[int, ...]] = {}


def shared(value: Any) -> Any:
    """`value`, or an equal one met before (the same object for every row): a text, a
    section's (title, points, maximum) or a row's sections."""
    if type(value) is str:
        return _texts.setdefault(value, value)
    return _sections.setdefault(value, value)


def small_ints(values: Sequence[int]) -> Sequence[int]:
    """A row's points a byte each when they fit (an array: 105 bytes for 22 points, 216 in a
    tuple; 100,000 rows), else a tuple."""
    try:
        return array("b", values)
    except OverflowError:
        return tuple(values)


class Points(Mapping[str, Pair]):
    """Question id → (points, maximum), in a fraction of a dict's memory."""

    __slots__ = ("_keys", "_maxima", "_points")

    def __init__(
        self, keys: tuple[str, ...], points: Sequence[int], maxima: tuple[int, ...]
    ) -> None:
        self._keys, self._points, self._maxima = keys, points, maxima

    @classmethod
    def of(cls, items: Iterable[tuple[str, Pair]]) -> Points:
        pairs = list(items)
        if not pairs:
            return cls((), (), ())
        keys, values = zip(*pairs, strict=True)
        points, maxima = zip(*values, strict=True)
        return cls(
            _keys.setdefault(keys, keys), small_ints(points), _maxima.setdefault(maxima, maxima)
        )

    @classmethod
    def given(cls, points: Mapping[str, int], maxima: Mapping[str, int]) -> Points:
        """From a question id → points mapping and the grid's maxima."""
        keys = tuple(points)
        keys = _keys.setdefault(keys, keys)
        top = tuple([maxima[k] for k in keys])
        return cls(keys, small_ints(tuple(points.values())), _maxima.setdefault(top, top))

    @staticmethod
    def parts(
        points: Mapping[str, Pair],
    ) -> tuple[tuple[str, ...], Sequence[int], tuple[int, ...]]:
        """Any question id → (points, maximum) mapping as its questions, points and maxima;
        a `Points`' own (its questions and maxima shared with the rows answering alike)."""
        if type(points) is Points:
            return points._keys, points._points, points._maxima
        same = Points.of(points.items())
        return same._keys, same._points, same._maxima

    def __getitem__(self, key: str) -> Pair:
        try:
            i = self._keys.index(key)
        except ValueError:
            raise KeyError(key) from None
        return self._points[i], self._maxima[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def items(self) -> _Items:  # type: ignore[override]
        return _Items(self)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class _Items:
    """`Points.items()`: iterated at C speed (the question figures walk every row's)."""

    __slots__ = ("_points",)

    def __init__(self, points: Points) -> None:
        self._points = points

    def __iter__(self) -> Iterator[tuple[str, Pair]]:
        p = self._points
        return zip(p._keys, zip(p._points, p._maxima, strict=True), strict=True)

    def __len__(self) -> int:
        return len(self._points)

    def __contains__(self, item: object) -> bool:
        return item in set(self)
