"""Inter-annotator agreement on the corpus sample (datasets/ir-corpus/agreement): Cohen's kappa per task.

`first.jsonl` holds the corpus labels as they were when the second annotator worked (before adjudication),
`second.jsonl` the independent second labelling done from the guidelines and the text alone.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

AGREEMENT_DIR = Path(__file__).resolve().parent.parent / "datasets" / "ir-corpus" / "agreement"


def _labels(path: Path) -> dict[tuple, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        for pair in item["stances"]:
            out[("stance", item["item"], pair["holder"], pair["target"])] = pair["stance"]
        for mention in item["sentiments"]:
            out[("sentiment", item["item"], mention["start"], mention["end"])] = mention["sentiment"]
    return out


def agreement(folder: Path = AGREEMENT_DIR) -> dict[str, Any]:
    from sklearn.metrics import cohen_kappa_score

    first, second = _labels(folder / "first.jsonl"), _labels(folder / "second.jsonl")
    if set(first) != set(second):
        raise ValueError(f"the two labellings cover different items: {len(set(first) ^ set(second))} differ")
    result: dict[str, Any] = {}
    for task in ("stance", "sentiment"):
        keys = sorted(k for k in first if k[0] == task)
        a, b = [first[k] for k in keys], [second[k] for k in keys]
        result[task] = {
            "n": len(keys), "kappa": round(float(cohen_kappa_score(a, b)), 3),
            "observed_agreement": round(sum(x == y for x, y in zip(a, b)) / len(keys), 3),
            "disagreements": {f"{x} vs {y}": n for (x, y), n in Counter(
                tuple(sorted((x, y))) for x, y in zip(a, b) if x != y).most_common()},
        }
    return result


if __name__ == "__main__":
    print(json.dumps(agreement(), indent=2))
