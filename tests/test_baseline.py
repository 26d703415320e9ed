import pytest

from stance.labels import Task
from stance.records import PairRecord, Span
from training.baseline import BaselineClassifier, masked_text
from training.evaluation import EvalSet, evaluate

pytestmark = pytest.mark.unit


def test_masking_keeps_direction_and_hides_names():
    record = PairRecord("a", "Iran accused Israel.", holder=Span(0, 4), target=Span(13, 19))
    assert masked_text(record).split() == ["xxholder", "accused", "xxtarget", "."]


def test_baseline_learns_a_separable_toy_set():
    records = []
    for i in range(30):
        text = f"State{i} condemned Rival{i} today."
        records.append(PairRecord(f"h{i}", text, holder=Span(0, len(f"State{i}")),
                                  target=Span(text.index("Rival"), text.index(" today")), label="hostile"))
        text = f"State{i} praised Rival{i} today."
        records.append(PairRecord(f"s{i}", text, holder=Span(0, len(f"State{i}")),
                                  target=Span(text.index("Rival"), text.index(" today")), label="supportive"))
        text = f"State{i} met Rival{i} today."
        records.append(PairRecord(f"n{i}", text, holder=Span(0, len(f"State{i}")),
                                  target=Span(text.index("Rival"), text.index(" today")), label="neutral"))
    model = BaselineClassifier().fit(records)
    result = evaluate(model, [EvalSet("val", Task.STANCE, "toy", records)])
    assert result.metrics["val_stance_macro_f1"] == 1.0
    assert result.reports["val_stance"]["confusion_matrix"] == [[30, 0, 0], [0, 30, 0], [0, 0, 30]]
