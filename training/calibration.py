"""Bias calibration of the polar stance labels, for macro-F1.

Class-weighted training moves the decision boundary, but not necessarily to where macro-F1 peaks: the directed pairs
are mostly neutral, and a small shift of the supportive and hostile log-odds trades many neutral errors for few polar
ones or the reverse. The shift is fitted on a calibration split carved from the training data (never validation),
stored in the model card and applied by the Predictor, so every consumer sees the same calibrated labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from stance.calibration import apply_bias
from stance.labels import Stance, Task, label_names

__all__ = ["GRID", "apply_bias", "fit_stance_bias"]

# log-odds shifts tried for each polar label; 0 keeps the trained boundary
GRID = tuple(round(-1.5 + 0.25 * i, 2) for i in range(13))


def _macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, labels=label_names(Task.STANCE), average="macro", zero_division=0))


def fit_stance_bias(probabilities: Sequence[Sequence[float]], gold: Sequence[str]) -> tuple[list[float], float, float]:
    """The (neutral, supportive, hostile) log-odds shift that maximises stance macro-F1 on `gold`; neutral stays 0.

    Returns the bias, the macro-F1 before and after. Ties keep the smaller shift, so no evidence means no change.
    """
    if len(probabilities) != len(gold) or not gold:
        raise ValueError(f"calibration needs as many distributions as labels, got {len(probabilities)} and {len(gold)}")
    names = label_names(Task.STANCE)
    supportive, hostile = names.index(Stance.SUPPORTIVE.value), names.index(Stance.HOSTILE.value)
    logs = [[math.log(max(p, 1e-12)) for p in row] for row in probabilities]

    def labels_for(bias: list[float]) -> list[str]:
        return [names[max(range(len(names)), key=[r + b for r, b in zip(row, bias)].__getitem__)] for row in logs]

    zero = [0.0] * len(names)
    before = _macro_f1(gold, labels_for(zero))
    best, best_score = zero, before
    for shift_s in GRID:
        for shift_h in GRID:
            bias = [0.0] * len(names)
            bias[supportive], bias[hostile] = shift_s, shift_h
            score = _macro_f1(gold, labels_for(bias))
            if score > best_score + 1e-9 or (abs(score - best_score) <= 1e-9
                                             and abs(shift_s) + abs(shift_h) < sum(map(abs, best))):
                best, best_score = bias, score
    return best, before, best_score
