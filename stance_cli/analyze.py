"""`stance analyze`: raw text -> who is supportive or hostile toward whom, how sure, and where it says so.

Input: text files (one document each), standard input, `--lines` (one document per non-empty line), or a JSONL of
articles (`.jsonl`: one object a line with `id`, `text`, optional `date` and `source`). One document: its summary
(relations with confidence and an evidence snippet, then actors; sentences with `--sentences`). Several documents:
the relations aggregated across them (documents per relation, and per date when dates are given).
Output: `--format table` (default), `json` (with the model block) or `html` (`-o FILE`: one self-contained report
with the relation graph).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    name: str  # how the output names it: the file name, "standard input", "<file>:<line>"
    date: str | None = None
    source: str | None = None


def _read(source: str) -> tuple[str, str]:
    if source == "-":
        return sys.stdin.read(), "standard input"
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    return path.read_text(encoding="utf-8"), path.name


def _jsonl_articles(text: str, name: str) -> list[Article]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{name}:{n}: not JSON ({err.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
            raise ValueError(f"{name}:{n}: an article must be an object with a non-empty 'text' (and 'id', "
                             f"optional 'date', 'source')")
        for key in ("id", "date", "source"):
            if row.get(key) is not None and not isinstance(row[key], (str, int)):
                raise ValueError(f"{name}:{n}: '{key}' must be a string, got {type(row[key]).__name__}")
        article_id = str(row.get("id") if row.get("id") is not None else f"{name}:{n}")
        out.append(Article(article_id, row["text"], f"{name}:{n} ({article_id})",
                           None if row.get("date") is None else str(row["date"]),
                           None if row.get("source") is None else str(row["source"])))
    return out


def read_articles(sources: list[str] | None, lines: bool) -> list[Article]:
    articles: list[Article] = []
    for source in sources or ["-"]:
        text, name = _read(source)
        if source.endswith(".jsonl"):
            articles += _jsonl_articles(text, name)
        elif lines:
            articles += [Article(f"{name}:{n}", line, f"{name}:{n}")
                         for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        elif text.strip():
            articles.append(Article(name, text, name))
        if not articles or not any(a.text.strip() for a in articles):
            raise ValueError(f"{name} holds no text to analyse")
    seen: set[str] = set()
    for a in articles:
        if a.id in seen:
            raise ValueError(f"two documents have the id {a.id!r}; ids must be unique")
        seen.add(a.id)
    return articles


def model_block(predictor: Any, source: str) -> dict[str, Any]:
    return {"path": str(source), "base_model": predictor.card.base_model, "max_length": predictor.card.max_length}


def run_analyze(args: argparse.Namespace) -> int:
    from stance.analysis import aggregate, analyze
    from stance.predictor import Predictor
    from stance.render import render, render_corpus, render_html

    inputs = args.input if isinstance(args.input, list) else ([args.input] if args.input else None)
    articles = read_articles(inputs, args.lines)  # read first: a missing file fails before the model loads
    if args.format == "html" and not args.output:
        raise ValueError("--format html writes a file: give it with -o FILE")
    predictor = Predictor.load(args.model, backend=getattr(args, "backend", "auto"))
    model = model_block(predictor, args.model)
    results = analyze([a.text for a in articles], predictor, ner=args.ner, ids=[a.id for a in articles],
                      include_neutral_pairs=args.neutral_pairs)
    many = len(articles) > 1
    corpus = (aggregate(results, [a.date for a in articles], [a.source for a in articles]) if many else None)
    head = (f"{', '.join(dict.fromkeys(a.name.split(':')[0] for a in articles))} · {len(articles)} "
            f"document{'s' * many} · model {args.model} ({predictor.card.base_model})")
    if args.format == "json":
        payload: dict[str, Any] = {"model": model, "documents": [doc.to_dict() for doc in results]}
        if corpus is not None:
            payload["corpus"] = corpus.to_dict()
        text = json.dumps(payload, indent=2, ensure_ascii=False)
    elif args.format == "html":
        payload = {"model": model, "documents": [doc.to_dict() for doc in results],
                   "texts": [a.text for a in articles], "titles": [a.name for a in articles]}
        if corpus is not None:
            payload["corpus"] = corpus.to_dict()
            if not args.sentences:  # many documents: the aggregate graph, each document only on request
                payload.pop("documents"), payload.pop("texts"), payload.pop("titles")
        text = render_html(payload, f"stance analysis: {head}")
    else:
        parts = [head, ""]
        if corpus is not None:
            parts += [render_corpus(corpus, documents=results), ""]
        if not many or args.sentences:
            parts.append(render(results, titles=[a.name for a in articles], sentences=args.sentences))
        text = "\n".join(parts).rstrip()
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0
