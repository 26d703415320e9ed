"""The `stance` command. Every subcommand imports what it needs inside its handler, so `--help` is instant."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stance.settings import CHAMPION_URI, MODEL_NAME, apply_offline_environment


def _parse_set(values: Sequence[str]) -> dict[str, Any]:
    import yaml

    out = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep:
            raise SystemExit(f"stance: --set expects section.key=value, got {item!r}")
        out[key] = yaml.safe_load(raw)
    return out


def cmd_train(args: argparse.Namespace) -> int:
    from training.train import train

    if args.resume and (args.set or args.config):
        raise SystemExit("stance train: --resume continues a run with its own config; drop --config and --set")
    summary = train(args.config or "quick", _parse_set(args.set), progress=not args.no_progress, resume=args.resume)
    if "rank" in summary:  # a DDP worker (torchrun): rank 0 prints the summary
        return 0
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    from training.baseline import run_baseline

    print(json.dumps(run_baseline(args.config), indent=2, sort_keys=True))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from stance.predictor import Predictor
    from training.evaluation import evaluate_model

    _tracking(args.model)
    predictor = Predictor.load(args.model, backend=args.backend, batch_size=args.batch_size)
    print(f"backend: {predictor.backend}", file=sys.stderr)
    result = evaluate_model(predictor, args.data, args.figures)
    result["backend"] = predictor.backend
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def cmd_behave(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from stance.predictor import Predictor
    from training.behaviour import format_table, load_suite, run_suite

    cases = load_suite(args.suite)  # validated first: a bad suite line fails before the model loads
    _tracking()
    report = run_suite(Predictor.load(args.model, batch_size=args.batch_size), cases)
    print(f"behaviour suite: {len(cases)} cases, model {args.model}")
    print(format_table(report))
    if args.failures:
        for failure in report.failures[: args.failures]:
            pair = f"{failure.holder} -> {failure.target}" if failure.holder else f"toward {failure.target}"
            print(f"  [{failure.capability}] {pair}: expected {failure.expected}, got {failure.got} | {failure.text}")
    if args.out:
        payload = {"metrics": report.metrics(), "failures": [asdict(f) for f in report.failures]}
        Path(args.out).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from stance.predictor import Predictor
    from stance.records import read_jsonl, write_jsonl

    records = read_jsonl(args.input)  # validated up front: a bad line stops before any model work
    _tracking(args.model)
    predictor = Predictor.load(args.model, backend=args.backend, batch_size=args.batch_size)
    predictions = predictor.predict(records)
    count = write_jsonl(args.output, (p.to_dict() for p in predictions))
    print(f"wrote {count} predictions to {args.output} (backend {predictor.backend})", file=sys.stderr)
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from training.registry import register_best

    outcome = register_best(metric=args.metric, name=args.name)
    print(outcome.message)
    validation = {k: v for k, v in outcome.figures.items() if k.startswith("val_")}
    behaviour = {k: v for k, v in outcome.figures.items() if k.startswith("behave_")}
    if validation or behaviour:
        width = max(map(len, [*validation, *behaviour]))
        print(f"v{outcome.version} validation figures" + (" and behaviour pass rates" if behaviour else "") + ":")
        for key, value in [*validation.items(), *behaviour.items()]:
            print(f"  {key:<{width}}  {value:.3f}")
    if outcome.onnx:
        print(f"onnx: {outcome.onnx}")
    print(json.dumps(outcome.to_dict(), indent=2, sort_keys=True))
    return 0


def cmd_ablation(args: argparse.Namespace) -> int:
    from training.ablation import DEFAULT_METRICS, collect, format_table
    from training.tracking import configure

    configure()
    metrics = args.metric or list(DEFAULT_METRICS)
    found = collect(config_names=args.config, kind=args.kind, metrics=metrics)
    if found.skipped:
        print(f"{len(found.skipped)} finished run(s) left out: no readable config.json ({', '.join(found.skipped[:5])}"
              f"{', ...' if len(found.skipped) > 5 else ''})", file=sys.stderr)
    if not found.groups:
        print(f"no finished {args.kind} runs" + (f" of config {', '.join(args.config)}" if args.config else ""),
              file=sys.stderr)
        return 1
    print(format_table(found.groups, metrics))
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from stance_cli.analyze import run_analyze

    _tracking(args.model)
    return run_analyze(args)


def cmd_batch(args: argparse.Namespace) -> int:
    from stance.batch import load_predictor, resolve_model, run_local

    _tracking()
    source, version = resolve_model(args.model)
    if args.engine == "spark":
        from stance.batch_spark import run_spark

        summary = run_spark(args.input, args.output, source, version, master=args.master, chunk_size=args.chunk_size,
                            max_chars=args.max_chars, batch_size=args.batch_size, backend=args.backend, ner=args.ner,
                            partitions=args.partitions)
    else:
        predictor = load_predictor(source, batch_size=args.batch_size, backend=args.backend)
        summary = run_local(args.input, args.output, predictor, version, chunk_size=args.chunk_size,
                            max_chars=args.max_chars, ner=args.ner, progress=not args.no_progress)
    print(json.dumps(summary.to_dict(), sort_keys=True))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from serving.export import export_champion

    _tracking()
    from stance_cli.gating import gate_exports

    print(export_champion(args.model, force=args.force, onnx=not args.no_onnx, gate=gate_exports))
    return 0


def cmd_data_check(args: argparse.Namespace) -> int:
    from training.catalogue_ids import known_actor_ids
    from training.corpus import CORPUS_DIR, check_corpus

    root = Path(args.path) if args.path else CORPUS_DIR
    report = check_corpus(root, known_ids=None if args.no_catalogue else known_actor_ids())
    for line in report.errors:
        print(f"error: {line}")
    for line in report.warnings:
        print(f"warning: {line}")
    print(json.dumps(report.counts, indent=2, sort_keys=True))
    print(f"{'OK' if report.ok else 'FAILED'}: {len(report.errors)} error(s) in {root}")
    return 0 if report.ok else 1


def cmd_data_split(args: argparse.Namespace) -> int:
    from training.corpus import CORPUS_DIR, write_splits

    splits = write_splits(Path(args.path) if args.path else CORPUS_DIR, reassign=args.reassign)
    print(json.dumps({k: len(v) for k, v in splits.items()}))
    return 0


def cmd_data_stats(args: argparse.Namespace) -> int:
    from training.corpus import CORPUS_DIR, stats_markdown

    print(stats_markdown(Path(args.path) if args.path else CORPUS_DIR))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from stance_cli.serve import ensure_served

    tag = ensure_served(host=args.host, port=args.port, config=args.config, tracking=args.tracking_uri,
                        serve=not args.no_serve)
    print(tag)
    return 0


def _tracking(model: str | None = None) -> None:
    """Model URIs such as models:/stance@champion resolve against the project's MLflow store. A model given as a
    folder needs no store: MLflow (about 3 s of imports) is then not loaded at all."""
    from stance.predictor import MLFLOW_SCHEMES

    if model is not None and not str(model).startswith(MLFLOW_SCHEMES):
        return
    from training.tracking import configure

    configure()


def _backend_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("torch", "onnx", "onnx-int8", "auto"), default="auto",
                        help="torch, onnx (fp32), onnx-int8, or auto: the fastest ONNX variant that passed the gate "
                             "against PyTorch (stance export), else torch (default: auto)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stance", description="Directed stance and actor sentiment in news.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="fine-tune a model from a config and log the run to MLflow")
    p.add_argument("--config", default=None, help="quick, default, or a path to a YAML config (default: quick)")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override one config value, e.g. --set training.epochs=1 (repeatable)")
    p.add_argument("--resume", metavar="RUN_ID",
                   help="continue an interrupted run (same MLflow run) from its last checkpoint")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("baseline", help="TF-IDF + logistic regression baseline, logged like a fine-tuned run")
    p.add_argument("--config", default="default", help="the config whose data to use (default: default)")
    p.set_defaults(func=cmd_baseline)

    p = sub.add_parser("evaluate", help="metrics of a model on labelled data, as JSON")
    p.add_argument("--model", required=True, help="model folder or MLflow URI (models:/stance@champion)")
    p.add_argument("--data", required=True, action="append",
                   help="a JSONL file of labelled canonical records or corpus articles, or a named source "
                        "(directed:valid, newsmtsc:dev-rw, ir:test, ...); repeatable")
    p.add_argument("--figures", help="folder for confusion-matrix PNGs")
    p.add_argument("--out", help="also write the JSON here")
    p.add_argument("--batch-size", type=int, default=64)
    _backend_option(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("behave", help="behaviour suite pass rates per capability (negation, direction, ...)")
    p.add_argument("--model", default=CHAMPION_URI, help=f"model folder or MLflow URI (default {CHAMPION_URI})")
    p.add_argument("--suite", default=None, help="suite JSONL (default datasets/behaviour/suite.jsonl)")
    p.add_argument("--failures", type=int, default=0, metavar="N", help="also print the first N failed cases")
    p.add_argument("--out", help="write the metrics and every failure as JSON here")
    p.add_argument("--batch-size", type=int, default=64)
    p.set_defaults(func=cmd_behave)

    p = sub.add_parser("predict", help="label every canonical record of a JSONL file")
    p.add_argument("--model", required=True, help="model folder or MLflow URI (models:/stance@champion)")
    p.add_argument("input", help="JSONL of canonical records (TASK.md); labels, if present, are ignored")
    p.add_argument("output", help="JSONL to write: id, task, label, probabilities per record")
    p.add_argument("--batch-size", type=int, default=64)
    _backend_option(p)
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("register", help="register the best run as a version of `stance`; move @champion if it wins")
    p.add_argument("--metric", default="val_score",
                   help="validation metric that decides (default val_score = mean of the two macro-F1)")
    p.add_argument("--name", default=MODEL_NAME, help=f"registered model name (default {MODEL_NAME})")
    p.set_defaults(func=cmd_register)

    p = sub.add_parser("analyze", help="who is supportive or hostile toward whom in raw text, with evidence",
                       description="The summary first: relations with confidence and an evidence snippet, then "
                                   "actors. Several files or a JSONL of articles: relations across documents.")
    p.add_argument("input", nargs="*", help="text files (default: standard input), one document each; a .jsonl "
                                            "file holds articles (id, text, optional date, source), one a line")
    p.add_argument("--lines", action="store_true", help="each non-empty input line is a separate document")
    p.add_argument("--model", default=CHAMPION_URI, help=f"model folder or MLflow URI (default {CHAMPION_URI})")
    p.add_argument("--format", choices=("table", "json", "html"), default="table",
                   help="table (default), json (with the model block), html (one self-contained report, -o FILE)")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument("--sentences", action="store_true", help="also show every sentence's actors and stances")
    p.add_argument("--neutral-pairs", action="store_true", help="also list the pairs predicted neutral (json)")
    p.add_argument("--ner", action="store_true", help="also report organisations and groups missing from the catalogue")
    _backend_option(p)
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("batch", help="analyse a JSONL or Parquet file of articles into Parquet tables (resumable)")
    p.add_argument("input", help="JSONL or Parquet (file or folder) of articles: id, text, optional date, source; "
                                 "other fields are kept (documents.extra)")
    p.add_argument("output", help="output folder: one Parquet table per folder, manifest.jsonl, errors.jsonl")
    p.add_argument("--model", default=CHAMPION_URI, help=f"model folder or MLflow URI (default {CHAMPION_URI})")
    p.add_argument("--engine", choices=("local", "spark"), default="local")
    p.add_argument("--master", default=None, help="Spark master URL (default: $MASTER / spark-submit's, else local[*])")
    p.add_argument("--chunk-size", type=int, default=64, help="articles per committed chunk and per model call")
    p.add_argument("--max-chars", type=int, default=100_000, help="longer texts go to the error file")
    p.add_argument("--batch-size", type=int, default=64, help="model batch size")
    p.add_argument("--backend", default=None, help="Predictor inference backend (default: Predictor's own)")
    p.add_argument("--partitions", type=int, default=None, help="Spark: partitions of the analysis stage")
    p.add_argument("--ner", action="store_true", help="also report organisations and groups missing from the catalogue")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("ablation", help="finished runs grouped by what their config changed (seed aside): "
                       "mean ± sd over seeds per metric, as a Markdown table")
    p.add_argument("--config", action="append", default=[], help="only runs of this config name (repeatable)")
    p.add_argument("--metric", action="append", default=[], help="a metric column (repeatable; default: "
                   "validation 3- and 5-class stance, the reverse classes, sentiment, ir_test stance, behaviour)")
    p.add_argument("--kind", default="finetune", choices=("finetune", "baseline"))
    p.set_defaults(func=cmd_ablation)

    p = sub.add_parser("export", help="copy the champion into the BentoML model store for serving, with its ONNX "
                                      "exports (fp32, int8) gated against PyTorch")
    p.add_argument("--model", default=CHAMPION_URI)
    p.add_argument("--force", action="store_true", help="export again even when the store has this model")
    p.add_argument("--no-onnx", action="store_true", help="no ONNX exports (the service then runs PyTorch)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("serve", help="train and register if there is no champion, export it, serve it over HTTP")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    p.add_argument("--config", default=None, help="training config when there is no champion (default: quick "
                   "when the public data is present, else corpus)")
    p.add_argument("--tracking-uri", default=None, help="MLflow store (default $MLFLOW_TRACKING_URI, else "
                   "sqlite:///<repo>/mlruns/mlflow.db)")
    p.add_argument("--no-serve", action="store_true", help="train and export only, do not start the server")
    p.set_defaults(func=cmd_serve)

    data = sub.add_parser("data", help="the project's corpus: check and split")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    p = data_sub.add_parser("check", help="validate schema, spans, actor ids, duplicates and split leaks")
    p.add_argument("path", nargs="?", help="corpus folder (default: datasets/ir-corpus)")
    p.add_argument("--no-catalogue", action="store_true", help="do not check ids against the actor catalogue")
    p.set_defaults(func=cmd_data_check)
    p = data_sub.add_parser("split", help="assign new articles to train/dev/test by article, stratified by region; "
                            "assigned articles keep their split")
    p.add_argument("path", nargs="?")
    p.add_argument("--reassign", action="store_true", help="start over: every article by the rule (moves test data)")
    p.set_defaults(func=cmd_data_split)
    p = data_sub.add_parser("stats", help="the data card's count tables, as Markdown")
    p.add_argument("path", nargs="?")
    p.set_defaults(func=cmd_data_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    apply_offline_environment()
    try:
        return args.func(args)
    except KeyboardInterrupt as err:
        from training.tracking import Terminated  # SIGTERM during a tracked run

        terminated = isinstance(err, Terminated)
        print(f"stance: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return 143 if terminated else 130
    except (ValueError, FileNotFoundError, RuntimeError) as err:  # user errors: one clear line, no traceback
        if args.verbose:
            raise
        print(f"stance {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
