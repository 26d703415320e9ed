import math

import pytest

from stance.labels import Task, label_names
from stance.predictor import Predictor
from stance.records import PairRecord, Span

pytestmark = pytest.mark.model

TEXT = "Tehran accused Baku of siding with Israel."


def records():
    return [
        PairRecord("ab", TEXT, holder=Span(0, 6), target=Span(15, 19)),
        PairRecord("ba", TEXT, holder=Span(15, 19), target=Span(0, 6)),
        PairRecord("sent", TEXT, target=Span(35, 41)),
        PairRecord("other", "Russia backed Turkey.", holder=Span(0, 6), target=Span(14, 20)),
    ]


def test_labels_and_full_distributions_in_label_order(tiny_predictor):
    out = tiny_predictor.predict(records())
    assert [p.id for p in out] == ["ab", "ba", "sent", "other"]
    for p in out:
        assert len(p.probabilities) == 3 and math.isclose(sum(p.probabilities), 1.0, rel_tol=1e-5)
        assert p.label == label_names(p.task)[max(range(3), key=p.probabilities.__getitem__)]
        assert list(p.distribution()) == label_names(p.task)
    assert out[2].task is Task.SENTIMENT and out[0].task is Task.STANCE


def test_both_directions_share_a_pass_but_differ(tiny_predictor):
    ab, ba = tiny_predictor.predict(records()[:2])
    alone = tiny_predictor.predict([records()[1]])[0]
    assert ab.probabilities != ba.probabilities  # direction changes the head's input order
    assert alone.probabilities == pytest.approx(ba.probabilities, abs=1e-5)


def test_batch_size_does_not_change_results(tiny_model_dir):
    one = Predictor.load(tiny_model_dir, batch_size=1).predict(records())
    many = Predictor.load(tiny_model_dir, batch_size=64).predict(records())
    for a, b in zip(one, many):
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-5)


def test_load_errors_say_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither a folder nor an MLflow model URI"):
        Predictor.load(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="holds no stance model"):
        Predictor.load(tmp_path)


def test_only_records_are_accepted(tiny_predictor):
    with pytest.raises(TypeError, match="item 0 is a dict, expected a PairRecord"):
        tiny_predictor.predict([{"id": "x"}])


def test_empty_input_gives_empty_output(tiny_predictor):
    assert tiny_predictor.predict([]) == []


def test_training_labels_and_predictions_refer_to_the_same_direction(tiny_predictor, monkeypatch):
    """A model that echoes its training targets must give every record back its own label: training (to_examples)
    and prediction (Predictor) read the stance_ab / stance_ba outputs in the same direction."""
    from stance.labels import label_names
    from training.finetune import IGNORE, to_examples

    text = "Iran accused Azerbaijan of siding with Israel."
    iran, baku, israel = Span(0, 4), Span(13, 23), Span(39, 45)
    records = [  # holder before and after target, and a pair whose later span is the holder
        PairRecord("iran>aze", text, holder=iran, target=baku, label="hostile"),
        PairRecord("aze>iran", text, holder=baku, target=iran, label="neutral"),
        PairRecord("isr>aze", text, holder=israel, target=baku, label="supportive"),
        PairRecord("aze>isr", text, holder=baku, target=israel, label="hostile"),
        PairRecord("s-iran", text, holder=None, target=iran, label="negative"),
    ]
    examples = {(e.text, e.span_a, e.span_b): e for e in to_examples(records)}

    def one_hot(index, task):
        return [1.0 if i == index else 0.0 for i in range(len(label_names(task)))]

    def echo(encoded, batch_size):
        keys = list(examples)  # to_examples keeps first-seen order, as Predictor.predict does
        assert len(keys) == len(encoded)
        return [(one_hot(examples[k].stance_ab, "stance"), one_hot(examples[k].stance_ba, "stance"),
                 one_hot(examples[k].sentiment, "sentiment")) for k in keys]

    monkeypatch.setattr(tiny_predictor, "_forward", echo)
    predictions = tiny_predictor.predict(records)
    assert [p.label for p in predictions] == [r.label for r in records]
    assert all(e.stance_ab != IGNORE or e.span_b is None for e in examples.values())
