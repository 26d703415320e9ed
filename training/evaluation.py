"""Evaluation through the same `Predictor` the service uses: records in, metrics and confusion matrices out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from stance.labels import Task
from stance.prediction import PairClassifier
from stance.records import PairRecord
from training.data import evenly_spaced, load_records
from training.metrics import add_score, report, task_metrics


@dataclass
class EvalSet:
    """Labelled records of one task from one source, under a metric prefix (`val`, `ir_test`, ...)."""

    prefix: str
    task: Task
    source: str
    records: list[PairRecord]


@dataclass
class EvalResult:
    metrics: dict[str, float] = field(default_factory=dict)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # "<prefix>_<task>" -> confusion matrix, report


def build_eval_sets(prefix: str, spec: dict[str, str], limit: int | None = None) -> list[EvalSet]:
    """`spec` maps task -> source; a source holding both tasks (the corpus) is filtered to the task asked for."""
    sets = []
    cache: dict[str, list[PairRecord]] = {}
    for task_name, source in spec.items():
        task = Task(task_name)
        if source not in cache:
            cache[source] = load_records(source)
        records = [r for r in cache[source] if r.task is task]
        if not records:
            raise ValueError(f"{prefix}: source {source!r} has no {task.value} records")
        if limit is not None:
            records = evenly_spaced(records, limit)
        sets.append(EvalSet(prefix, task, source, records))
    return sets


def evaluate(classifier: PairClassifier | Callable[[Sequence[PairRecord]], list[str]], sets: Sequence[EvalSet]) -> EvalResult:
    """Score each set; `classifier` is a Predictor (anything with .predict) or a function records -> labels."""
    result = EvalResult()
    prefixes = set()
    for eval_set in sets:
        if hasattr(classifier, "predict"):
            predicted = [p.label for p in classifier.predict(eval_set.records)]
        else:
            predicted = list(classifier(eval_set.records))
        gold = [r.label for r in eval_set.records]
        result.metrics.update(task_metrics(eval_set.task, gold, predicted, eval_set.prefix))
        result.reports[f"{eval_set.prefix}_{eval_set.task.value}"] = {
            "source": eval_set.source, "n": len(gold), **report(eval_set.task, gold, predicted)
        }
        prefixes.add(eval_set.prefix)
    for prefix in prefixes:
        add_score(result.metrics, prefix)
    return result
