"""The directed-stance data's own 5-class form, so figures compare with the published ones.

The papers (Park et al. 2021; Wen et al. 2024) score one label per entity pair (p, q): neutral, p->q supportive,
q->p supportive, p->q hostile, q->p hostile, macro-F1 over the five. The project predicts each direction on its own;
here the two directed records of a pair are folded back into that label. p is the holder of the pair's first record
in data order (the adapter writes p->q before q->p). A pair whose two directions are both polar has no 5-class label:
in gold it is left out (and counted); in a prediction the more probable polar direction wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from stance.encoding import pair_key
from stance.labels import Stance, Task
from stance.records import PairRecord, Prediction

PAIR_CLASSES = ["neutral", "p->q supportive", "q->p supportive", "p->q hostile", "q->p hostile"]
_SLUG = {"neutral": "neutral", "p->q supportive": "pq_supportive", "q->p supportive": "qp_supportive",
         "p->q hostile": "pq_hostile", "q->p hostile": "qp_hostile"}


def _fold(forward: str, backward: str) -> str | None:
    if forward != Stance.NEUTRAL.value and backward != Stance.NEUTRAL.value:
        return None
    if forward != Stance.NEUTRAL.value:
        return f"p->q {forward}"
    if backward != Stance.NEUTRAL.value:
        return f"q->p {backward}"
    return "neutral"


def _polar_probability(prediction: Prediction) -> float:
    distribution = prediction.distribution()
    return max(distribution[Stance.SUPPORTIVE.value], distribution[Stance.HOSTILE.value])


def fold_pairs(records: Sequence[PairRecord], predictions: Sequence[Prediction]) -> tuple[list[str], list[str], int]:
    """Gold and predicted 5-class labels, one per pair with both directions present; and the number of pairs left
    out because their gold label has no 5-class form."""
    if len(records) != len(predictions):
        raise ValueError(f"{len(records)} records but {len(predictions)} predictions")
    pairs: dict[object, list[int]] = {}
    for index, record in enumerate(records):
        if record.task is Task.STANCE:
            pairs.setdefault(pair_key(record), []).append(index)
    gold: list[str] = []
    predicted: list[str] = []
    left_out = 0
    for members in pairs.values():
        if len(members) != 2:
            continue  # one direction only: no pair label
        first, second = members
        truth = _fold(str(records[first].label), str(records[second].label))
        if truth is None:
            left_out += 1
            continue
        forward, backward = predictions[first], predictions[second]
        guess = _fold(forward.label, backward.label)
        if guess is None:  # both directions polar: keep the surer one
            guess = (f"p->q {forward.label}" if _polar_probability(forward) >= _polar_probability(backward)
                     else f"q->p {backward.label}")
        gold.append(truth)
        predicted.append(guess)
    return gold, predicted, left_out


def pair_metrics(records: Sequence[PairRecord], predictions: Sequence[Prediction], prefix: str) -> dict[str, float]:
    """`<prefix>_stance5_macro_f1`, `<prefix>_stance5_micro_f1` and `<prefix>_stance5_f1_<class>`; empty when the
    records hold no complete pair."""
    from sklearn.metrics import f1_score

    gold, predicted, _ = fold_pairs(records, predictions)
    if not gold:
        return {}
    per_class = f1_score(gold, predicted, labels=PAIR_CLASSES, average=None, zero_division=0)
    # micro-F1 over all five classes (which equals accuracy), reported by the papers beside macro-F1
    micro = f1_score(gold, predicted, labels=PAIR_CLASSES, average="micro", zero_division=0)
    out = {f"{prefix}_stance5_macro_f1": float(per_class.mean()), f"{prefix}_stance5_micro_f1": float(micro)}
    out.update({f"{prefix}_stance5_f1_{_SLUG[name]}": float(score) for name, score in zip(PAIR_CLASSES, per_class)})
    return out
