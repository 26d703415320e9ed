"""Adapters: the shared public files and the project's JSONL into canonical records and `datasets.Dataset`s.

Every adapter yields `PairRecord`s (so the same validation applies to every source) and `to_dataset` flattens them
into one schema. A missing file or a malformed line raises `DataError` naming the file and the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.labels import Sentiment, Stance, Task
from stance.records import PairRecord, RecordError, Span, iter_jsonl, json_lines
from stance.settings import DATA_DIR_ENV, data_dir


class DataError(ValueError):
    """A data file that is missing or malformed; the message names the file and line."""


# directed-sentiment label -> (p->q, q->p); TASK.md's mapping
DIRECTED_LABELS: dict[str, tuple[Stance, Stance]] = {
    "0": (Stance.NEUTRAL, Stance.NEUTRAL),
    "1": (Stance.SUPPORTIVE, Stance.NEUTRAL),
    "2": (Stance.NEUTRAL, Stance.SUPPORTIVE),
    "3": (Stance.HOSTILE, Stance.NEUTRAL),
    "4": (Stance.NEUTRAL, Stance.HOSTILE),
}
NEWSMTSC_POLARITY: dict[float, Sentiment] = {2.0: Sentiment.NEGATIVE, 4.0: Sentiment.NEUTRAL, 6.0: Sentiment.POSITIVE}
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")


def read_directed(path: str | Path) -> Iterator[PairRecord]:
    """Park et al.'s `sentence<TAB>p<TAB>q<TAB>label` rows; each row gives the two directed pairs p->q and q->p."""
    path = _existing(path)
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 4:
                raise DataError(f"{path}:{lineno}: expected 4 tab-separated fields, found {len(fields)}")
            sentence, p, q, label = fields
            if label not in DIRECTED_LABELS:
                raise DataError(f"{path}:{lineno}: label {label!r} is not one of {sorted(DIRECTED_LABELS)}")
            parsed = _unbracket(sentence, p, q) or _unbracket(*(_csv_unquote(f) for f in (sentence, p, q)))
            if parsed is None:
                raise DataError(f"{path}:{lineno}: the entities {p!r} and {q!r} are not both marked [..] in the sentence")
            text, span_p, span_q = parsed
            forward, backward = DIRECTED_LABELS[label]
            stem = f"{path.stem}-{lineno}"
            try:
                yield PairRecord(f"{stem}-pq", text, holder=span_p, target=span_q, label=forward.value)
                yield PairRecord(f"{stem}-qp", text, holder=span_q, target=span_p, label=backward.value)
            except RecordError as err:
                raise DataError(f"{path}:{lineno}: {err}") from None


def _unbracket(sentence: str, p: str, q: str) -> tuple[str, Span, Span] | None:
    """Remove the two [..] markers; spans are kept exactly as marked, even when they cut a word ([Los Angele]s)."""
    matches = list(_BRACKETED.finditer(sentence))
    if len(matches) != 2 or {m.group(1).strip() for m in matches} != {p.strip(), q.strip()}:
        return None
    text_parts, spans, cursor, removed = [], [], 0, 0
    for match in matches:
        text_parts.append(sentence[cursor : match.start()])
        inner = match.group(1)
        # a few rows pad the name inside the brackets ("[ Juror]s"): the span covers the name only
        start = match.start() - removed + (len(inner) - len(inner.lstrip()))
        spans.append((inner.strip(), Span(start, start + len(inner.strip()))))
        text_parts.append(match.group(1))
        cursor = match.end()
        removed += 2
    text_parts.append(sentence[cursor:])
    (first_text, first), (_, second) = spans
    span_p, span_q = (first, second) if first_text == p.strip() else (second, first)
    return "".join(text_parts), span_p, span_q


def _csv_unquote(field: str) -> str:
    """Some rows were written CSV-quoted ("..."" ...""..."): undo that quoting."""
    if len(field) >= 2 and field.startswith('"') and field.endswith('"'):
        field = field[1:-1]
    return field.replace('""', '"')


def read_newsmtsc(path: str | Path) -> Iterator[PairRecord]:
    """NewsMTSC JSONL: one sentence per line with its targets; polarity 2/4/6 -> negative/neutral/positive."""
    path = _existing(path)
    for lineno, obj in _json_lines(path):
        try:
            text = obj["sentence_normalized"]
            targets = obj["targets"]
        except (KeyError, TypeError) as err:
            raise DataError(f"{path}:{lineno}: not a NewsMTSC sentence ({type(err).__name__}: {err})") from None
        for number, target in enumerate(targets):
            try:
                polarity = NEWSMTSC_POLARITY[float(target["polarity"])]
                record = PairRecord(
                    f"{path.stem}-{lineno}-{number}", text, target=Span(target["from"], target["to"]),
                    label=polarity.value,
                )
            except (KeyError, TypeError, ValueError) as err:
                raise DataError(f"{path}:{lineno}: target {number}: {type(err).__name__}: {err}") from None
            yield record


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        yield from json_lines(path)
    except RecordError as err:
        raise DataError(str(err)) from None


def read_records(path: str | Path) -> Iterator[PairRecord]:
    """A JSONL file of canonical labelled records (TASK.md)."""
    try:
        yield from iter_jsonl(_existing(path), require_label=True)
    except RecordError as err:
        raise DataError(str(err)) from None


def read_corpus(path: str | Path) -> Iterator[PairRecord]:
    """The project's article JSONL (datasets/ir-corpus): a stance record per labelled ordered pair, holder and
    target at each actor's first mention in the sentence, and a sentiment record per mention."""
    path = _existing(path)
    for lineno, article in _json_lines(path):
        try:
            yield from _corpus_records(article)
        except (KeyError, TypeError, RecordError) as err:
            raise DataError(f"{path}:{lineno}: {type(err).__name__}: {err}") from None


def _corpus_records(article: dict[str, Any]) -> Iterator[PairRecord]:
    for index, sentence in enumerate(article["sentences"]):
        stem = f"{article['id']}-s{index}"
        text = sentence["text"]
        first: dict[str, Span] = {}
        for number, mention in enumerate(sentence["mentions"]):
            span = Span(mention["start"], mention["end"])
            first.setdefault(mention["actor"], span)
            yield PairRecord(f"{stem}-m{number}", text, target=span, label=mention["sentiment"])
        for pair in sentence["stances"]:
            holder, target = pair["holder"], pair["target"]
            yield PairRecord(
                f"{stem}-{holder}>{target}", text, holder=first[holder], target=first[target], label=pair["stance"]
            )


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        hint = f" (set {DATA_DIR_ENV} to the folder of the public data)" if "shared" in str(path) else ""
        raise DataError(f"data file not found: {path}{hint}")
    return path


# --- named sources: what a config refers to -------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    name: str
    task: Task
    path: Callable[[], Path]
    reader: Callable[[Path], Iterable[PairRecord]]


def _shared(*parts: str) -> Callable[[], Path]:
    return lambda: data_dir().joinpath(*parts)


def _corpus_splits_file() -> Path:
    from training.corpus import CORPUS_DIR

    return CORPUS_DIR / "splits.json"


def read_corpus_split(split: str) -> Callable[[Path], Iterator[PairRecord]]:
    """Records of one split of the project's corpus (articles filtered by splits.json)."""

    def reader(_: Path) -> Iterator[PairRecord]:
        from training.corpus import split_articles

        for article in split_articles(split):
            try:
                yield from _corpus_records(article)
            except (KeyError, TypeError, RecordError) as err:
                raise DataError(f"corpus article {article.get('id')!r}: {type(err).__name__}: {err}") from None

    return reader


SOURCES: dict[str, Source] = {
    "directed:train": Source("directed:train", Task.STANCE, _shared("directed-sentiment", "train.txt"), read_directed),
    "directed:valid": Source("directed:valid", Task.STANCE, _shared("directed-sentiment", "valid.txt"), read_directed),
    "newsmtsc:train": Source("newsmtsc:train", Task.SENTIMENT, _shared("newsmtsc", "train.jsonl"), read_newsmtsc),
    "newsmtsc:dev-rw": Source("newsmtsc:dev-rw", Task.SENTIMENT, _shared("newsmtsc", "dev-rw.jsonl"), read_newsmtsc),
    "newsmtsc:dev-mt": Source("newsmtsc:dev-mt", Task.SENTIMENT, _shared("newsmtsc", "dev-mt.jsonl"), read_newsmtsc),
    **{
        f"ir:{split}": Source(f"ir:{split}", Task.STANCE, _corpus_splits_file, read_corpus_split(split))
        for split in ("train", "dev", "test")
    },
}


def resolve_source(name: str) -> tuple[str, Path, Callable[[Path], Iterable[PairRecord]]]:
    """A named source (`directed:train`) or a path to a JSONL file of canonical records or corpus articles."""
    if name in SOURCES:
        source = SOURCES[name]
        return name, source.path(), source.reader
    path = Path(name)
    if path.suffix != ".jsonl":
        raise DataError(f"unknown data source {name!r}: use one of {sorted(SOURCES)} or a .jsonl file")
    return path.stem, path, _sniff_reader(path)


def _sniff_reader(path: Path) -> Callable[[Path], Iterable[PairRecord]]:
    """Articles (with 'sentences') or canonical records, told apart by the first line."""
    path = _existing(path)
    with path.open(encoding="utf-8") as handle:
        first = next((line for line in handle if line.strip()), "")
    return read_corpus if '"sentences"' in first else read_records


def load_records(name: str, limit: int | None = None) -> list[PairRecord]:
    """All records of a source, or a seeded sample of `limit` of them from the whole file (never its head: the public
    directed-stance file is sorted by label, so its first 14,000 records are all neutral)."""
    _, path, reader = resolve_source(name)
    records = list(reader(path))
    return records if limit is None else seeded_sample(records, limit)


def seeded_sample(records: list[PairRecord], limit: int, seed: int = 0) -> list[PairRecord]:
    """A seeded random sample of `limit` records in file order. Random, not every k-th: a stride can alias with
    the file's structure (each directed row gives a p->q and a q->p record; an even stride takes only one)."""
    import random

    if limit < 1:
        raise ValueError(f"a record limit must be at least 1, got {limit}")
    if len(records) <= limit:
        return records
    keep = sorted(random.Random(seed).sample(range(len(records)), limit))
    return [records[i] for i in keep]


def to_dataset(records: Iterable[PairRecord]) -> Any:
    """Flatten canonical records into a `datasets.Dataset` with one fixed schema (holder columns null for sentiment)."""
    import datasets

    rows: dict[str, list[Any]] = {k: [] for k in (
        "id", "text", "task", "holder_start", "holder_end", "target_start", "target_end", "label")}
    for record in records:
        rows["id"].append(record.id)
        rows["text"].append(record.text)
        rows["task"].append(record.task.value)
        rows["holder_start"].append(None if record.holder is None else record.holder.start)
        rows["holder_end"].append(None if record.holder is None else record.holder.end)
        rows["target_start"].append(record.target.start)
        rows["target_end"].append(record.target.end)
        rows["label"].append(record.label)
    features = datasets.Features({
        "id": datasets.Value("string"), "text": datasets.Value("string"), "task": datasets.Value("string"),
        "holder_start": datasets.Value("int32"), "holder_end": datasets.Value("int32"),
        "target_start": datasets.Value("int32"), "target_end": datasets.Value("int32"),
        "label": datasets.Value("string"),
    })
    return datasets.Dataset.from_dict(rows, features=features)


def from_dataset(dataset: Any) -> list[PairRecord]:
    """The inverse of `to_dataset`."""
    out = []
    for row in dataset:
        holder = None if row["holder_start"] is None else Span(row["holder_start"], row["holder_end"])
        out.append(PairRecord(row["id"], row["text"], target=Span(row["target_start"], row["target_end"]),
                              holder=holder, label=row["label"]))
    return out
