"""The two label sets, declared once. Their order is the model's class order, the metrics' `labels=` order and the
order of every probability list the predictor returns."""

from __future__ import annotations

from enum import Enum


class Task(str, Enum):
    STANCE = "stance"
    SENTIMENT = "sentiment"


class Stance(str, Enum):
    NEUTRAL = "neutral"
    SUPPORTIVE = "supportive"
    HOSTILE = "hostile"


class Sentiment(str, Enum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


LABELS: dict[Task, type[Enum]] = {Task.STANCE: Stance, Task.SENTIMENT: Sentiment}


def label_names(task: Task | str) -> list[str]:
    """The label names of `task` in class order."""
    return [member.value for member in LABELS[Task(task)]]


def label_index(task: Task | str, name: str) -> int:
    """The class index of label `name`; a clear error for a name outside the set."""
    names = label_names(task)
    try:
        return names.index(name)
    except ValueError:
        raise ValueError(f"unknown {Task(task).value} label {name!r}; expected one of {names}") from None
