"""Inference speed side by side, one run, same inputs: the plain HF pipeline, and the Predictor on each backend.

    python benchmarks/inference_bench.py                       # the champion (models:/stance@champion) with its ONNX
    python benchmarks/inference_bench.py --model FOLDER --pairs 512 --repeats 3 --threads 2

1. pair classification: records/s on the same real directed pairs (directed-stance valid sentences), batch 32:
   the plain `pipeline("text-classification")` on the encoder with the pair marked inline (today's naive baseline),
   and `Predictor` with backend torch, onnx (fp32), onnx-int8;
2. /analyze in-process: p50/p99 of `stance.analysis.analyze` on the 30-sentence article (benchmarks/article.py);
3. cold start per backend, in a fresh process: import + load + warm-up (what the service does before /readyz) and
   the first analysis after it, against a warm one.

Figures depend on the machine and on what else runs on it: the script prints the CPU model, the AMX flags and the
load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from article import ARTICLE  # noqa: E402

BACKENDS = ("torch", "onnx", "onnx-int8")


def cpu_line() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return "lscpu unavailable"
    model = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")), "?")
    amx = sorted({flag for flag in out.split() if flag.startswith("amx")})
    return f"{model}; {os.cpu_count()} cores; AMX: {','.join(amx) or 'none'}"


def load_pairs(n: int) -> list:
    from training.data import load_records

    return load_records("directed:valid", n)


def pipeline_rate(folder: Path, records: list, batch_size: int, repeats: int) -> float:
    """The naive baseline: HF text-classification pipeline, markers written into the text, one pass per record."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSequenceClassification.from_pretrained(str(folder), num_labels=3)
    classify = pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1, top_k=None)
    texts = []
    for r in records:
        spans = sorted([(r.holder, "[E]", "[/E]"), (r.target, "[E]", "[/E]")], key=lambda s: -s[0].start)
        text = r.text
        for span, start, end in spans:  # from the right, so offsets stay valid
            text = text[: span.start] + f"{start} {text[span.start:span.end]} {end}" + text[span.end :]
        texts.append(text)
    classify(texts[:batch_size], batch_size=batch_size, truncation=True, max_length=128)
    return len(texts) / best_time(lambda: classify(texts, batch_size=batch_size, truncation=True, max_length=128),
                                  repeats)


def best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def cold(folder: str, backend: str, threads: int) -> None:
    """In a fresh process: time to ready (imports, load, warm-up as the service does) and the first analysis."""
    started = time.perf_counter()
    from serving.service import warm_up
    from stance.analysis import analyze
    from stance.predictor import Predictor
    from stance.sentences import split_many

    predictor = Predictor.load(folder, backend=backend, threads=threads)
    warm_up(predictor)
    split_many(["Warm-up. Two sentences."])
    analyze(["Tehran accused Azerbaijan of siding with Israel."], predictor)
    ready = time.perf_counter() - started
    started = time.perf_counter()
    analyze([ARTICLE], predictor)
    first = time.perf_counter() - started
    warm = [best_time(lambda: analyze([ARTICLE], predictor), 1) for _ in range(5)]
    print(json.dumps({"backend": predictor.backend, "ready_s": ready, "first_ms": 1000 * first,
                      "warm_ms": 1000 * statistics.median(warm)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="models:/stance@champion", help="MLflow URI or model folder")
    parser.add_argument("--pairs", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--analyze-runs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-pipeline", action="store_true")
    parser.add_argument("--no-cold", action="store_true")
    parser.add_argument("--cold", nargs=2, metavar=("FOLDER", "BACKEND"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    from stance.settings import apply_offline_environment

    apply_offline_environment()
    if args.cold:
        cold(args.cold[0], args.cold[1], args.threads)
        return
    from training.tracking import configure

    configure()
    import shutil
    import tempfile

    from stance.analysis import analyze
    from stance.backends import ONNX_SUBDIR, available
    from stance.predictor import Predictor, find_onnx, resolve_model_dir

    source = resolve_model_dir(args.model)  # a local folder with its exports, for the fresh processes too
    folder = Path(tempfile.mkdtemp(prefix="stance-bench-")) / "model"
    shutil.copytree(source, folder)
    found = find_onnx(source, args.model)
    if found is not None and found.is_dir():
        shutil.copytree(found, folder / ONNX_SUBDIR, dirs_exist_ok=True)
    print(f"cpu: {cpu_line()}")
    print(f"load average before: {os.getloadavg()}; threads {args.threads}; model {args.model} ({folder})")
    status = available(folder)
    records = load_pairs(args.pairs)
    rows: list[tuple[str, float | None, float | None, float | None]] = []
    if not args.no_pipeline:
        import torch

        torch.set_num_threads(args.threads)
        rows.append(("HF pipeline (torch, inline markers)", pipeline_rate(folder, records, args.batch_size,
                                                                           args.repeats), None, None))
    for backend in BACKENDS:
        if backend != "torch" and status[backend]:
            print(f"skip {backend}: {status[backend]}")
            continue
        predictor = Predictor.load(folder, backend=backend, threads=args.threads, batch_size=args.batch_size)
        predictor.predict(records[: args.batch_size])
        rate = len(records) / best_time(lambda p=predictor: p.predict(records), args.repeats)
        analyze([ARTICLE], predictor)  # spaCy and the linker load in the first call
        timings = [1000 * best_time(lambda p=predictor: analyze([ARTICLE], p), 1) for _ in range(args.analyze_runs)]
        rows.append((f"Predictor {backend}", rate, percentile(timings, 50), percentile(timings, 99)))
    colds = {}
    if not args.no_cold:
        for backend in BACKENDS:
            if backend != "torch" and status[backend]:
                continue
            out = subprocess.run([sys.executable, __file__, "--cold", str(folder), backend, "--threads",
                                  str(args.threads)], capture_output=True, text=True, env=os.environ.copy())
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            colds[backend] = json.loads(lines[-1]) if lines else {"error": out.stderr[-300:]}
    torch_rate = next((r for name, r, _, _ in rows if name == "Predictor torch"), None)
    print(f"\n{'path':40} {'pairs/s':>9} {'x torch':>8} {'analyze p50 ms':>15} {'p99 ms':>8}")
    for name, rate, p50, p99 in rows:
        ratio = f"{rate / torch_rate:.2f}" if rate and torch_rate else "-"
        print(f"{name:40} {rate:9.0f} {ratio:>8} {(f'{p50:.0f}' if p50 else '-'):>15} {(f'{p99:.0f}' if p99 else '-'):>8}")
    if colds:
        print(f"\n{'cold start (fresh process)':40} {'ready s':>9} {'first ms':>9} {'warm ms':>8}")
        for backend, item in colds.items():
            if "error" in item:
                print(f"{backend:40} failed: {item['error']}")
            else:
                print(f"{backend:40} {item['ready_s']:9.1f} {item['first_ms']:9.0f} {item['warm_ms']:8.0f}")
    print(f"\nload average after: {os.getloadavg()} (other work on these cores slows every figure)")


if __name__ == "__main__":
    main()
