"""The canonical pair record (TASK.md): one sentence, a target span and, for stance, a holder span.

Validation happens once, here, with errors that name the record id and the offending values; everything downstream
(encoding, training, prediction, the HTTP schemas) can rely on a `PairRecord` being well formed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from stance.labels import Task, label_names


class RecordError(ValueError):
    """A record that breaks the canonical format; the message names the record (and file and line, when known)."""


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class PairRecord:
    """A stance record (holder and target) or a sentiment record (target only). `label` is None for prediction."""

    id: str
    text: str
    target: Span
    holder: Span | None = None
    label: str | None = None

    @property
    def task(self) -> Task:
        return Task.SENTIMENT if self.holder is None else Task.STANCE

    def __post_init__(self) -> None:
        where = f"record {self.id!r}"
        if not isinstance(self.text, str) or not self.text.strip():
            raise RecordError(f"{where}: 'text' must be a non-empty string, got {self.text!r}")
        spans = {"target": self.target} if self.holder is None else {"holder": self.holder, "target": self.target}
        for name, span in spans.items():
            if not (isinstance(span.start, int) and isinstance(span.end, int)):
                raise RecordError(f"{where}: {name} offsets must be integers, got {span.start!r}, {span.end!r}")
            if not 0 <= span.start < span.end <= len(self.text):
                raise RecordError(
                    f"{where}: {name} span [{span.start}, {span.end}) must be non-empty and inside the text "
                    f"of length {len(self.text)}"
                )
            if not self.text[span.start : span.end].strip():
                raise RecordError(f"{where}: {name} span [{span.start}, {span.end}) covers only whitespace")
        if self.holder is not None and self.holder.overlaps(self.target):
            raise RecordError(
                f"{where}: holder [{self.holder.start}, {self.holder.end}) and target "
                f"[{self.target.start}, {self.target.end}) overlap"
            )
        if self.label is not None and self.label not in label_names(self.task):
            raise RecordError(
                f"{where}: {self.task.value} label {self.label!r} is not one of {label_names(self.task)}"
            )

    def surface(self, role: str) -> str:
        span = self.holder if role == "holder" else self.target
        assert span is not None
        return self.text[span.start : span.end]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "holder": None if self.holder is None else self.holder.to_dict(),
            "target": self.target.to_dict(),
        }
        if self.label is not None:
            out[self.task.value] = self.label
        return out

    @classmethod
    def from_dict(cls, obj: Any, *, require_label: bool = False) -> PairRecord:
        """Parse one canonical JSON object. Unknown keys are an error, so a misspelt field is never ignored."""
        if not isinstance(obj, dict):
            raise RecordError(f"a record must be a JSON object, got {type(obj).__name__}")
        rid = obj.get("id")
        if not isinstance(rid, str) or not rid:
            raise RecordError(f"record {rid!r}: 'id' must be a non-empty string")
        where = f"record {rid!r}"
        allowed = {"id", "text", "holder", "target", "stance", "sentiment"}
        unknown = sorted(set(obj) - allowed)
        if unknown:
            raise RecordError(f"{where}: unknown field(s) {unknown}; allowed are {sorted(allowed)}")
        if "text" not in obj or "target" not in obj:
            raise RecordError(f"{where}: 'text' and 'target' are required")
        holder = _span(obj.get("holder"), where, "holder", optional=True)
        target = _span(obj["target"], where, "target", optional=False)
        task = Task.SENTIMENT if holder is None else Task.STANCE
        other = Task.STANCE if task is Task.SENTIMENT else Task.SENTIMENT
        if other.value in obj:
            kind = "has no holder" if task is Task.SENTIMENT else "has a holder"
            raise RecordError(f"{where}: it {kind}, so it is a {task.value} record and cannot carry '{other.value}'")
        label = obj.get(task.value)
        if require_label and label is None:
            raise RecordError(f"{where}: the {task.value} label is missing")
        assert target is not None
        return cls(id=rid, text=obj["text"], target=target, holder=holder, label=label)


def _span(value: Any, where: str, name: str, *, optional: bool) -> Span | None:
    if value is None:
        if optional:
            return None
        raise RecordError(f"{where}: '{name}' is required")
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise RecordError(f"{where}: '{name}' must be an object with exactly 'start' and 'end', got {value!r}")
    start, end = value["start"], value["end"]
    if type(start) is not int or type(end) is not int:
        raise RecordError(f"{where}: {name} offsets must be integers, got start={start!r}, end={end!r}")
    return Span(start, end)


def read_jsonl(path: str | Path, *, require_label: bool = False) -> list[PairRecord]:
    """All records of a JSONL file; the first bad line raises with the file, line number and reason."""
    return list(iter_jsonl(path, require_label=require_label))


def json_lines(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object) for every non-blank line of a JSONL file; bad JSON names the file and line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as err:
                raise RecordError(f"{path}:{lineno}: not valid JSON ({err.msg} at column {err.colno})") from None


def iter_jsonl(path: str | Path, *, require_label: bool = False) -> Iterator[PairRecord]:
    seen: set[str] = set()
    for lineno, obj in json_lines(path):
        try:
            record = PairRecord.from_dict(obj, require_label=require_label)
        except RecordError as err:
            raise RecordError(f"{path}:{lineno}: {err}") from None
        if record.id in seen:
            raise RecordError(f"{path}:{lineno}: record id {record.id!r} appears twice")
        seen.add(record.id)
        yield record


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


# What a classifier returns for one record: the label and the whole distribution, in label order.
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
