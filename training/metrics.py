"""The metric names every run logs (baseline and fine-tuned alike), computed with scikit-learn in fixed label order.

Names are flat: `<split>_<task>_macro_f1`, `<split>_<task>_f1_<label>`, `<split>_<task>_accuracy`, and
`<split>_score`, the mean of the two tasks' macro-F1 (the selection metric for epochs and the champion).
"""

from __future__ import annotations

from typing import Any, Sequence

from stance.labels import Task, label_names

SELECTION_METRIC = "val_score"


def metric_name(prefix: str, task: Task, name: str) -> str:
    """`<prefix>_<task>_<name>`: the one place a metric or report name is put together."""
    return f"{prefix}_{task.value}_{name}"


def report_key(prefix: str, task: Task) -> str:
    """The key of one evaluation set's report (`val_stance`); the report itself carries its task."""
    return f"{prefix}_{task.value}"


def task_metrics(task: Task, gold: Sequence[str], predicted: Sequence[str], prefix: str) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    labels = label_names(task)
    if len(gold) != len(predicted):
        raise ValueError(f"{prefix} {task.value}: {len(gold)} gold labels but {len(predicted)} predictions")
    if not gold:
        return {}
    per_class = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    out = {
        metric_name(prefix, task, "macro_f1"): float(per_class.mean()),
        metric_name(prefix, task, "accuracy"): float(accuracy_score(gold, predicted)),
    }
    out.update({metric_name(prefix, task, f"f1_{label}"): float(score) for label, score in zip(labels, per_class)})
    return out


def add_score(metrics: dict[str, float], prefix: str) -> dict[str, float]:
    """`<prefix>_score`: the mean of the stance and sentiment macro-F1 when both are there."""
    keys = [metric_name(prefix, task, "macro_f1") for task in Task]
    if all(key in metrics for key in keys):
        metrics[f"{prefix}_score"] = sum(metrics[key] for key in keys) / len(keys)
    return metrics


def report(task: Task, gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Confusion matrix (rows gold, columns predicted, label order) and the classification report."""
    from sklearn.metrics import classification_report, confusion_matrix

    labels = label_names(task)
    return {
        "task": task.value,
        "labels": labels,
        "confusion_matrix": confusion_matrix(gold, predicted, labels=labels).tolist(),
        "classification_report": classification_report(
            gold, predicted, labels=labels, zero_division=0, output_dict=True
        ),
    }


def confusion_figure(task: Task, matrix: list[list[int]], title: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay
    import numpy as np

    figure, axis = plt.subplots(figsize=(4.2, 3.8))
    ConfusionMatrixDisplay(np.array(matrix), display_labels=label_names(task)).plot(
        ax=axis, colorbar=False, values_format="d"
    )
    axis.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure
