"""The HTTP service: `bentoml serve serving.service:StanceService`.

Two BentoML services, so that adaptive batching works (a batchable API called from another API of the same service
deadlocks):

- `StanceModel` (internal): holds the model, loaded once at start-up from the BentoML store (`STANCE_BENTO_MODEL`,
  default `stance:latest`). `classify_batch` is batchable: the records of concurrent /classify requests are merged
  into one call. `predict` is a plain API, for the analysis of raw text (one call per request, all its pairs).
- `StanceService` (public): validates requests (serving/schemas.py), calls the model service through
  `bentoml.depends`, runs the raw-text analysis (`stance.analysis.analyze`), and names the model version in every
  response.

Under `bentoml serve` each service runs in its own process and the front reaches the model over a local socket;
in-process (tests: `StanceService.to_asgi()`) the dependency is a plain local instance.

The BentoML store is $BENTOML_HOME. `stance serve` (`make run`) sets it to `<repo>/models/bentoml`; a bare
`bentoml serve` must be given it (`BENTOML_HOME=models/bentoml bentoml serve ...`): the bentoml CLI opens its store
before it imports this module, so the module cannot choose it (and does not try: nothing happens at import).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import Any

import bentoml

from serving.schemas import (
    AnalyzeRequest,
    AnalyzeResponse,
    ClassifyRequest,
    ClassifyResponse,
    ModelInfo,
    RecordIn,
    over_limit,
    request_error,
)
from serving.settings import env_name, get_settings
from stance.analysis_schema import PredictionOut
from stance.records import PairRecord, Prediction

_SETTINGS = get_settings()  # batching options are decorator arguments: read once, when the service is imported
READY_TIMEOUT_S = 3.0


class ModelNotFound(RuntimeError):
    """The model named by STANCE_BENTO_MODEL is not in the BentoML store."""


def load_bento_model(tag: str) -> Any:
    """The stored BentoML model for `tag`, with a message that says how to put one there when it is missing."""
    from bentoml.exceptions import NotFound

    try:
        return bentoml.models.get(tag)
    except NotFound:
        raise ModelNotFound(
            f"no model {tag!r} in the BentoML store; export one first: stance export (the MLflow "
            f"champion) or stance export --model <model folder>, or set {env_name('bento_model')}"
        ) from None


@bentoml.service(name="stance-model", workers=1, threads=1, traffic={"timeout": 120})
class StanceModel:
    """Internal service: the model, loaded once. Clients call StanceService."""

    # declared so that `bentoml build` packs the model into the bento
    bento_model = bentoml.models.BentoModel(_SETTINGS.bento_model)

    def __init__(self) -> None:
        import os

        if "torch" not in sys.modules:  # idle OpenMP threads sleep instead of spinning on cores the front needs
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from serving.export import model_dir
        from stance.predictor import Predictor

        settings = get_settings()
        stored = load_bento_model(settings.bento_model)
        # threads set once for this process: torch's pool and every ONNX Runtime session (non-spinning)
        self.predictor = Predictor.load(model_dir(stored), backend=settings.backend, threads=settings.model_threads,
                                        batch_size=settings.batch_size)
        for note in self.predictor.backend_notes:
            print(f"stance-model: {note}", file=sys.stderr, flush=True)
        print(f"stance-model: {stored.tag} runs on {self.predictor.backend} with {settings.model_threads} thread(s)",
              file=sys.stderr, flush=True)
        self.info = ModelInfo.from_bento_model(stored, self.predictor.backend).model_dump()
        warm_up(self.predictor)  # the first request must not pay for lazy initialisation

    @bentoml.api(batchable=True, max_batch_size=_SETTINGS.max_batch_size, max_latency_ms=_SETTINGS.max_latency_ms)
    def classify_batch(self, records: list[RecordIn]) -> list[PredictionOut]:
        """Label canonical records (validated by the public service); merged across concurrent requests."""
        return self._predict(records)

    @bentoml.api
    def predict(self, records: list[RecordIn]) -> list[PredictionOut]:
        """Label canonical records in one call, unbatched (the analysis sends all pairs of a request at once)."""
        return self._predict(records)

    @bentoml.api
    def model_info(self) -> dict[str, Any]:
        """The model this service loaded."""
        return self.info

    def _predict(self, records: list[RecordIn]) -> list[PredictionOut]:
        parsed = [RecordIn.model_validate(r).to_record() for r in records]  # a dict when called in-process
        return [PredictionOut.of(prediction) for prediction in self.predictor.predict(parsed)]


WARM_UP_TEXT = ("Tehran accused Azerbaijan of siding with Israel, while Turkey backed Baku. "
                "Moscow urged restraint.")


def warm_up_records() -> list[Any]:
    from stance.records import PairRecord, Span

    text = WARM_UP_TEXT
    return [PairRecord("w1", text, holder=Span(0, 6), target=Span(19, 29)), PairRecord("w2", text, target=Span(45, 51))]


def warm_up(predictor: Any) -> None:
    """One small batch and one of the batch size through the model: allocations and kernel choices happen now."""
    records = warm_up_records()
    predictor.predict(records)
    predictor.predict(records * max(1, predictor.batch_size // 2))


class UniformClassifier:
    """Stands in for the model while the front warms its own half of /analyze (spaCy, the linker, the analysis)."""

    def predict(self, records: Sequence[Any]) -> list[Any]:
        from stance.labels import label_names
        from stance.records import Prediction

        out = []
        for record in records:
            names = label_names(record.task)
            out.append(Prediction(record.id, record.task, names[0], tuple(1.0 / len(names) for _ in names)))
        return out


def single_threaded_math() -> None:
    """One thread for the numeric libraries of this (front) process: it runs spaCy and JSON, the model runs in the
    model service. With their default (a thread per core, busy-waiting) in both processes, /analyze ran 4-8x slower
    on 2 cores (the model service's side is `STANCE_MODEL_THREADS` and passive OpenMP waiting)."""
    import sys

    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # scikit-learn brings it; without it, only torch is limited
        pass
    if "torch" in sys.modules:  # spaCy's thinc imports torch when it is installed
        sys.modules["torch"].set_num_threads(1)


def _connection_errors() -> tuple[type[BaseException], ...]:
    try:
        import aiohttp

        return (aiohttp.ClientConnectionError,)
    except ImportError:
        return ()


# The client BentoML uses between services keeps idle connections longer (15 s) than the model service's server
# (5 s): a request can go out on a connection the server is closing ("Server disconnected"). Predictions are
# idempotent, so such a request is sent once more on a fresh connection.
CONNECTION_ERRORS = _connection_errors()


async def call_model_async(method: Any, *args: Any) -> Any:
    try:
        return await method(*args)
    except CONNECTION_ERRORS:
        return await method(*args)


def call_model(method: Any, *args: Any) -> Any:
    try:
        return method(*args)
    except CONNECTION_ERRORS:
        return method(*args)


class TooManyPairs(ValueError):
    """The texts of one /analyze request name so many actors that the model would get too many records."""


class ModelServiceClassifier:
    """A `PairClassifier` that sends records to the model service's plain `predict` (for `stance.analysis`)."""

    def __init__(self, model: Any, max_records: int) -> None:
        self.model = model
        self.max_records = max_records

    def predict(self, records: Sequence[PairRecord]) -> list[Prediction]:
        if len(records) > self.max_records:
            raise TooManyPairs(over_limit("texts", len(records), "actor pair and sentiment records",
                                          "max_analysis_records") + "; send fewer or shorter texts")
        out = call_model(self.model.predict, [RecordIn.of(record) for record in records])
        return [PredictionOut.model_validate(item).to_prediction() for item in out]


from serving.ui import app as ui_app  # noqa: E402


# runner_probe is off: BentoML's own dependency check in /readyz can hang until the request timeout when it is probed
# while the model service is still loading (seen with 1.4.39); `__is_ready__` does the check with a deadline.
@bentoml.asgi_app(ui_app, path="/ui", name="ui")
@bentoml.service(name="stance", workers=1, threads=4, traffic={"timeout": 120}, runner_probe={"enabled": False})
class StanceService:
    """Who takes which stance toward whom in international-politics news, and how each actor is portrayed.

    POST /analyze for raw text (sentences, actors, directed stances, sentiment, summaries); POST /classify for
    canonical pair records. Every response names the model version that produced it.
    """

    model = bentoml.depends(StanceModel)

    def __init__(self) -> None:
        from stance.actors import get_linker
        from stance.sentences import split_many

        self.settings = get_settings()
        self._info: ModelInfo | None = None
        self._warm = False
        # load the actor catalogue and the sentence splitter now, not in the first request
        get_linker()
        split_many(["Warm-up. Two sentences."])
        from stance.analysis import analyze

        analyze([WARM_UP_TEXT], UniformClassifier())  # the whole front path once, before /readyz
        single_threaded_math()

    async def __is_ready__(self) -> bool:
        """/readyz: ready when the model service answers, within a deadline (a probe never hangs)."""
        try:
            info = await asyncio.wait_for(self.model.to_async.model_info(), timeout=READY_TIMEOUT_S)
        except Exception:  # refused, timed out or still starting: not ready yet, the probe comes back
            return False
        self._info = ModelInfo(**info)
        if not self._warm:  # one round trip through the model service's predict before the first real request
            try:
                records = [record.to_dict() for record in warm_up_records()]
                await asyncio.wait_for(self.model.to_async.predict(records), timeout=30)
            except Exception as err:  # noqa: BLE001 - a failed warm-up is retried at the next probe
                print(f"stance: warm-up call to the model service failed ({type(err).__name__}: {err}); not ready",
                      file=sys.stderr, flush=True)
                return False
            self._warm = True
        return True

    @bentoml.api(route="/classify")
    async def classify(self, request: ClassifyRequest, /) -> ClassifyResponse:
        """Label canonical pair records: the stance of holder toward target, or the sentiment toward the target.

        Records of concurrent requests are batched together by the model service.
        """
        results = await call_model_async(self.model.to_async.classify_batch, request.records)
        if self._info is None:
            self._info = ModelInfo(**await call_model_async(self.model.to_async.model_info))
        return ClassifyResponse(model=self._info, results=results)

    @bentoml.api(route="/analyze")
    def analyze(self, request: AnalyzeRequest, /) -> AnalyzeResponse:
        """Analyse raw text: per sentence the actors named (with spans), every directed stance between them with
        probabilities, the sentiment toward each, each actor's stance; per text the relations and an actor summary.
        """
        from stance.analysis import analyze

        classifier = ModelServiceClassifier(self.model, self.settings.max_analysis_records)
        try:
            documents = analyze(
                request.text_list(),
                classifier,
                extra_actors=[actor.to_dict() for actor in request.extra_actors],
                ids=request.ids,
                ner=request.ner,
                include_neutral_pairs=request.include_neutral_pairs,
            )
        except TooManyPairs as err:
            raise request_error("AnalyzeRequest", "texts", str(err)) from None
        if self._info is None:
            self._info = ModelInfo(**call_model(self.model.model_info))
        return AnalyzeResponse(model=self._info, documents=documents)


class BodyLimit:
    """ASGI middleware: a request body over STANCE_MAX_BODY_BYTES is answered 413 before anything parses it.

    It reads the body (declared length or chunked) up to the limit, then replays it to the app.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = get_settings().max_body_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reject_body(send, f"{int(declared)} bytes", limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await _reject_body(send, f"more than {limit} bytes", limit)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _reject_body(send: Any, found: str, limit: int) -> None:
    import json

    message = f"the request body has {found}; the limit is {limit} bytes ({env_name('max_body_bytes')})"
    payload = json.dumps({"error": message, "detail": [{"type": "too_large", "loc": ["body"], "msg": message}]})
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload.encode("utf-8")})


StanceService.add_asgi_middleware(BodyLimit)  # type: ignore[attr-defined]  # a method @bentoml.service adds at run time


from serving.api_shape import ReadableErrors  # noqa: E402

StanceService.add_asgi_middleware(ReadableErrors)  # type: ignore[attr-defined]  # added by @bentoml.service
