import pytest

from stance.labels import Task, label_names
from stance.records import PairRecord, Prediction, Span
from training.pair_classes import PAIR_CLASSES, fold_pairs, pair_metrics

pytestmark = pytest.mark.unit

TEXT = "Iran accused Azerbaijan of siding with Israel."
P, Q = Span(0, 4), Span(13, 23)


def pair(stem, forward, backward, text=TEXT):
    return [PairRecord(f"{stem}-pq", text, holder=P, target=Q, label=forward),
            PairRecord(f"{stem}-qp", text, holder=Q, target=P, label=backward)]


def predicted(record, label, confidence=0.9):
    names = label_names(Task.STANCE)
    rest = (1 - confidence) / 2
    return Prediction(record.id, Task.STANCE, label, tuple(confidence if n == label else rest for n in names))


def test_pairs_fold_into_the_papers_five_classes():
    records = [*pair("a", "hostile", "neutral", TEXT), *pair("b", "neutral", "supportive", TEXT + " "),
               *pair("c", "neutral", "neutral", TEXT + "  ")]
    predictions = [predicted(r, r.label) for r in records]
    gold, guess, left_out = fold_pairs(records, predictions)
    assert gold == guess == ["p->q hostile", "q->p supportive", "neutral"] and left_out == 0
    metrics = pair_metrics(records, predictions, "val")
    assert metrics["val_stance5_f1_pq_hostile"] == 1.0 and metrics["val_stance5_f1_qp_supportive"] == 1.0
    assert metrics["val_stance5_f1_pq_supportive"] == 0.0  # absent in gold and prediction: F1 0 by convention
    assert metrics["val_stance5_macro_f1"] == pytest.approx(3 / 5)


def test_direction_errors_are_errors_and_both_polar_predictions_keep_the_surer_one():
    records = pair("a", "hostile", "neutral")
    wrong_way = [predicted(records[0], "neutral"), predicted(records[1], "hostile")]
    assert fold_pairs(records, wrong_way)[1] == ["q->p hostile"]
    both = [predicted(records[0], "hostile", 0.6), predicted(records[1], "supportive", 0.8)]
    assert fold_pairs(records, both)[1] == ["q->p supportive"]


def test_gold_pairs_polar_both_ways_are_left_out_and_counted():
    records = pair("a", "hostile", "hostile")
    gold, _, left_out = fold_pairs(records, [predicted(r, "hostile") for r in records])
    assert gold == [] and left_out == 1 and PAIR_CLASSES[0] == "neutral"
