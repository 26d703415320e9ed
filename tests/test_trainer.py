"""The Trainer engine: data order, loss, datasets and digests, the run's tags, resume after SIGINT, 2-process DDP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


# --- unit ------------------------------------------------------------------------------------------------------

@pytest.mark.unit
def test_epoch_order_is_a_function_of_seed_and_epoch():
    from training.finetune import EpochOrder

    lengths = [(i * 7) % 23 + 3 for i in range(203)]
    order = EpochOrder(lengths, 8, seed=5)
    order.set_epoch(1)
    first = list(order)
    again = EpochOrder(lengths, 8, seed=5)
    again.set_epoch(1)
    assert list(again) == first  # a fresh process (a resumed run) draws the same order for the same epoch
    order.set_epoch(2)
    assert list(order) != first and sorted(first) == list(range(203))
    batches = EpochOrder(lengths, 8, seed=5).batches()
    assert [len(b) for b in batches[:-1]] == [8] * 25 and len(batches[-1]) == 3  # the short batch comes last


@pytest.mark.unit
def test_config_round_trips_through_the_logged_dict():
    from training.config import ConfigError, config_from_dict, load_config

    config = load_config("quick", {"training.save_steps": 7})
    assert config_from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match=r"training.keep_checkpoints must be at least 1"):
        load_config("quick", {"training.keep_checkpoints": 0})


@pytest.mark.unit
def test_weighted_loss_keeps_every_head_in_the_graph():
    import torch

    from training.trainer import weighted_loss

    logits = {name: torch.zeros(2, 3, requires_grad=True) for name in ("stance_ab", "stance_ba", "sentiment")}
    labels = {"stance_ab": torch.tensor([0, -100]), "stance_ba": torch.tensor([-100, -100]),
              "sentiment": torch.tensor([-100, -100])}
    fns = {t: torch.nn.CrossEntropyLoss(ignore_index=-100, reduction="sum") for t in ("stance", "sentiment")}
    loss = weighted_loss(logits, labels, fns)
    loss.backward()
    assert loss.item() == pytest.approx(torch.log(torch.tensor(3.0)).item())
    assert all(value.grad is not None for value in logits.values())  # DDP needs a gradient for every parameter


@pytest.mark.unit
def test_comparison_figure_has_a_panel_per_task():
    from training.metrics import comparison_figure

    metrics = {"val_stance_macro_f1": 0.5, "val_stance_f1_hostile": 0.7, "val_sentiment_macro_f1": 0.6}
    figure = comparison_figure(metrics, {"val_stance_macro_f1": 0.4}, title="t")
    assert len(figure.axes) == 2


# --- model (tiny model, in-process) ----------------------------------------------------------------------------

@pytest.mark.model
def test_a_run_on_the_trainer_logs_what_reviewers_compare(tmp_path, mlruns, tiny_model_dir, tiny_config,
        one_thread):
    import mlflow
    from mlflow import MlflowClient

    from training.baseline import run_baseline
    from training.train import train

    config = tiny_config(tmp_path, tiny_model_dir)
    baseline = run_baseline(config)
    summary = train(config, progress=False)
    client = MlflowClient()
    run = client.get_run(summary["run_id"])
    assert run.info.status == "FINISHED"
    assert {"val_score", "val_stance_f1_hostile", "train_loss", "learning_rate", "train_epoch_loss", "train_steps"} \
        <= set(run.data.metrics)
    assert [m.step for m in client.get_metric_history(run.info.run_id, "val_score")] == [1, 2, 3]
    assert run.data.params["max_records_per_source"] == "120" and run.data.params["max_validation_records"] == "40"
    # runs on the same data name the same validation digests, and those are the datasets' fingerprints
    assert run.data.tags["validation"] == client.get_run(baseline["run_id"]).data.tags["validation"]
    assert run.data.tags["data.capped"] == "true"
    digests = {i.dataset.digest for i in run.inputs.dataset_inputs
               if any(t.value == "validation" for t in i.tags)}
    assert all(f"@{d}(" in run.data.tags["validation"] for d in digests) and len(digests) == 2
    assert run.data.tags["stance.compared_with"].startswith("baseline run")
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "comparison")}
    assert artifacts == {"comparison/val_f1_vs_baseline.png"}
    experiment = mlflow.get_experiment_by_name("stance")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    assert "validation" in experiment.tags["mlflow.note.content"]
    # a finished run's checkpoints are gone; its encoded training data stays cached by fingerprint
    assert not (mlruns.parent / "checkpoints" / run.info.run_id).exists()
    assert list((mlruns.parent / "cache" / "datasets").glob("encoded-*.arrow"))


@pytest.mark.model
def test_a_crashed_run_is_failed_resumable_and_resumes_in_the_same_run(tmp_path, mlruns, tiny_model_dir, tiny_config,
        one_thread):
    from mlflow import MlflowClient
    from transformers import TrainerCallback

    from training.train import train

    class Crash(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 7:
                raise RuntimeError("power cut")

    config = tiny_config(tmp_path, tiny_model_dir, epochs=1)
    with pytest.raises(RuntimeError, match="power cut"):
        train(config, progress=False, callbacks=(Crash(),))
    client = MlflowClient()
    [crashed] = client.search_runs([client.get_experiment_by_name("stance").experiment_id])
    assert crashed.info.status == "FAILED"
    assert crashed.data.tags["stance.resumable"] == "true"
    assert crashed.data.tags["stance.last_checkpoint"] == "checkpoint-5"
    summary = train(None, resume=crashed.info.run_id, progress=False)
    assert summary["run_id"] == crashed.info.run_id
    resumed = client.get_run(crashed.info.run_id)
    assert resumed.info.status == "FINISHED" and resumed.data.tags["stance.resumed_from"] == "checkpoint-5"
    with pytest.raises(ValueError, match="already FINISHED"):
        train(None, resume=crashed.info.run_id, progress=False)


# --- slow: subprocesses ----------------------------------------------------------------------------------------

def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", STANCE_MLRUNS_DIR=str(tmp_path / "mlruns"),
               STANCE_CHECKPOINTS_DIR=str(tmp_path / "checkpoints"), STANCE_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("MLFLOW_TRACKING_URI", None)
    return env


@pytest.mark.model
def test_sigterm_ends_a_tracked_run_failed_and_tagged(tmp_path, mlruns):
    """`kill PID` (or a container stopping) must not leave a RUNNING run behind, nor lose the resume tags."""
    from mlflow import MlflowClient

    from training.tracking import configure

    script = (
        "import sys, time\n"
        "from training.tracking import configure, tracked_run\n"
        "from stance_cli.main import main\n"
        "configure()\n"
        "def run(args):\n"
        "    import mlflow\n"
        "    def tag(err):\n"
        "        print('TAGGING', flush=True)\n"
        "        time.sleep(1)  # a second SIGTERM arrives meanwhile\n"
        "        mlflow.set_tag('seen', type(err).__name__)\n"
        "    with tracked_run(on_failure=tag):\n"
        "        print('READY', flush=True)\n"
        "        time.sleep(60)\n"
        "    return 0\n"
        "import stance_cli.main as m\n"
        "m.cmd_data_stats = run  # any command: this one stands in for `stance train`\n"
        "sys.exit(main(['data', 'stats']))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=_env(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "READY", process.communicate()[1][-2000:]
    process.send_signal(signal.SIGTERM)
    assert process.stdout.readline().strip() == "TAGGING"
    process.send_signal(signal.SIGTERM)  # a repeated kill must not cut the tagging short
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143 and "stance: terminated" in err, err[-2000:]
    configure()
    client = MlflowClient()
    [run] = client.search_runs([client.get_experiment_by_name("stance").experiment_id])
    assert run.info.status == "FAILED" and run.data.tags["seen"] == "Terminated"


@pytest.mark.slow
def test_sigint_mid_epoch_then_resume_matches_an_uninterrupted_run(tmp_path, mlruns, tiny_model_dir, tiny_config,
        one_thread):
    from mlflow import MlflowClient

    from training.train import train

    config = tiny_config(tmp_path, tiny_model_dir, seed=11)
    reference = train(config, progress=False)
    per_epoch = reference["steps"] // 2
    stop_after = (per_epoch // 5 + 1) * 5  # the first checkpoint inside epoch 2
    assert per_epoch < stop_after < reference["steps"]

    process = subprocess.Popen([sys.executable, str(REPO / "tests" / "interruptible_train.py"), config,
                                str(stop_after + 1)], cwd=REPO, env=_env(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:  # wait until checkpoint-<stop_after> is written (the step after it has begun)
        lines.append(line)
        if line.startswith(f"SLOW {stop_after + 1}"):
            process.send_signal(signal.SIGINT)
            break
    output = "".join(lines) + process.communicate(timeout=120)[0]
    assert process.returncode == 130, output

    client = MlflowClient()
    interrupted = [r for r in client.search_runs([client.get_experiment_by_name("stance").experiment_id])
                   if r.info.run_id != reference["run_id"]]
    [run] = interrupted
    assert run.info.status == "FAILED", output
    assert run.data.tags["stance.interrupted"] == "true" and run.data.tags["stance.resumable"] == "true"
    assert run.data.tags["stance.last_checkpoint"] == f"checkpoint-{stop_after}"

    resumed = train(None, resume=run.info.run_id, progress=False)
    final = client.get_run(run.info.run_id)
    assert final.info.status == "FINISHED" and resumed["steps"] == reference["steps"]
    for key in ("val_score", "val_stance_macro_f1", "val_sentiment_macro_f1"):
        assert resumed["metrics"][key] == pytest.approx(reference["metrics"][key], abs=0.02), key
    print(json.dumps({"steps": resumed["steps"], "interrupted_at": stop_after,
                      "reference": {k: reference["metrics"][k] for k in ("val_score",)},
                      "resumed": {k: resumed["metrics"][k] for k in ("val_score",)}}))


@pytest.mark.slow
def test_two_cpu_processes_train_one_run(tmp_path, mlruns, tiny_model_dir, tiny_config):
    from mlflow import MlflowClient

    from training.tracking import configure

    config = tiny_config(tmp_path, tiny_model_dir, epochs=1)
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", "29517",
               "-m", "stance_cli", "train", "--config", config, "--set", "training.max_steps=4", "--no-progress"]
    result = subprocess.run(command, cwd=REPO, env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    configure()
    client = MlflowClient()
    [run] = client.search_runs([client.get_experiment_by_name("stance").experiment_id])
    assert run.info.status == "FINISHED"
    assert run.data.params["processes"] == "2" and run.data.metrics["train_steps"] == 4
    assert run.data.tags["stance.ddp_world_size"] == "2"  # the Trainer itself ran distributed
    assert "stance.model_id" in run.data.tags
    assert json.loads(result.stdout[result.stdout.index("{"):])["steps"] == 4  # rank 0 alone prints the summary


@pytest.mark.unit
def test_first_make_run_fits_the_baseline_on_the_same_data_before_training(monkeypatch, tmp_path):
    import stance_cli.serve as serve

    calls = []
    champions = iter([None, "1"])
    monkeypatch.setattr(serve, "champion_version", lambda uri: next(champions, "1"))
    monkeypatch.setattr(serve, "_stance", lambda *args: calls.append(args))
    monkeypatch.setattr(serve, "ensure_bentoml_home", lambda: None)
    monkeypatch.setitem(sys.modules, "serving.export", type(sys)("serving.export"))
    sys.modules["serving.export"].export_champion = lambda uri, tracking_uri=None, gate=None: "stance:tag"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "unset")  # ensure_served exports the URI; teardown restores it
    serve.ensure_served(config="quick", tracking=f"sqlite:///{tmp_path}/mlflow.db", serve=False)
    assert calls == [("baseline", "--config", "quick"), ("train", "--config", "quick"), ("register",)]


@pytest.mark.unit
def test_version_description_names_the_data_and_the_figures():
    from types import SimpleNamespace

    from training.registry import version_description

    run = SimpleNamespace(info=SimpleNamespace(run_id="abc"), data=SimpleNamespace(
        params={"train_sources": "directed:train,ir:train", "train_records": "3600", "max_records_per_source": "1200",
                "max_validation_records": "800"},
        tags={"base_model": "minilm", "config": "quick", "validation": "stance=directed:valid@d1(n=800)"},
        metrics={"val_score": 0.6031, "val_stance_macro_f1": 0.515}))
    text = version_description(run)
    assert "directed:train,ir:train: 3600 records (at most 1200 per source)" in text
    assert "stance=directed:valid@d1(n=800)" in text and "| 0.603 | 0.515 | - |" in text
