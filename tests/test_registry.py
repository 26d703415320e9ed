"""The champion rule on tiny models: the alias moves only when the candidate wins on the same validation data."""

import json

import pytest

pytestmark = pytest.mark.model


def gold_file(tmp_path, name, n):
    text = "Tehran accused Baku of siding with Israel."
    rows = []
    for i in range(n):
        rows.append({"id": f"{name}-{i}", "text": text, "holder": {"start": 0, "end": 6},
                     "target": {"start": 15, "end": 19}, "stance": ["hostile", "neutral", "supportive"][i % 3]})
        rows.append({"id": f"{name}-t{i}", "text": text, "holder": None, "target": {"start": 35, "end": 41},
                     "sentiment": ["negative", "neutral", "positive"][i % 3]})
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def fake_run(model_dir, score, validation_file):
    """A finished fine-tuning run as `stance train` leaves it, with a chosen val_score."""
    import mlflow

    from stance.mlflow_model import log_stance_model
    from training.data import load_records
    from training.tracking import configure, log_dataset

    configure()
    with mlflow.start_run() as run:
        mlflow.set_tags({"stance.kind": "finetune", "base_model": "tiny"})
        log_dataset(load_records(validation_file), validation_file, "validation")
        mlflow.log_dict({"data": {"train": ["x"], "validation": {"stance": validation_file,
                                                                 "sentiment": validation_file}}}, "config.json")
        mlflow.log_metric("val_score", score)
        info = log_stance_model(model_dir)
        mlflow.set_tag("stance.model_id", info.model_id)
    return run.info.run_id


def test_alias_moves_only_on_a_win(tmp_path, mlruns, tiny_model_dir):
    from training.registry import register_best

    validation = gold_file(tmp_path, "val", 6)
    fake_run(tiny_model_dir, 0.50, validation)
    first = register_best()
    assert first.promoted and first.version == "1"

    fake_run(tiny_model_dir, 0.60, validation)
    better = register_best()
    assert better.promoted and better.version == "2" and better.champion_version == "1"
    assert "same validation digests" in better.message and "beats" in better.message

    # a run validated on other data with a higher logged score: both are re-scored on its data; the same weights
    # score the same, so the champion stays and the message says why
    other = gold_file(tmp_path, "other", 9)
    fake_run(tiny_model_dir, 0.99, other)
    outcome = register_best()
    assert outcome.version == "3" and not outcome.promoted and outcome.champion_version == "2"
    assert outcome.candidate_score == pytest.approx(outcome.champion_score)
    assert "fresh evaluation" in outcome.message and "stays v2" in outcome.message


def test_nothing_to_register_is_a_clear_error(mlruns):
    from training.registry import register_best

    with pytest.raises(RuntimeError, match="run `stance train` first|no finished fine-tuning run"):
        register_best()


@pytest.mark.slow
@pytest.mark.parametrize("store", ["project", "users sqlite"])
def test_commands_started_together_on_a_new_store_share_it(mlruns, tmp_path, store):
    """Two seeds launched side by side on a fresh clone: both create the store at once, neither may crash. (Without
    the lock four processes collided in every try seen; a lucky schedule could still let them pass.)"""
    import os
    import subprocess
    import sys

    code = "from training.tracking import configure; print(configure())"
    env = {**os.environ, "STANCE_MLRUNS_DIR": str(mlruns)}
    if store == "users sqlite":  # a local store named by the user is locked too
        env["MLFLOW_TRACKING_URI"] = f"sqlite:///{tmp_path / 'elsewhere' / 'mlflow.db'}"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert all(rc == 0 for rc, _, _ in results), [err[-2000:] for _, _, err in results]
    assert len({out.strip() for _, out, _ in results}) == 1  # one experiment, found by all four
