"""The metric names every run logs (baseline and fine-tuned alike), computed with scikit-learn in fixed label order.

Names are flat: `<split>_<task>_macro_f1`, `<split>_<task>_f1_<label>`, `<split>_<task>_accuracy`, and
`<split>_score`, the mean of the two tasks' macro-F1 (the selection metric for epochs and the champion).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    import numpy as np
    from sklearn.metrics import ConfusionMatrixDisplay

    figure, axis = plt.subplots(figsize=(4.2, 3.8))
    ConfusionMatrixDisplay(np.array(matrix), display_labels=label_names(task)).plot(
        ax=axis, colorbar=False, values_format="d"
    )
    axis.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure


def comparison_figure(metrics: dict[str, float], baseline: dict[str, float], prefix: str = "val",
                      title: str = "", baseline_label: str = "baseline") -> Any:
    """Per-class F1 (and macro-F1) of a run beside the baseline's on the same validation data, one panel per task."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    tasks = [t for t in Task if metric_name(prefix, t, "macro_f1") in metrics]
    figure, axes = plt.subplots(1, max(1, len(tasks)), figsize=(4.6 * max(1, len(tasks)), 3.6), squeeze=False)
    for axis, task in zip(axes[0], tasks):
        names = [f"f1_{label}" for label in label_names(task)] + ["macro_f1"]
        ours = [metrics.get(metric_name(prefix, task, n), 0.0) for n in names]
        theirs = [baseline.get(metric_name(prefix, task, n), 0.0) for n in names]
        x = np.arange(len(names))
        for offset, values, label in ((-0.2, ours, "this run"), (0.2, theirs, baseline_label)):
            bars = axis.bar(x + offset, values, 0.4, label=label)
            axis.bar_label(bars, fmt="%.2f", fontsize=7)
        axis.set_xticks(x, [n.removeprefix("f1_") for n in names], fontsize=8)
        axis.set_ylim(0, 1.05)
        axis.set_title(f"{task.value} F1", fontsize=10)
        axis.legend(fontsize=7, loc="lower right")
    if title:
        figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    return figure
