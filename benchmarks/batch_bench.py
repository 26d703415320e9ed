"""`stance batch` throughput: articles/s for the local engine and for Spark local[2] on this machine, and memory
(resident set of the whole process tree: driver, JVM, Python workers) sampled during the run.

    python benchmarks/batch_bench.py --model models:/stance@champion --articles 200
    python benchmarks/batch_bench.py --minilm-untrained --articles 120   # no champion: MiniLM, untrained heads

`--minilm-untrained` builds a model with the real MiniLM encoder and random heads: the same compute per article as
a trained champion (its labels mean nothing). Input: the corpus archive (training.articles), first N records.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path


def tree_rss_mib(root: int) -> float:
    """Resident memory of `root` and all its descendants, MiB (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(stat[1])
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    keep, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in keep:
                keep.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in keep) / 2**20


class Sampler:
    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.perf_counter()
        while not self._stop.wait(0.5):
            self.samples.append((time.perf_counter() - start, tree_rss_mib(os.getpid())))

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def steady(self) -> tuple[float, float]:
        """(median over the second half of the run, peak), MiB."""
        values = [v for _, v in self.samples] or [0.0]
        return statistics.median(values[len(values) // 2:]), max(values)


def minilm_untrained(directory: Path) -> Path:
    from transformers import AutoModel, AutoTokenizer

    from stance.encoding import add_markers
    from stance.model import ModelCard, build_model, save_model
    from training.finetune import base_model_path

    base = base_model_path("minilm")
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    add_markers(tokenizer)
    encoder = AutoModel.from_pretrained(str(base), add_pooling_layer=False)
    encoder.resize_token_embeddings(len(tokenizer))
    return save_model(build_model(encoder), tokenizer, ModelCard(base_model="minilm-untrained-heads"), directory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models:/stance@champion")
    parser.add_argument("--minilm-untrained", action="store_true")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--chunk-size", type=int, default=32)
    parser.add_argument("--engines", default="local,spark")
    args = parser.parse_args()

    from stance.settings import apply_offline_environment
    from training.tracking import configure

    apply_offline_environment()
    configure()
    from stance.batch import load_predictor, resolve_model, run_local
    from training.articles import write_archive

    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    model = str(minilm_untrained(work / "model")) if args.minilm_untrained else args.model
    source, version = resolve_model(model)
    archive = work / "articles.jsonl"
    n = write_archive(archive, copies=2, limit=args.articles)
    chars = sum(len(json.loads(line)["text"]) for line in archive.read_text().splitlines())
    print(f"model {version}; {n} articles, {chars / n:.0f} characters each on average; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if "local" in args.engines:
        predictor = load_predictor(source)
        with Sampler() as mem:
            summary = run_local(archive, work / "local", predictor, version, chunk_size=args.chunk_size,
                                progress=False)
        steady, peak = mem.steady()
        print(f"local: {summary.articles} articles in {summary.seconds:.1f} s -> {summary.articles / summary.seconds:.2f} "
              f"articles/s (model loaded before; first chunk loads spaCy); RSS steady {steady:.0f} MiB, peak {peak:.0f} MiB")
    if "spark" in args.engines:
        from stance.batch_spark import run_spark, session

        with Sampler() as mem:
            started = time.perf_counter()
            spark = session("local[2]")
            boot = time.perf_counter() - started
            cold = run_spark(str(archive), str(work / "spark"), source, version, chunk_size=args.chunk_size, spark=spark)
            warm = run_spark(str(archive), str(work / "spark2"), source, version, chunk_size=args.chunk_size,
                             spark=spark)
            spark.stop()
        steady, peak = mem.steady()
        print(f"spark local[2]: session {boot:.1f} s; cold job {cold.seconds:.1f} s -> "
              f"{cold.articles / cold.seconds:.2f} articles/s; warm job (workers and model loaded) {warm.seconds:.1f} s "
              f"-> {warm.articles / warm.seconds:.2f} articles/s; RSS (driver+JVM+workers) steady {steady:.0f} MiB, "
              f"peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
