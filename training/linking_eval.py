"""Measure the actor linker against the gold mentions of the IR corpus.

For every sentence of `datasets/ir-corpus/articles/*.jsonl` the linker runs on the sentence text alone, and its
mentions are compared with the gold ones (RULES.md: a person mention carries the person id, a metonym the state id):

- exact: same start, same end, same id;
- lenient: spans overlap and the id is the same (each gold mention matched at most once).

Precision and recall are reported per actor type (state, organisation, group, person, from the id) and overall.

    python -m training.linking_eval [--articles DIR] [--errors 20] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.records import json_lines
from stance.settings import CORPUS_DIR

TYPES = ("state", "organisation", "group", "person")
DEFAULT_ARTICLES = CORPUS_DIR / "articles"


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    id: str
    text: str


def actor_type_of(actor_id: str) -> str:
    """The actor type an id names (RULES.md id scheme), so gold ids missing from the catalogue still count."""
    if actor_id.startswith("person:"):
        return "person"
    if actor_id.startswith("org:"):
        return "organisation"
    if actor_id.startswith("group:"):
        return "group"
    if actor_id.startswith("unlinked:"):
        return "unlinked"
    return "state"


def read_gold(articles_dir: str | Path) -> list[tuple[str, str, list[_Span]]]:
    """(where, sentence text, gold mentions) for every sentence; a bad line raises with file, line and reason."""
    files = sorted(Path(articles_dir).glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no *.jsonl files in {articles_dir}")
    out = []
    for file in files:
        for lineno, article in json_lines(file):
            try:
                for k, sentence in enumerate(article["sentences"]):
                    text = sentence["text"]
                    spans = [_Span(m["start"], m["end"], m["actor"], text[m["start"]:m["end"]])
                             for m in sentence.get("mentions", [])]
                    out.append((f"{file.name}:{lineno} {article.get('id', '?')} s{k}", text, spans))
            except (KeyError, TypeError, AttributeError) as err:
                raise ValueError(f"{file}:{lineno}: not a corpus article ({err!r})") from None
    return out


def _match(gold: Sequence[_Span], pred: Sequence[_Span], lenient: bool) -> tuple[set[int], set[int]]:
    """Indices of matched gold and predicted mentions (one-to-one)."""
    matched_gold: set[int] = set()
    matched_pred: set[int] = set()
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if j in matched_pred or p.id != g.id:
                continue
            same = (p.start, p.end) == (g.start, g.end)
            if same or (lenient and p.start < g.end and g.start < p.end):
                matched_gold.add(i)
                matched_pred.add(j)
                break
    return matched_gold, matched_pred


def _prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> dict[str, float | int]:
    p = tp_pred / n_pred if n_pred else 0.0
    r = tp_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "gold": n_gold, "predicted": n_pred}


def evaluate_linking(articles_dir: str | Path = DEFAULT_ARTICLES, *, linker: Any = None,
                     max_errors: int = 20) -> dict[str, Any]:
    """Precision/recall of the linker on the corpus gold mentions, per type and overall, exact and lenient."""
    from stance.actors import get_linker

    linker = linker or get_linker()
    sentences = read_gold(articles_dir)
    counts: dict[str, dict[str, Counter[str]]] = {mode: {t: Counter() for t in (*TYPES, "all")}
                                                  for mode in ("exact", "lenient")}
    missed: Counter[tuple[str, str]] = Counter()
    spurious: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str, str], str] = {}
    unknown_ids: Counter[str] = Counter()
    for where, text, gold in sentences:
        pred = [_Span(m.start, m.end, m.entity_id, m.text) for m in linker.link(text)]
        for g in gold:
            if g.id not in linker.catalogue:
                unknown_ids[g.id] += 1
        for mode in ("exact", "lenient"):
            mg, mp = _match(gold, pred, lenient=mode == "lenient")
            for i, g in enumerate(gold):
                for t in (actor_type_of(g.id), "all"):
                    if t in counts[mode]:
                        counts[mode][t]["gold"] += 1
                        counts[mode][t]["tp_gold"] += i in mg
            for j, p in enumerate(pred):
                for t in (actor_type_of(p.id), "all"):
                    if t in counts[mode]:
                        counts[mode][t]["pred"] += 1
                        counts[mode][t]["tp_pred"] += j in mp
            if mode == "exact":
                for i, g in enumerate(gold):
                    if i not in mg:
                        missed[(g.text, g.id)] += 1
                        examples.setdefault(("missed", g.text, g.id), f"{where}: {text}")
                for j, p in enumerate(pred):
                    if j not in mp:
                        spurious[(p.text, p.id)] += 1
                        examples.setdefault(("spurious", p.text, p.id), f"{where}: {text}")
    result: dict[str, Any] = {"sentences": len(sentences)}
    for mode in ("exact", "lenient"):
        result[mode] = {t: _prf(c["tp_pred"], c["pred"], c["tp_gold"], c["gold"]) for t, c in counts[mode].items()}
    result["missed"] = [{"text": t, "id": i, "count": n, "example": examples[("missed", t, i)]}
                        for (t, i), n in missed.most_common(max_errors)]
    result["spurious"] = [{"text": t, "id": i, "count": n, "example": examples[("spurious", t, i)]}
                          for (t, i), n in spurious.most_common(max_errors)]
    result["gold_ids_missing_from_catalogue"] = dict(unknown_ids.most_common())
    return result


def format_table(result: dict[str, Any]) -> str:
    lines = [f"linking on {result['sentences']} sentences (exact: same span and id; lenient: overlap and id)",
             f"{'type':<14}{'gold':>6}{'pred':>6}{'P exact':>9}{'R exact':>9}{'F1 exact':>9}"
             f"{'P lenient':>11}{'R lenient':>11}"]
    for t in (*TYPES, "all"):
        e, le = result["exact"][t], result["lenient"][t]
        lines.append(f"{t:<14}{e['gold']:>6}{e['predicted']:>6}{e['precision']:>9.3f}{e['recall']:>9.3f}"
                     f"{e['f1']:>9.3f}{le['precision']:>11.3f}{le['recall']:>11.3f}")
    return "\n".join(lines)


def _format_errors(result: dict[str, Any]) -> Iterable[str]:
    for kind in ("missed", "spurious"):
        if result[kind]:
            yield f"\nmost frequent {kind} mentions (exact):"
            for row in result[kind]:
                yield f"  {row['count']:>3}  {row['text']!r} -> {row['id']}    e.g. {row['example'][:160]}"
    if result["gold_ids_missing_from_catalogue"]:
        yield f"\ngold ids not in the catalogue: {result['gold_ids_missing_from_catalogue']}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES, help="folder of corpus *.jsonl files")
    parser.add_argument("--errors", type=int, default=20, help="how many frequent errors to list (0: none)")
    parser.add_argument("--json", type=Path, default=None, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    try:
        result = evaluate_linking(args.articles, max_errors=args.errors)
    except (FileNotFoundError, ValueError) as err:
        print(f"linking_eval: {err}", file=sys.stderr)
        return 2
    print(format_table(result))
    if args.errors:
        for line in _format_errors(result):
            print(line)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
