"""`stance analyze`: raw text from a file or standard input -> the per-sentence actor analysis, JSON or a table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def read_documents(source: str | None, lines: bool) -> list[str]:
    if source in (None, "-"):
        text = sys.stdin.read()
        where = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        text = path.read_text(encoding="utf-8")
        where = str(path)
    documents = [line for line in text.splitlines() if line.strip()] if lines else [text]
    if not documents or not any(d.strip() for d in documents):
        raise ValueError(f"{where} holds no text to analyse")
    return documents


def run_analyze(args: argparse.Namespace) -> int:
    from stance.analysis import analyze
    from stance.predictor import Predictor
    from stance.render import render

    documents = read_documents(args.input, args.lines)  # read first: a missing file fails before the model loads
    predictor = Predictor.load(args.model, backend=getattr(args, "backend", "auto"))
    results = analyze(documents, predictor, ner=args.ner)
    if args.format == "json":
        payload = [doc.to_dict() for doc in results]
        print(json.dumps(payload if args.lines else payload[0], indent=2, ensure_ascii=False))
    else:
        print(render(results))
    return 0
