"""A news archive for `stance batch`, built from the project's corpus: every article as raw text, plus variants.

    python -m training.articles OUT.jsonl [--copies 2] [--bad-rows]

Each corpus article becomes one JSONL record: `id`, `text` (the headline, a blank line, the sentences), `date`
(a synthetic day, so the column is exercised), `source` and the corpus's `region` and `topic` (extra columns that
batch output carries through). Copy k > 0 of an article is its lead (headline and first 2 + k sentences) under the
id `<id>~lead<k>`: the 190 corpus articles give 380 records with the default 2 copies. `--bad-rows` appends one row
per kind of bad input (empty text, missing id, duplicate id, over-long text, invalid JSON, bad encoding).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from training.corpus import CORPUS_DIR, iter_articles


def archive_records(copies: int = 2, root: Path = CORPUS_DIR) -> Iterator[dict[str, Any]]:
    day = dt.date(2025, 1, 1)
    for n, (_, _, article) in enumerate(iter_articles(root)):
        sentences = [s["text"] for s in article["sentences"]]
        for k in range(copies):
            body = sentences if k == 0 else sentences[: 2 + k]
            yield {"id": article["id"] if k == 0 else f"{article['id']}~lead{k}",
                   "text": article["headline"] + "\n\n" + " ".join(body),
                   "date": (day + dt.timedelta(days=n % 365)).isoformat(), "source": "ir-corpus",
                   "region": article["region"], "topic": article["topic"]}


def bad_lines(max_chars: int = 100_000) -> list[bytes]:
    """One line per kind of bad row (the duplicate repeats the first corpus article's id)."""
    first = next(archive_records(1))
    rows: list[Any] = [
        {"id": "bad-empty", "text": "   "},
        {"text": "An article without an id."},
        {**first, "text": "A second article under an id already used."},
        {"id": "bad-long", "text": "Iran said so. " * (max_chars // 14 + 1)},
    ]
    lines = [json.dumps(r).encode() for r in rows]
    lines.append(b'{"id": "bad-json", "text": "unterminated')
    lines.append(b'{"id": "bad-bytes", "text": "Iran \xff\xfe accused Baku."}')
    return lines


def write_archive(path: str | Path, copies: int = 2, bad_rows: bool = False, limit: int | None = None) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("wb") as handle:
        for record in archive_records(copies):
            if limit is not None and count >= limit:
                break
            handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
            count += 1
        if bad_rows:
            for line in bad_lines():
                handle.write(line + b"\n")
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output")
    parser.add_argument("--copies", type=int, default=2, help="records per corpus article (1 = the articles only)")
    parser.add_argument("--bad-rows", action="store_true", help="append one bad row of each kind")
    parser.add_argument("--limit", type=int, default=None, help="at most this many good records")
    args = parser.parse_args()
    print(f"wrote {write_archive(args.output, args.copies, args.bad_rows, args.limit)} lines to {args.output}")


if __name__ == "__main__":
    main()
