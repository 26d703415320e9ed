"""Calibrated stance probabilities: a log-odds shift per label, fitted in training (training/calibration.py),
stored in the model card and applied by every consumer of a model through the Predictor."""

from __future__ import annotations

import math
from collections.abc import Sequence


def apply_bias(probabilities: Sequence[float], bias: Sequence[float]) -> list[float]:
    """Add `bias` to the log-probabilities and renormalise (softmax of shifted logits)."""
    if len(bias) != len(probabilities):
        raise ValueError(f"a bias of {len(bias)} values for {len(probabilities)} labels")
    shifted = [math.log(max(p, 1e-12)) + b for p, b in zip(probabilities, bias, strict=True)]
    top = max(shifted)
    exp = [math.exp(s - top) for s in shifted]
    total = sum(exp)
    return [e / total for e in exp]
