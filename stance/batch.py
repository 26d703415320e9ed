"""Batch analysis of article collections: JSONL or Parquet in, Parquet tables out, resumable, bad rows set aside.

The engine-independent part (reading and checking articles, turning `analyze` output into table rows, the table
schemas) is shared by the local engine here and the Spark engine (`stance.batch_spark`), so both write the same rows.

Output folder OUT:
- one folder per table (TABLES), each a set of Parquet part files (`part-00000.parquet`, ...), readable as one
  table with `pandas.read_parquet(OUT / "pairs")`; every row carries `model_version`;
- `errors` is a table too (row, id, reason, detail); `errors.jsonl` is written from it when a run finishes;
- `manifest.jsonl` (local engine): a header line, then one line per committed chunk (its part number, the ids it
  analysed, the input rows it rejected). A chunk is committed by writing its part files under temporary names,
  renaming them into place, then appending its manifest line; a restart drops part files the manifest does not
  name and skips the ids and rows it does, so a kill loses at most the chunk in flight and never duplicates a row.

Bad rows (reason): bad_json, bad_encoding (undecodable bytes, which read as U+FFFD, or lone surrogates),
missing_id, empty_text, bad_text (not a string), too_long (over `max_chars` characters), duplicate_id (an id seen
at an earlier row; the first row keeps it), analysis_failed. `row` is the 0-based line (JSONL) or row (Parquet).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.labels import Stance, Task, label_names

FORMAT = "stance.batch/1"
DEFAULT_CHUNK_SIZE = 64
DEFAULT_MAX_CHARS = 100_000
MANIFEST = "manifest.jsonl"
KNOWN_FIELDS = ("id", "text", "date", "source")

_STANCES = label_names(Task.STANCE)
_SENTIMENTS = label_names(Task.SENTIMENT)
_HELD = [s.value for s in Stance if s is not Stance.NEUTRAL]

# Column types: string, int64, float64, list<int64>, list<string>; every column is nullable.
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "documents": [("id", "string"), ("row", "int64"), ("date", "string"), ("source", "string"),
                  ("extra", "string"), ("length", "int64"), ("sentences", "int64"), ("actors", "int64"),
                  ("relations", "int64"), ("schema", "string"), ("model_version", "string")],
    "sentences": [("id", "string"), ("sentence", "int64"), ("start", "int64"), ("end", "int64"),
                  ("text", "string"), ("actors", "int64"), ("pairs", "int64"), ("capped", "list<string>"),
                  ("model_version", "string")],
    "pairs": [("id", "string"), ("sentence", "int64"), ("holder", "string"), ("target", "string"),
              ("label", "string"), *[(f"p_{n}", "float64") for n in _STANCES], ("model_version", "string")],
    "sentence_actors": [("id", "string"), ("sentence", "int64"), ("actor", "string"), ("name", "string"),
                        ("type", "string"), ("mentions", "int64"), ("sentiment", "string"),
                        *[(f"p_{n}", "float64") for n in _SENTIMENTS], ("stance", "string"), ("toward", "string"),
                        ("stance_probability", "float64"), ("model_version", "string")],
    "actors": [("id", "string"), ("actor", "string"), ("name", "string"), ("type", "string"),
               ("mentions", "int64"), ("sentences", "list<int64>"),
               *[(f"holds_{n}", "int64") for n in _HELD], *[(f"receives_{n}", "int64") for n in _HELD],
               *[(f"sentiment_{n}", "int64") for n in _SENTIMENTS], ("sentiment", "string"),
               *[(f"p_{n}", "float64") for n in _SENTIMENTS], ("model_version", "string")],
    "relations": [("id", "string"), ("holder", "string"), ("holder_name", "string"), ("target", "string"),
                  ("target_name", "string"), ("stance", "string"), ("count", "int64"),
                  ("sentences", "list<int64>"), ("strength_max", "float64"), ("strength_mean", "float64"),
                  ("model_version", "string")],
    "errors": [("row", "int64"), ("id", "string"), ("reason", "string"), ("detail", "string"),
               ("model_version", "string")],
}
TABLES = tuple(SCHEMAS)


class BatchError(ValueError):
    """A batch that cannot start (unreadable input, an output folder of another model); one clear message."""


@dataclass(frozen=True, slots=True)
class Article:
    row: int
    id: str
    text: str
    date: str | None = None
    source: str | None = None
    extra: str = "{}"  # the input's other fields, as a JSON object


@dataclass(frozen=True, slots=True)
class BadRow:
    row: int
    id: str | None
    reason: str
    detail: str

    def to_row(self, model_version: str) -> dict[str, Any]:
        return {"row": self.row, "id": self.id, "reason": self.reason, "detail": self.detail,
                "model_version": model_version}


# --- reading and checking ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Values from pyarrow, pandas or numpy as plain Python (so both engines serialise them alike)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)) and getattr(value, "ndim", 0) == 0:
        value = value.item()  # numpy scalar
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # numpy array
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def _as_text(value: Any) -> str | None:
    value = _plain(value)
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _bad_encoding(text: str) -> bool:
    if "\ufffd" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a JSON "\ud800" escape
        return True
    return False


def parse_record(row: int, obj: Any, max_chars: int = DEFAULT_MAX_CHARS) -> Article | BadRow:
    """One input record (a JSON object or a Parquet row) -> an Article, or a BadRow saying why not."""
    if not isinstance(obj, Mapping):
        return BadRow(row, None, "bad_json", f"expected a JSON object, got {type(obj).__name__}")
    raw_id = _plain(obj.get("id"))
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if not isinstance(raw_id, str) or not raw_id.strip():
        return BadRow(row, None, "missing_id", f"'id' must be a non-empty string or an integer, got {raw_id!r}")
    if _bad_encoding(raw_id):
        return BadRow(row, None, "bad_encoding", "the id holds undecodable characters")
    text = _plain(obj.get("text"))
    if text is None or (isinstance(text, str) and not text.strip()):
        return BadRow(row, raw_id, "empty_text", "'text' is missing or blank")
    if not isinstance(text, str):
        return BadRow(row, raw_id, "bad_text", f"'text' must be a string, got {type(text).__name__}")
    if _bad_encoding(text):
        return BadRow(row, raw_id, "bad_encoding", "the text holds undecodable characters (U+FFFD or surrogates)")
    if len(text) > max_chars:
        return BadRow(row, raw_id, "too_long", f"{len(text)} characters, over the limit of {max_chars}")
    extra = {str(k): _plain(v) for k, v in obj.items() if k not in KNOWN_FIELDS}
    return Article(row=row, id=raw_id, text=text, date=_as_text(obj.get("date")), source=_as_text(obj.get("source")),
                   extra=json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str))


def parse_line(row: int, line: str, max_chars: int = DEFAULT_MAX_CHARS) -> Article | BadRow | None:
    """One JSONL line (already decoded, undecodable bytes as U+FFFD) -> Article, BadRow, or None if blank."""
    line = line.rstrip("\r\n")
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        reason = "bad_encoding" if "\ufffd" in line else "bad_json"
        return BadRow(row, None, reason, f"not valid JSON: {err}")
    item = parse_record(row, obj, max_chars)
    if isinstance(item, Article) and "\ufffd" in line:  # bad bytes outside the text still mark the row
        return BadRow(row, item.id, "bad_encoding", "the line holds undecodable bytes")
    return item


def count_rows(path: str | Path) -> int | None:
    """Input rows for the progress bar: JSONL lines or Parquet rows (cheap: a byte scan or the footer)."""
    path = Path(path)
    if _is_parquet(path):
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(f).metadata.num_rows for f in _parquet_files(path))
    count = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def _is_parquet(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() in (".parquet", ".pq")


def _parquet_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.parquet") if not p.name.startswith((".", "_")))
    return [path]


def iter_articles(path: str | Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[Article | BadRow]:
    """Stream the input one record at a time (JSONL line by line, Parquet batch by batch): bounded memory."""
    path = Path(path)
    if not path.exists():
        raise BatchError(f"input {path} does not exist")
    if _is_parquet(path):
        import pyarrow.parquet as pq

        row = 0
        for file in _parquet_files(path):
            for batch in pq.ParquetFile(file).iter_batches(batch_size=1024):
                for obj in batch.to_pylist():
                    yield parse_record(row, obj, max_chars)
                    row += 1
        return
    with path.open("rb") as handle:
        for row, raw in enumerate(handle):
            item = parse_line(row, raw.decode("utf-8", errors="replace"), max_chars)
            if item is not None:
                yield item


class Deduplicator:
    """The first row with an id keeps it; a later article with the same id is a duplicate_id BadRow."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}

    def check(self, item: Article | BadRow) -> Article | BadRow:
        if item.id is None:
            return item
        first = self.first.setdefault(item.id, item.row)
        if isinstance(item, Article) and first != item.row:
            return BadRow(item.row, item.id, "duplicate_id", f"id {item.id!r} first seen at row {first}")
        return item


# --- analysis -> rows -------------------------------------------------------------------------------------------


@dataclass
class ChunkResult:
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in TABLES})
    ids: list[str] = field(default_factory=list)  # analysed ids
    error_rows: list[int] = field(default_factory=list)


def analyze_articles(articles: Sequence[Article], classifier: Any, model_version: str, *, ner: bool = False,
                     bad: Sequence[BadRow] = ()) -> ChunkResult:
    """Analyse a chunk in one `analyze` call (one model batch); an article that makes it fail is retried alone
    and, if it fails again, becomes an analysis_failed error. `bad` rows go to the errors table."""
    from stance.analysis import analyze

    result = ChunkResult()
    errors = list(bad)
    docs: list[tuple[Article, Any]] = []
    try:
        # every pair, neutral ones too: the pairs table is the full record an analyst filters later
        analysed = analyze([a.text for a in articles], classifier, ids=[a.id for a in articles], ner=ner,
                           include_neutral_pairs=True) if articles else []
        docs = list(zip(articles, analysed))
    except Exception:  # noqa: BLE001 - one bad article must not stop the chunk
        for article in articles:
            try:
                [doc] = analyze([article.text], classifier, ids=[article.id], ner=ner, include_neutral_pairs=True)
                docs.append((article, doc))
            except Exception as err:  # noqa: BLE001
                errors.append(BadRow(article.row, article.id, "analysis_failed", f"{type(err).__name__}: {err}"))
    for article, doc in docs:
        for table, rows in document_rows(article, doc, model_version).items():
            result.tables[table].extend(rows)
        result.ids.append(article.id)
    errors.sort(key=lambda e: e.row)
    result.tables["errors"] = [e.to_row(model_version) for e in errors]
    result.error_rows = [e.row for e in errors]
    return result


def document_rows(article: Article, doc: Any, model_version: str) -> dict[str, list[dict[str, Any]]]:
    """One `DocumentAnalysis` as rows of every table but errors."""
    v = model_version
    i = article.id
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES if t != "errors"}
    out["documents"].append({"id": i, "row": article.row, "date": article.date, "source": article.source,
                             "extra": article.extra, "length": doc.length, "sentences": len(doc.sentences),
                             "actors": len(doc.summary.actors), "relations": len(doc.summary.relations),
                             "schema": doc.schema_, "model_version": v})
    for s in doc.sentences:
        out["sentences"].append({"id": i, "sentence": s.index, "start": s.start, "end": s.end, "text": s.text,
                                 "actors": len(s.actors), "pairs": len(s.pairs),
                                 "capped": [a.id for a in s.pair_cap.excluded] if s.pair_cap else None,
                                 "model_version": v})
        for p in s.pairs:
            out["pairs"].append({"id": i, "sentence": s.index, "holder": p.holder.id, "target": p.target.id,
                                 "label": p.label, **{f"p_{n}": p.probabilities[n] for n in _STANCES},
                                 "model_version": v})
        for a in s.actors:
            st = a.stance
            out["sentence_actors"].append({
                "id": i, "sentence": s.index, "actor": a.id, "name": a.name, "type": a.type,
                "mentions": len(a.mentions), "sentiment": a.sentiment.label,
                **{f"p_{n}": a.sentiment.probabilities[n] for n in _SENTIMENTS},
                "stance": st.label if st else None, "toward": st.toward.id if st and st.toward else None,
                "stance_probability": st.probability if st else None, "model_version": v})
    for a in doc.summary.actors:
        out["actors"].append({"id": i, "actor": a.id, "name": a.name, "type": a.type, "mentions": a.mentions,
                              "sentences": list(a.sentences),
                              **{f"holds_{n}": getattr(a.stance.holds, n) for n in _HELD},
                              **{f"receives_{n}": getattr(a.stance.receives, n) for n in _HELD},
                              **{f"sentiment_{n}": a.sentiment.sentences[n] for n in _SENTIMENTS},
                              "sentiment": a.sentiment.label,
                              **{f"p_{n}": a.sentiment.probabilities[n] for n in _SENTIMENTS}, "model_version": v})
    for r in doc.summary.relations:
        out["relations"].append({"id": i, "holder": r.holder.id, "holder_name": r.holder.name,
                                 "target": r.target.id, "target_name": r.target.name, "stance": r.stance,
                                 "count": r.evidence_count, "sentences": [e.sentence for e in r.evidence],
                                 "strength_max": r.strength.max, "strength_mean": r.strength.mean,
                                 "model_version": v})
    return out


# --- the model and its version ----------------------------------------------------------------------------------


def load_predictor(source: str, *, batch_size: int = 64, backend: str | None = None) -> Any:
    """`Predictor.load`, passing `backend` through only when given (and only if this Predictor has one)."""
    import inspect

    from stance.predictor import Predictor

    options: dict[str, Any] = {"batch_size": batch_size}
    if backend is not None:
        if "backend" not in inspect.signature(Predictor.__init__).parameters:
            raise BatchError(f"--backend {backend!r}: this version of Predictor has no inference backends")
        options["backend"] = backend
    return Predictor.load(source, **options)


def resolve_model(source: str) -> tuple[str, str]:
    """(source to load, model version): `models:/NAME@ALIAS` is pinned to the version the alias names now, so a
    long batch (or every Spark executor) uses one model even if the alias moves; a folder is named by a digest."""
    if source.startswith("models:/"):
        name, sep, alias = source[len("models:/"):].partition("@")
        if sep:
            from mlflow import MlflowClient

            version = MlflowClient().get_model_version_by_alias(name, alias).version
            return f"models:/{name}/{version}", f"{name}/{version}"
        return source, source[len("models:/"):]
    if source.startswith(("runs:/", "m-", "mlflow-artifacts:/")):
        return source, source
    from stance.predictor import resolve_model_dir

    directory = resolve_model_dir(source)
    digest = hashlib.sha256()
    for name in sorted(p.name for p in directory.iterdir() if p.suffix in (".json", ".safetensors")):
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
    card = json.loads((directory / "stance_model.json").read_text(encoding="utf-8"))
    return source, f"{card.get('base_model', 'model')}@{digest.hexdigest()[:12]}"


# --- the local engine -------------------------------------------------------------------------------------------


def arrow_schema(table: str) -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(),
             "list<int64>": pa.list_(pa.int64()), "list<string>": pa.list_(pa.string())}
    return pa.schema([(name, types[kind]) for name, kind in SCHEMAS[table]])


@dataclass
class Summary:
    engine: str
    model_version: str
    articles: int = 0  # analysed in this run
    errors: int = 0  # bad rows found in this run
    skipped: int = 0  # ids and rows finished by an earlier run
    chunks: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        rate = self.articles / self.seconds if self.seconds else 0.0
        return {**self.__dict__, "articles_per_second": round(rate, 2)}


class Output:
    """The output folder of the local engine: part files per table and the append-only manifest."""

    def __init__(self, root: str | Path, model_version: str, input_path: str) -> None:
        self.root = Path(root)
        self.model_version = model_version
        self.done_ids: set[str] = set()
        self.done_rows: set[int] = set()
        self.next_part = 0
        self.root.mkdir(parents=True, exist_ok=True)
        self._recover(input_path)

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    def _recover(self, input_path: str) -> None:
        lines: list[dict[str, Any]] = []
        if self.manifest.is_file():
            for raw in self.manifest.read_text(encoding="utf-8").splitlines():
                try:
                    lines.append(json.loads(raw))
                except json.JSONDecodeError:  # a line torn by a kill: it and anything after never committed
                    break
        if lines and lines[0].get("model_version") != self.model_version:
            raise BatchError(f"{self.root} holds results of model {lines[0].get('model_version')!r}, not "
                             f"{self.model_version!r}; write to a new folder")
        if not lines:
            lines = [{"kind": "header", "format": FORMAT, "model_version": self.model_version,
                      "input": input_path}]
        parts = set()
        for line in lines[1:]:
            parts.add(int(line["part"]))
            self.done_ids.update(line["ids"])
            self.done_rows.update(line["error_rows"])
        self.next_part = max(parts, default=-1) + 1
        self._write_atomic(self.manifest, "".join(json.dumps(line) + "\n" for line in lines))
        for table in TABLES:  # part files of a chunk the manifest never committed, and temporary files
            folder = self.root / table
            folder.mkdir(exist_ok=True)
            for file in folder.iterdir():
                if file.name.startswith(".") or (file.name.startswith("part-") and _part_number(file) not in parts):
                    file.unlink()

    @staticmethod
    def _write_atomic(path: Path, text: str) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def commit(self, result: ChunkResult) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        part = self.next_part
        names = []
        for table in TABLES:
            tmp = self.root / table / f".part-{part:05d}.parquet.tmp"
            pq.write_table(pa.Table.from_pylist(result.tables[table], schema=arrow_schema(table)), tmp)
            names.append(tmp)
        for tmp in names:
            os.replace(tmp, tmp.with_name(tmp.name[1:-len(".tmp")]))
        line = {"kind": "chunk", "part": part, "ids": result.ids, "error_rows": result.error_rows}
        with self.manifest.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.done_ids.update(result.ids)
        self.done_rows.update(result.error_rows)
        self.next_part += 1

    def write_error_file(self) -> int:
        """errors.jsonl, from the errors table (every run's bad rows, in input order)."""
        import pyarrow.parquet as pq

        rows = []
        for file in sorted((self.root / "errors").glob("part-*.parquet")):
            rows.extend(pq.read_table(file).to_pylist())
        rows.sort(key=lambda r: r["row"])
        self._write_atomic(self.root / "errors.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return len(rows)


def _part_number(file: Path) -> int:
    try:
        return int(file.name.split("-")[1].split(".")[0])
    except (IndexError, ValueError):
        return -1


def run_local(input_path: str | Path, output: str | Path, classifier: Any, model_version: str, *,
              chunk_size: int = DEFAULT_CHUNK_SIZE, max_chars: int = DEFAULT_MAX_CHARS, ner: bool = False,
              progress: bool = True) -> Summary:
    """Analyse every article of `input_path` into `output`, one committed chunk at a time; resumes a stopped run."""
    import time

    from tqdm import tqdm

    if chunk_size < 1:
        raise BatchError(f"chunk size must be at least 1, got {chunk_size}")
    started = time.perf_counter()
    out = Output(output, model_version, str(Path(input_path).resolve()))
    total = count_rows(input_path) if Path(input_path).exists() else None
    remaining = None if total is None else max(total - len(out.done_ids) - len(out.done_rows), 0)
    summary = Summary(engine="local", model_version=model_version)
    dedup = Deduplicator()
    pending: list[Article] = []
    bad: list[BadRow] = []
    bar = tqdm(total=remaining, unit="article", disable=not progress, dynamic_ncols=True, smoothing=0.1)

    def flush() -> None:
        result = analyze_articles(pending, classifier, model_version, ner=ner, bad=bad)
        out.commit(result)
        summary.articles += len(result.ids)
        summary.errors += len(result.error_rows)
        summary.chunks += 1
        bar.update(len(pending) + len(bad))
        bar.set_postfix(errors=summary.errors, skipped=summary.skipped, refresh=False)
        pending.clear()
        bad.clear()

    try:
        for item in iter_articles(input_path, max_chars):
            item = dedup.check(item)
            if item.row in out.done_rows or (isinstance(item, Article) and item.id in out.done_ids):
                summary.skipped += 1
                continue
            if isinstance(item, BadRow):
                bad.append(item)
            else:
                pending.append(item)
            if len(pending) >= chunk_size or len(bad) >= 10 * chunk_size:
                flush()
        if pending or bad:
            flush()
    finally:
        bar.close()
    out.write_error_file()
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


__all__ = ["FORMAT", "SCHEMAS", "TABLES", "Article", "BadRow", "BatchError", "ChunkResult", "Deduplicator",
           "Summary", "analyze_articles", "document_rows", "iter_articles", "load_predictor", "parse_line",
           "parse_record", "resolve_model", "run_local"]
