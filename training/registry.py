"""`stance register`: the best finished fine-tuning run becomes a version of `stance`; `@champion` moves only when
that version beats the current champion on the same validation data.

"Same validation data" is checked by dataset digest (the validation inputs logged with each run). When the digests
differ (the champion was validated on other data, or on a sample), both models are evaluated afresh on the
candidate's validation data before anything moves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from stance.settings import CHAMPION_ALIAS as ALIAS
from stance.settings import EXPERIMENT, MODEL_NAME
from training.metrics import SELECTION_METRIC
from training.tracking import configure


@dataclass
class RegisterOutcome:
    name: str
    version: str
    run_id: str
    metric: str
    candidate_score: float
    champion_version: str | None
    champion_score: float | None
    promoted: bool
    compared_on: str
    message: str
    # the candidate run's validation figures and behaviour pass rates, printed beside the verdict
    figures: dict[str, float] = field(default_factory=dict)
    onnx: str | None = None  # what the ONNX export and gate of a new champion gave (or why there is none)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def best_run(metric: str = SELECTION_METRIC) -> Any:
    import mlflow

    experiment = mlflow.get_experiment_by_name(EXPERIMENT)
    if experiment is None:
        raise RuntimeError(f"no MLflow experiment {EXPERIMENT!r} in {mlflow.get_tracking_uri()}: run `stance train` first")
    runs = mlflow.search_runs(
        experiment_ids=[experiment.experiment_id],
        filter_string="tags.`stance.kind` = 'finetune' and attributes.status = 'FINISHED'",
        order_by=[f"metrics.`{metric}` DESC", "attributes.start_time DESC"],
        output_format="list",
    )
    runs = [r for r in runs if metric in r.data.metrics and "stance.model_id" in r.data.tags]
    if not runs:
        raise RuntimeError(f"no finished fine-tuning run with metric {metric!r} and a logged model: run `stance train`")
    return runs[0]


def validation_digests(run: Any) -> list[str]:
    inputs = run.inputs.dataset_inputs if run.inputs else []
    digests = []
    for item in inputs:
        tags = {t.key: t.value for t in item.tags}
        if tags.get("mlflow.data.context") == "validation":
            digests.append(item.dataset.digest)
    return sorted(digests)


def register_best(metric: str = SELECTION_METRIC, name: str = MODEL_NAME) -> RegisterOutcome:
    configure()
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    candidate_run = best_run(metric)
    run_id = candidate_run.info.run_id
    score = float(candidate_run.data.metrics[metric])
    version = _existing_version(client, name, run_id)
    if version is None:
        model_id = candidate_run.data.tags["stance.model_id"]
        version = mlflow.register_model(f"models:/{model_id}", name).version
        client.set_model_version_tag(name, version, metric, f"{score:.6f}")
        client.set_model_version_tag(name, version, "validation_digests", ",".join(validation_digests(candidate_run)))
        client.set_model_version_tag(name, version, "run_id", run_id)
        client.update_model_version(name, version, description=version_description(candidate_run))
    try:
        champion = client.get_model_version_by_alias(name, ALIAS)
    except MlflowException:
        champion = None

    figures = {k: round(float(v), 4) for k, v in sorted(candidate_run.data.metrics.items())
               if k.startswith(("val_", "behave_"))}
    base = dict(name=name, version=str(version), run_id=run_id, metric=metric, candidate_score=score,
                figures=figures)
    if champion is None:
        client.set_registered_model_alias(name, ALIAS, version)
        return RegisterOutcome(**base, champion_version=None, champion_score=None, promoted=True, compared_on="-",
                               message=f"{name} v{version} (run {run_id}, {metric} {score:.4f}) is the first "
                                       f"champion: there was none", onnx=publish_onnx(name, version, run_id))
    if str(champion.version) == str(version):
        return RegisterOutcome(**base, champion_version=str(version), champion_score=score, promoted=False,
                               compared_on="-", message=f"{name} v{version} is already the champion; "
                                                        f"no better run since ({metric} {score:.4f})")
    champion_run = client.get_run(_version_run_id(client, champion))
    same_data = validation_digests(champion_run) == validation_digests(candidate_run)
    if same_data and metric in champion_run.data.metrics:
        champion_score = float(champion_run.data.metrics[metric])
        compared_on = "logged metrics, same validation digests"
    else:
        score, champion_score = _rescore(candidate_run, version, champion, name, metric)
        compared_on = "fresh evaluation on the candidate's validation data (digests differ)"
    promoted = score > champion_score
    if promoted:
        client.set_registered_model_alias(name, ALIAS, version)
        verdict = f"{name} v{version} is the new champion: {metric} {score:.4f} beats v{champion.version}'s {champion_score:.4f}"
    else:
        verdict = (f"{name} v{version} registered but {ALIAS} stays v{champion.version}: {metric} {score:.4f} does "
                   f"not beat {champion_score:.4f}")
    return RegisterOutcome(**base | {"candidate_score": score}, champion_version=str(champion.version),
                           champion_score=champion_score, promoted=promoted, compared_on=compared_on,
                           message=f"{verdict} ({compared_on})",
                           onnx=publish_onnx(name, version, run_id) if promoted else None)


def publish_onnx(name: str, version: str, run_id: str) -> str:
    """A new champion gets its ONNX exports (fp32, int8) gated against PyTorch; the figures are logged on its run
    and the files as the run's `onnx/` artifacts, where `stance export` and `--backend` find them.
    STANCE_ONNX_ON_REGISTER=0 skips it (then `stance export` does it)."""
    import os
    import shutil

    if os.environ.get("STANCE_ONNX_ON_REGISTER", "1") == "0":
        return "skipped (STANCE_ONNX_ON_REGISTER=0)"
    from stance.backends import ONNX_SUBDIR
    from stance.onnx_export import temp_dir
    from stance.predictor import resolve_model_dir
    from training.onnx_gate import gate_folder, log_gate, run_spec

    staging = temp_dir() / "model"
    try:
        shutil.copytree(resolve_model_dir(f"models:/{name}/{version}"), staging)
        gate = gate_folder(staging, run_spec(run_id)[0])
        log_gate(run_id, gate, staging / ONNX_SUBDIR)
        verdicts = [f"{v} {'passed' if r['passed'] else 'refused: ' + r['reason']}" for v, r in gate["variants"].items()]
        return "; ".join(verdicts)
    except Exception as err:  # noqa: BLE001 - the champion stands; serving falls back to PyTorch and says so
        return f"no ONNX exports: {type(err).__name__}: {err}"
    finally:
        shutil.rmtree(staging.parent, ignore_errors=True)


def version_description(run: Any) -> str:
    """What a version was trained on and its figures, for the registry's UI (Markdown)."""
    params, tags, metrics = run.data.params, run.data.tags, run.data.metrics

    def figure(key: str) -> str:
        return f"{metrics[key]:.3f}" if key in metrics else "-"

    return (
        f"Fine-tuned `{tags.get('base_model', '?')}` with config `{tags.get('config', '?')}` "
        f"(run `{run.info.run_id}`, commit `{tags.get('mlflow.source.git.commit', '?')[:12]}`).\n\n"
        f"Trained on {params.get('train_sources', '?')}: {params.get('train_records', '?')} records "
        f"(at most {params.get('max_records_per_source', '?')} per source), best epoch {tags.get('stance.best_epoch', '?')}.\n\n"
        f"Validation ({params.get('max_validation_records', '?')} records per set at most): "
        f"{tags.get('validation', '?')}.\n\n"
        f"| val_score | stance macro-F1 | sentiment macro-F1 | ir_test stance | ir_test sentiment |\n|---|---|---|---|---|\n"
        f"| {figure('val_score')} | {figure('val_stance_macro_f1')} | {figure('val_sentiment_macro_f1')} "
        f"| {figure('ir_test_stance_macro_f1')} | {figure('ir_test_sentiment_macro_f1')} |"
    )


def _existing_version(client: Any, name: str, run_id: str) -> str | None:
    from mlflow.exceptions import MlflowException

    try:
        versions = client.search_model_versions(f"name = '{name}'")
    except MlflowException:
        return None
    for v in versions:
        if v.run_id == run_id or (v.tags or {}).get("run_id") == run_id:
            return str(v.version)
    return None


def _version_run_id(client: Any, version: Any) -> str | None:
    """The run a model version came from; None for a version registered from a path outside any run."""
    return version.run_id or (version.tags or {}).get("run_id")


def _rescore(candidate_run: Any, version: str, champion: Any, name: str, metric: str) -> tuple[float, float]:
    import mlflow

    from stance.predictor import Predictor
    from training.config import DataConfig
    from training.evaluation import build_eval_sets, evaluate

    config = mlflow.artifacts.load_dict(f"runs:/{candidate_run.info.run_id}/config.json")
    data = DataConfig(**config["data"])
    sets = build_eval_sets("val", data.validation, data.max_validation_records)
    scores = []
    for v in (version, champion.version):
        predictor = Predictor.load(f"models:/{name}/{v}")
        scores.append(float(evaluate(predictor, sets).metrics[metric]))
    return scores[0], scores[1]
