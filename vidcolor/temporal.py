"""Temporal stabilization of chroma (placeholder until the flow stage lands)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .frames import Frame, Passthrough


@dataclass(frozen=True)
class TemporalConfig:
    """How chroma is stabilized across frames."""

    mode: str = "off"  # "flow" or "off"
    strength: float = 0.8


def stabilize(items: Iterable[Frame | Passthrough], config: TemporalConfig) -> Iterator[Frame | Passthrough]:
    """Pass frames through (mode 'off')."""
    yield from items
