"""The joint pair head: a 3x3 table over both directions, each direction read as its marginal."""

from __future__ import annotations

import pytest


def _tiny_joint(seed: int = 0):
    import torch
    from transformers import BertConfig, BertModel

    from stance.model import build_model

    torch.manual_seed(seed)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    model = build_model(BertModel(config, add_pooling_layer=False), pair_head="joint")
    return model.eval()


def _batch():
    import torch

    ids = torch.randint(5, 50, (3, 9))
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids),
            "pos_a": torch.tensor([1, 2, 3]), "pos_b": torch.tensor([5, 6, 7])}


@pytest.mark.unit
def test_each_direction_is_the_marginal_of_one_table():
    import torch

    model = _tiny_joint()
    with torch.no_grad():
        out = model(**_batch())
    table = out["stance_pair"].view(-1, 3, 3).exp()
    assert torch.allclose(table.sum((1, 2)), torch.ones(3), atol=1e-5)
    assert torch.allclose(out["stance_ab"].exp(), table.sum(2), atol=1e-5)
    assert torch.allclose(out["stance_ba"].exp(), table.sum(1), atol=1e-5)


@pytest.mark.unit
def test_swapping_the_actors_swaps_the_directions():
    """No direction is privileged: with the markers swapped, a->b is what b->a was (and the table is transposed)."""
    import torch

    model = _tiny_joint(seed=1)
    batch = _batch()
    swapped = {**batch, "pos_a": batch["pos_b"], "pos_b": batch["pos_a"]}
    with torch.no_grad():
        out, back = model(**batch), model(**swapped)
    assert torch.allclose(out["stance_ab"], back["stance_ba"], atol=1e-5)
    assert torch.allclose(out["stance_pair"].view(-1, 3, 3), back["stance_pair"].view(-1, 3, 3).transpose(1, 2),
                          atol=1e-5)


@pytest.mark.unit
def test_joint_loss_uses_the_cell_where_both_directions_are_labelled_and_the_marginal_where_one_is():
    import torch

    from training.trainer import weighted_loss

    table = torch.randn(2, 3, 3).flatten(1).log_softmax(-1).view(-1, 3, 3).requires_grad_()
    logits = {"stance_pair": table.flatten(1), "stance_ab": table.logsumexp(2), "stance_ba": table.logsumexp(1),
              "sentiment": torch.zeros(2, 3)}
    labels = {"stance_ab": torch.tensor([2, 1]), "stance_ba": torch.tensor([0, -100]),
              "sentiment": torch.tensor([-100, -100])}
    fns = {t: torch.nn.CrossEntropyLoss(ignore_index=-100, reduction="sum") for t in ("stance", "sentiment", "pair")}
    loss = weighted_loss(logits, labels, fns)
    # row 0: cell (hostile, neutral) = 2*3+0; row 1: the a->b marginal of label 1; three targets in all
    expected = -(table[0, 2, 0] + table[1, 1].logsumexp(0)) / 3
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    loss.backward()
    assert table.grad is not None


@pytest.mark.unit
def test_pair_cell_weights_count_only_pairs_labelled_both_ways():
    from stance.records import Span
    from training.finetune import IGNORE, Example, _loss_weights

    span = Span(0, 1)
    examples = [Example("x", span, span, 0, 0), Example("x", span, span, 0, 0), Example("x", span, span, 2, 0),
                Example("x", span, span, 1, IGNORE)]
    weights = _loss_weights(examples, "balanced")["pair"]
    assert len(weights) == 9
    assert [i for i, w in enumerate(weights) if w] == [0, 6]  # (neutral, neutral) and (hostile, neutral) only
    assert weights[6] > weights[0]  # the rarer cell weighs more


@pytest.mark.unit
def test_an_unknown_pair_head_is_refused_by_name():
    from training.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=r"model.pair_head must be one of \('directed', 'joint'\), got 'both'"):
        load_config("quick", {"model.pair_head": "both"})


@pytest.mark.model
def test_a_joint_model_trains_saves_and_loads_behind_the_predictor(tmp_path, mlruns, tiny_model_dir, tiny_config,
                                                                   one_thread):
    """A run with `model.pair_head: joint` writes it on the model card, and the folder loads as a joint model
    whose Predictor labels both directions of a pair."""
    from mlflow import MlflowClient

    from stance.predictor import Predictor
    from stance.records import PairRecord, Span
    from training.train import train

    config = tiny_config(tmp_path, tiny_model_dir, epochs=1)
    summary = train(config, {"model.pair_head": "joint"}, progress=False)
    assert MlflowClient().get_run(summary["run_id"]).data.params["pair_head"] == "joint"
    predictor = Predictor.load(f"models:/{summary['model_id']}", backend="torch")
    assert predictor.card.pair_head == "joint"
    assert type(predictor.model.joint_head).__name__ == "JointPairHead"
    text = "Iran accused Israel of backing Azerbaijan."
    assert text[13:19] == "Israel"
    predictions = predictor.predict([PairRecord("f", text, Span(13, 19), Span(0, 4)),
                                     PairRecord("b", text, Span(0, 4), Span(13, 19))])
    assert [p.id for p in predictions] == ["f", "b"] and all(p.label in ("neutral", "supportive", "hostile")
                                                              for p in predictions)



@pytest.mark.model
def test_a_joint_model_exports_to_onnx_with_the_same_probabilities(tmp_path):
    """The marginals (logsumexp over the table) export: the ONNX backend gives PyTorch's probabilities."""
    import numpy as np

    from stance.backends import ONNX_SUBDIR, VARIANT_FILES
    from stance.onnx_export import export_fp32
    from stance.predictor import Predictor
    from stance.records import PairRecord, Span
    from stance.tiny import build_tiny

    folder = build_tiny(tmp_path / "joint", seed=2, pair_head="joint")
    export_fp32(folder, folder / ONNX_SUBDIR / VARIANT_FILES["onnx"])
    texts = ["Iran accused Israel of backing Azerbaijan.", "Turkey praised Baku and condemned Moscow.",
             "Russia met Turkey in Ankara on Monday."]
    spans = [(Span(0, 4), Span(13, 19)), (Span(0, 6), Span(15, 19)), (Span(0, 6), Span(11, 17))]  # actor words
    records = [PairRecord(f"{i}{d}", t, *(spans[i] if d else spans[i][::-1]))
               for i, t in enumerate(texts) for d in (0, 1)] + [PairRecord("s", texts[1], Span(0, 6))]
    want = Predictor.load(folder, backend="torch").predict(records)
    got = Predictor.load(folder, backend="onnx").predict(records)
    assert np.allclose([w.probabilities for w in want], [g.probabilities for g in got], atol=1e-4)
