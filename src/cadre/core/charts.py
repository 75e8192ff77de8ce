"""Data for the small server-drawn charts (SVG, no JavaScript, allowed by the strict CSP)."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float  # 0-100, relative to the largest value in the chart


def bars(values: Iterable[tuple[str, int]]) -> list[Bar]:
    """Bars for ``(label, value)`` pairs, each scaled against the largest value."""
    pairs = list(values)
    largest = max((value for _, value in pairs), default=0)
    return [
        Bar(label=label, value=value, width=round(100 * value / largest, 1) if largest else 0.0)
        for label, value in pairs
    ]
