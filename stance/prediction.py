"""What the predictor returns for one record: the label and the whole distribution, in label order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from stance.labels import Task, label_names
from stance.records import PairRecord


@dataclass(frozen=True, slots=True)
class Prediction:
    id: str
    task: Task
    label: str
    probabilities: tuple[float, ...]  # in the order of label_names(task)

    def distribution(self) -> dict[str, float]:
        return dict(zip(label_names(self.task), self.probabilities))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "task": self.task.value, "label": self.label, "probabilities": self.distribution()}


class PairClassifier(Protocol):
    """Anything that labels canonical records: the real `Predictor`, or a stub in tests of code built on top."""

    def predict(self, records: Sequence[PairRecord]) -> list[Prediction]: ...
