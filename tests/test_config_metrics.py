import random

import pytest

from stance.labels import Task
from stance.records import PairRecord, Span
from training.config import ConfigError, load_config
from training.finetune import bucketed_batches, class_weights, to_examples
from training.metrics import add_score, task_metrics

pytestmark = pytest.mark.unit


def test_shipped_configs_load():
    for name in ("quick", "default", "mpnet-gpu"):  # corpus.yaml validates on ir:dev, checked below
        config = load_config(name)
        assert config.name == name and config.data.validation == {"stance": "directed:valid", "sentiment": "newsmtsc:dev-rw"}


@pytest.mark.parametrize("overrides, message", [
    ({"training.class_weight": "sqrt"}, r"unknown key\(s\) \['class_weight'\] in TrainingConfig"),
    ({"training.class_weights": "cubic"}, r"training.class_weights must be one of"),
    ({"model.max_length": 4}, r"model.max_length must be within 16..512"),
    ({"training.epochs": 0}, r"training.epochs must be at least 1"),
])
def test_bad_config_values_are_named(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config("quick", overrides)


def test_unknown_config_name():
    with pytest.raises(ConfigError, match=r"config 'nope' not found: .*'default', 'mpnet-gpu', 'quick'"):
        load_config("nope")


def test_metric_names_and_values():
    gold = ["neutral", "hostile", "supportive", "neutral"]
    pred = ["neutral", "hostile", "neutral", "neutral"]
    metrics = add_score({**task_metrics(Task.STANCE, gold, pred, "val"),
                         **task_metrics(Task.SENTIMENT, ["positive"], ["positive"], "val")}, "val")
    assert metrics["val_stance_f1_hostile"] == 1.0 and metrics["val_stance_f1_supportive"] == 0.0
    assert metrics["val_stance_f1_neutral"] == pytest.approx(0.8)
    assert metrics["val_stance_macro_f1"] == pytest.approx(0.6)
    assert metrics["val_score"] == pytest.approx((0.6 + metrics["val_sentiment_macro_f1"]) / 2)


def test_class_weights():
    assert class_weights([0, 0, 0], "balanced") == [1.0, 1.0, 1.0]  # a task absent from the training data
    assert class_weights([80, 10, 10], "none") == [1.0, 1.0, 1.0]
    balanced = class_weights([80, 10, 10], "balanced")
    assert balanced[1] == pytest.approx(8 * balanced[0]) and sum(balanced) / 3 == pytest.approx(1.0)
    assert class_weights([80, 10, 10], "sqrt")[1] == pytest.approx(class_weights([80, 10, 10], "sqrt")[0] * 8 ** 0.5)


def test_directions_merge_into_one_example():
    text = "Iran accused Israel."
    examples = to_examples([
        PairRecord("1", text, holder=Span(13, 19), target=Span(0, 4), label="neutral"),
        PairRecord("2", text, holder=Span(0, 4), target=Span(13, 19), label="hostile"),
        PairRecord("3", text, target=Span(0, 4), label="negative"),
    ])
    assert len(examples) == 2
    assert (examples[0].stance_ab, examples[0].stance_ba) == (2, 0)  # a = Iran (earlier span)
    assert examples[1].sentiment == 0


def test_bucketed_batches_are_a_seeded_partition():
    lengths = [random.Random(0).randint(5, 90) for _ in range(500)]
    first = bucketed_batches(lengths, 16, random.Random(7), bucket=5)
    again = bucketed_batches(lengths, 16, random.Random(7), bucket=5)
    assert first == again
    assert sorted(i for b in first for i in b) == list(range(500))


def test_corpus_config_needs_no_public_data():
    config = load_config("corpus")
    assert all(source.startswith("ir:") for source in config.data.train + list(config.data.validation.values()))
