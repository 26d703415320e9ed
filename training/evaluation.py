"""Evaluation through the same `Predictor` the service uses: records in, metrics and confusion matrices out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.labels import Task
from stance.records import PairClassifier, PairRecord
from training.data import load_records, resolve_source, seeded_sample
from training.metrics import add_score, report, report_key, task_metrics
from training.pair_classes import pair_metrics


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
            records = seeded_sample(records, limit)
        sets.append(EvalSet(prefix, task, source, records))
    return sets


def evaluate(classifier: PairClassifier, sets: Sequence[EvalSet]) -> EvalResult:
    """Score each set with anything that labels records: the Predictor, the baseline, a stub in tests."""
    result = EvalResult()
    prefixes = set()
    for eval_set in sets:
        predictions = classifier.predict(eval_set.records)
        predicted = [p.label for p in predictions]
        gold = [str(r.label) for r in eval_set.records]
        result.metrics.update(task_metrics(eval_set.task, gold, predicted, eval_set.prefix))
        if eval_set.task is Task.STANCE:  # the papers' 5-class pair form beside the directed 3-class one
            result.metrics.update(pair_metrics(eval_set.records, predictions, eval_set.prefix))
        result.reports[report_key(eval_set.prefix, eval_set.task)] = {
            "source": eval_set.source, "n": len(gold), **report(eval_set.task, gold, predicted)
        }
        prefixes.add(eval_set.prefix)
    for prefix in prefixes:
        add_score(result.metrics, prefix)
    return result


def evaluate_model(classifier: PairClassifier, sources: Sequence[str], figures: str | None = None) -> dict[str, Any]:
    sets = []
    for source in sources:
        name, _, _ = resolve_source(source)
        prefix = "".join(ch if ch.isalnum() else "_" for ch in name)
        records = load_records(source)
        for task in Task:
            subset = [r for r in records if r.task is task]
            if subset:
                sets.append(EvalSet(prefix, task, source, subset))
    if not sets:
        raise ValueError(f"no labelled records in {list(sources)}")
    result = evaluate(classifier, sets)
    if figures:
        _write_figures(result.reports, Path(figures))
    return {"metrics": result.metrics, "reports": result.reports}


def _write_figures(reports: dict[str, dict[str, Any]], folder: Path) -> None:
    import matplotlib.pyplot as plt

    from training.metrics import confusion_figure

    folder.mkdir(parents=True, exist_ok=True)
    for name, item in reports.items():
        figure = confusion_figure(Task(item["task"]), item["confusion_matrix"], name)
        figure.savefig(folder / f"confusion_{name}.png", dpi=120)
        plt.close(figure)
