"""The Spark engine of `stance batch`: the same rows as the local engine, computed by `mapInPandas` on executors.

Plan: read the input (JSONL as text lines, or Parquet) with a row number -> parse and check every row with the
local engine's own functions -> mark duplicate ids (the first row keeps an id) -> analyse the good rows with
`mapInPandas`, one Arrow batch (`chunk_size` articles) per `analyze` call, the model loaded once per Python worker
and cached -> one long (table, JSON row) frame, persisted -> each table decoded with its schema and written as
Parquet. A Spark job is all or nothing: a failed job is rerun whole (no manifest, no resume).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stance.batch import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_CHARS,
    SCHEMAS,
    TABLES,
    Article,
    BadRow,
    BatchError,
    Summary,
    analyze_articles,
    parse_line,
    parse_record,
)

_SPARK_TYPES = {"string": "string", "int64": "bigint", "float64": "double", "list<int64>": "array<bigint>",
                "list<string>": "array<string>"}
PARSED = "row bigint, id string, text string, date string, source string, extra string, reason string, detail string"
_PREDICTORS: dict[tuple[str, int, str | None], Any] = {}


def spark_schema(table: str) -> str:
    return ", ".join(f"`{name}` {_SPARK_TYPES[kind]}" for name, kind in SCHEMAS[table])


def session(master: str | None, app: str = "stance-batch") -> Any:
    """A SparkSession whose Python workers run this interpreter and reach the same MLflow tracking store."""
    from pyspark.sql import SparkSession

    from stance.settings import tracking_uri

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app).config("spark.ui.enabled", "false") \
        .config("spark.ui.showConsoleProgress", "false") \
        .config("spark.sql.session.timeZone", "UTC") \
        .config("spark.executorEnv.MLFLOW_TRACKING_URI", tracking_uri()) \
        .config("spark.executorEnv.PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    if master:
        builder = builder.master(master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark_master = spark.sparkContext.master
    assert spark_master is not None  # SparkContext refuses to start without spark.master
    if not spark_master.startswith("local"):  # executors elsewhere get this code as a zip
        spark.sparkContext.addPyFile(_package_zip())
    return spark


def _package_zip() -> str:
    import shutil
    import tempfile

    package = Path(__file__).resolve().parent
    base = Path(tempfile.mkdtemp(prefix="stance-code-")) / "stance"
    return shutil.make_archive(str(base), "zip", root_dir=package.parent, base_dir=package.name)


def _parse_partition(rows: Iterator[Any], fmt: str, max_chars: int) -> Iterator[tuple]:
    for row, index in rows:
        if fmt == "jsonl":
            item = parse_line(index, row[0] or "", max_chars)
            if item is None:
                continue
        else:
            item = parse_record(index, row.asDict(recursive=True), max_chars)
        if isinstance(item, BadRow):
            yield (item.row, item.id, None, None, None, None, item.reason, item.detail)
        else:
            yield (item.row, item.id, item.text, item.date, item.source, item.extra, None, None)


def _predictor(source: str, batch_size: int, backend: str | None) -> Any:
    """Once per Python worker (Spark reuses workers across tasks): load, and cache, the model."""
    key = (source, batch_size, backend)
    if key not in _PREDICTORS:
        from stance.batch import load_predictor

        _PREDICTORS[key] = load_predictor(source, batch_size=batch_size, backend=backend)
    return _PREDICTORS[key]


def _analyse_batches(frames: Iterator[Any], source: str, version: str, batch_size: int, backend: str | None,
                     ner: bool) -> Iterator[Any]:
    import pandas as pd
    import torch
    from pyspark import TaskContext

    context = TaskContext.get()
    torch.set_num_threads(max(1, context.cpus() if context else 1))  # one thread per task core: no oversubscription
    predictor = _predictor(source, batch_size, backend)
    for frame in frames:
        articles = [Article(row=int(r["row"]), id=r["id"], text=r["text"], date=r["date"], source=r["source"],
                            extra=r["extra"]) for r in frame.to_dict(orient="records")]
        result = analyze_articles(articles, predictor, version, ner=ner)
        yield pd.DataFrame({"table": [t for t in TABLES for _ in result.tables[t]],
                            "payload": [json.dumps(r, ensure_ascii=False) for t in TABLES for r in result.tables[t]]},
                           columns=["table", "payload"])


def run_spark(input_path: str, output: str, source: str, model_version: str, *, master: str | None = None,
              chunk_size: int = DEFAULT_CHUNK_SIZE, max_chars: int = DEFAULT_MAX_CHARS, batch_size: int = 64,
              backend: str | None = None, ner: bool = False, partitions: int | None = None,
              spark: Any = None) -> Summary:
    """Run the analysis as a Spark job; `output` gets one Parquet folder per table (overwritten)."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    started = time.perf_counter()
    own = spark is None
    spark = spark or session(master)
    try:
        fmt = "parquet" if Path(input_path).is_dir() or input_path.endswith((".parquet", ".pq")) else "jsonl"
        if not fmt == "parquet" and not Path(input_path).exists() and "://" not in input_path:
            raise BatchError(f"input {input_path} does not exist")
        raw = spark.read.text(input_path) if fmt == "jsonl" else spark.read.parquet(input_path)
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(chunk_size))
        # shuffles (duplicate check, repartition) move only ids and texts: a few partitions per core, not 200
        spark.conf.set("spark.sql.shuffle.partitions", str(partitions or 2 * spark.sparkContext.defaultParallelism))
        parsed = spark.createDataFrame(
            raw.rdd.zipWithIndex().mapPartitions(lambda rows: _parse_partition(rows, fmt, max_chars)), PARSED)
        first = F.min("row").over(Window.partitionBy("id"))
        duplicate = F.col("reason").isNull() & F.col("id").isNotNull() & (F.col("row") != first)
        checked = parsed.withColumn("detail", F.when(duplicate, F.concat(F.lit("id '"), F.col("id"),
                                                                          F.lit("' first seen at row "),
                                                                          first.cast("string")))
                                    .otherwise(F.col("detail"))) \
            .withColumn("reason", F.when(duplicate, F.lit("duplicate_id")).otherwise(F.col("reason"))) \
            .persist(StorageLevel.MEMORY_AND_DISK)
        good = checked.filter(F.col("reason").isNull()).drop("reason", "detail")
        n_good = good.count()
        n = partitions or max(spark.sparkContext.defaultParallelism, -(-n_good // (chunk_size * 8)))
        long = good.repartition(n, "id").mapInPandas(
            lambda frames: _analyse_batches(frames, source, model_version, batch_size, backend, ner),
            "table string, payload string").persist(StorageLevel.MEMORY_AND_DISK)
        counts: dict[str, int] = {}
        for table in TABLES:
            rows = long.filter(F.col("table") == table) \
                .select(F.from_json("payload", spark_schema(table)).alias("r")).select("r.*")
            if table == "errors":
                bad = checked.filter(F.col("reason").isNotNull()) \
                    .select("row", "id", "reason", "detail", F.lit(model_version).alias("model_version"))
                rows = rows.unionByName(bad)
            rows.write.mode("overwrite").parquet(f"{output.rstrip('/')}/{table}")
            counts[table] = spark.read.parquet(f"{output.rstrip('/')}/{table}").count()
        long.unpersist()
        checked.unpersist()
        if "://" not in output:
            errors = spark.read.parquet(f"{output}/errors").orderBy("row").toPandas()
            with open(Path(output) / "errors.jsonl", "w", encoding="utf-8") as handle:
                for record in errors.to_dict(orient="records"):
                    clean = {k: (None if v != v else v) for k, v in record.items()}  # NaN -> null
                    handle.write(json.dumps(clean, ensure_ascii=False, default=int) + "\n")
        return Summary(engine="spark", model_version=model_version, articles=counts["documents"],
                       errors=counts["errors"], chunks=n, seconds=round(time.perf_counter() - started, 2))
    finally:
        if own:
            spark.stop()
