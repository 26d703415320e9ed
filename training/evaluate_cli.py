"""`stance evaluate`: metrics of any model on any labelled data, through the shared Predictor."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from stance.labels import Task
from stance.prediction import PairClassifier
from training.data import load_records, resolve_source
from training.evaluation import EvalSet, evaluate


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
        figure = confusion_figure(Task(name.rsplit("_", 1)[1]), item["confusion_matrix"], name)
        figure.savefig(folder / f"confusion_{name}.png", dpi=120)
        plt.close(figure)
