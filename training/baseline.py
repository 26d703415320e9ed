"""`stance baseline`: TF-IDF + class-balanced logistic regression per task, tracked like a fine-tuned run.

The actor spans are replaced by placeholder words (xxholder, xxtarget) so n-grams such as "xxholder accused" carry
the direction and the model cannot memorise names. Same data, same metric names, same confusion matrices as
`stance train`, so the MLflow UI shows the two side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stance.labels import Task, label_names
from stance.records import PairRecord, Prediction
from training.config import load_config
from training.evaluation import evaluate
from training.inputs import load_run_data, log_data
from training.tracking import configure, log_reports, run_tags, tracked_run


def masked_text(record: PairRecord) -> str:
    spans = [(record.target, " xxtarget ")]
    if record.holder is not None:
        spans.append((record.holder, " xxholder "))
    text = record.text
    for span, word in sorted(spans, key=lambda item: item[0].start, reverse=True):
        text = text[: span.start] + word + text[span.end :]
    return text


class BaselineClassifier:
    """One TF-IDF + logistic regression pipeline per task, behind the same `predict` as the fine-tuned Predictor."""

    def __init__(self, seed: int = 13, max_features: int = 50000) -> None:
        self.seed = seed
        self.max_features = max_features
        self.pipelines: dict[Task, Any] = {}

    def fit(self, records: Sequence[PairRecord]) -> BaselineClassifier:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        for task in Task:
            rows = [r for r in records if r.task is task]
            if not rows:
                continue
            pipeline = make_pipeline(
                TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=self.max_features),
                LogisticRegression(class_weight="balanced", max_iter=2000, C=2.0, random_state=self.seed),
            )
            pipeline.fit([masked_text(r) for r in rows], [r.label for r in rows])
            self.pipelines[task] = pipeline
        return self

    def predict(self, records: Sequence[PairRecord]) -> list[Prediction]:
        """Per record its label and the distribution in label order (a label unseen in training gets 0)."""
        missing = sorted({r.task.value for r in records if r.task not in self.pipelines})
        if missing:
            raise ValueError(f"the baseline was trained without {missing} data")
        out: list[Prediction | None] = [None] * len(records)
        for task, pipeline in self.pipelines.items():
            index = [i for i, r in enumerate(records) if r.task is task]
            if not index:
                continue
            names = label_names(task)
            classes = [str(c) for c in pipeline.classes_]
            for i, row in zip(index, pipeline.predict_proba([masked_text(records[i]) for i in index])):
                probabilities = tuple(float(row[classes.index(n)]) if n in classes else 0.0 for n in names)
                label = classes[int(row.argmax())]
                out[i] = Prediction(records[i].id, task, label, probabilities)
        return [p for p in out if p is not None]


def run_baseline(config_ref: str = "default") -> dict[str, Any]:
    """Fit on the config's training sources, evaluate on its validation and report sets, log one MLflow run."""
    configure()
    config = load_config(config_ref)
    data = load_run_data(config)
    with tracked_run(run_name=f"baseline-{config.name}") as run:
        import mlflow

        mlflow.set_tags(run_tags("baseline", "tfidf-logreg", config.name))
        mlflow.log_params({"model": "tfidf(1-2gram)+logreg(balanced)", "seed": config.training.seed})
        mlflow.log_dict(config.to_dict(), "config.json")  # what `stance ablation --kind baseline` groups by
        log_data(config, data)
        model = BaselineClassifier(seed=config.training.seed).fit(data.train_records)
        result = evaluate(model, [*data.validation, *data.reports])
        mlflow.log_metrics(result.metrics)
        log_reports(result.reports)
    return {"run_id": run.info.run_id, "metrics": result.metrics}
