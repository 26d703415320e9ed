"""Analysis speed: sentences per second for a 30-sentence article on 2 cores, model loaded once, warm.

    python benchmarks/analyze_bench.py --model models:/stance@champion --repeats 10
"""

from __future__ import annotations

import argparse
import statistics
import time

from article import ARTICLE, SENTENCES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models:/stance@champion")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    from training.tracking import configure

    configure()
    import torch

    from stance.analysis import analyze
    from stance.predictor import Predictor

    started = time.perf_counter()
    predictor = Predictor.load(args.model, batch_size=args.batch_size)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    [doc] = analyze([ARTICLE], predictor)  # the first call also loads spaCy and builds the linker
    first = time.perf_counter() - started
    timings = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        [doc] = analyze([ARTICLE], predictor)
        timings.append(time.perf_counter() - started)
    data = doc.to_dict()
    n_sentences = len(data["sentences"])
    n_pairs = sum(len(s.get("pairs", [])) for s in data["sentences"])
    median = statistics.median(timings)
    print(f"threads: {torch.get_num_threads()}; model load {loaded:.1f} s; first analysis (loads spaCy) {first:.1f} s")
    print(f"article: {len(SENTENCES)} sentences written, {n_sentences} found, {n_pairs} stance pairs scored")
    print(f"warm analysis over {args.repeats} runs: median {median * 1000:.0f} ms, "
          f"min {min(timings) * 1000:.0f} ms -> {n_sentences / median:.1f} sentences/s")


if __name__ == "__main__":
    main()
