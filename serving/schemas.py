"""The HTTP schemas: pydantic models whose descriptions and examples become the OpenAPI spec (`/docs.json`).

Validation happens here, before any work: malformed JSON, wrong types, unknown fields, bad spans and inputs over a
limit are answered 400 by BentoML as `{"error": "...", "detail": [{"type": ..., "loc": [...], "msg": ...}]}`;
`loc` is the path of the offending field and `msg` names the field, the value found and the limit (with the
environment variable that sets it). Record spans are checked by `stance.records.PairRecord.from_dict`, the one
validator of the canonical format, so the message names the record id and the offending offsets; extra actors are
checked by the actor catalogue, so the message names the actor and the field.

Nothing in a request names a file, a folder or a model: the service only ever loads what it was started with.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict, JsonValue

from serving.settings import Settings, env_name, get_settings
from stance.analysis_schema import DocumentAnalysis, PredictionOut
from stance.labels import Task, label_names
from stance.records import PairRecord

_DEFAULTS = Settings()
STANCE_LABELS = label_names(Task.STANCE)
SENTIMENT_LABELS = label_names(Task.SENTIMENT)
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 200
MAX_ALIASES = 50
ACTOR_TYPES = ("state", "organisation", "group", "person")

EXAMPLE_SENTENCE = "Tehran was quick to accuse Azerbaijan of siding with Israel."
EXAMPLE_RECORDS: list[JsonValue] = [
    {"id": "s1", "text": EXAMPLE_SENTENCE, "holder": {"start": 0, "end": 6}, "target": {"start": 27, "end": 37}},
    {"id": "s2", "text": EXAMPLE_SENTENCE, "holder": {"start": 27, "end": 37}, "target": {"start": 0, "end": 6}},
    {"id": "p1", "text": EXAMPLE_SENTENCE, "holder": None, "target": {"start": 27, "end": 37}},
]
EXAMPLE_ARTICLE = (
    "Tehran was quick to accuse Azerbaijan of siding with Israel. "
    "Turkey provided political backing and helped shield Baku. "
    "Russia remained largely neutral."
)
EXAMPLE_EXTRA_ACTOR: JsonDict = {"id": "org:caspian-forum", "name": "Caspian Forum", "aliases": ["the Forum"]}


def _f(description: str, example: Any = None, **kwargs: Any) -> Any:
    """A field with its description and an OpenAPI 3.0 `example` (BentoML's spec is 3.0: `examples` breaks it)."""
    extra = {"example": example} if example is not None else None
    return Field(description=description, json_schema_extra=extra, **kwargs)


def _limit(field: str) -> str:
    """How a limit reads in a description: its variable and its default."""
    return f"{env_name(field)}, default {getattr(_DEFAULTS, field)}"


def over_limit(field: str, found: int, unit: str, setting: str) -> str:
    """The message for a value over a limit: the field, what was found, the limit and the variable that sets it."""
    limit = getattr(get_settings(), setting)
    return f"'{field}' has {found} {unit}; the limit is {limit} ({env_name(setting)})"


def request_error(model: str, field: str, message: str) -> ValidationError:
    """A 400 raised after parsing (the API raises it), in the same shape as the schema's own validation errors."""
    return ValidationError.from_exception_data(
        model, [{"type": "value_error", "loc": (field,), "input": None, "ctx": {"error": ValueError(message)}}]
    )


class _Strict(BaseModel):
    # unknown fields are an error: a misspelt field is never silently ignored
    model_config = ConfigDict(extra="forbid")


# --- shared -----------------------------------------------------------------------------------------------------------


class ModelInfo(BaseModel):
    """The model that produced a response (set at start-up, the same for every response of one server)."""

    bento_tag: str = _f("The BentoML model tag the service loaded at start-up.", "stance:jyaijgxgdwib6ax4")
    registered_model: str | None = _f("MLflow registered model name (null for a model exported from a folder).",
                                      "stance", default=None)
    registry_version: str | None = _f("MLflow model registry version.", "3", default=None)
    registry_alias: str | None = _f("Registry alias it was exported under.", "champion", default=None)
    mlflow_run_id: str | None = _f("MLflow run that trained it.", "5f0c6d1d8a7b4e2c9d3f1a2b3c4d5e6f", default=None)
    base_model: str | None = _f("The pretrained encoder it was fine-tuned from.", "minilm", default=None)
    backend: str | None = _f("What runs the model: torch, onnx (fp32) or onnx-int8 (both gated against torch).",
                             "onnx-int8", default=None)

    @classmethod
    def from_bento_model(cls, bento_model: Any, backend: str | None = None) -> ModelInfo:
        metadata = bento_model.info.metadata
        return cls(
            backend=backend,
            bento_tag=str(bento_model.tag),
            registered_model=metadata.get("registered_model"),
            registry_version=metadata.get("registry_version"),
            registry_alias=metadata.get("registry_alias"),
            mlflow_run_id=metadata.get("mlflow_run_id"),
            base_model=metadata.get("base_model"),
        )


# --- /classify ------------------------------------------------------------------------------------------------------


class SpanIn(_Strict):
    """A character span of the text, end exclusive."""

    start: StrictInt = _f("Offset of the first character of the span in `text` (0-based).", 0)
    end: StrictInt = _f("Offset one past the last character of the span (end exclusive).", 6)


class RecordIn(_Strict):
    """A canonical pair record (TASK.md) without its label: a stance record has a holder, a sentiment record not."""

    id: StrictStr = _f("Your identifier for the record, unique within the request; returned with its prediction.",
                       "s1", min_length=1, max_length=MAX_ID_CHARS)
    text: StrictStr = _f(f"The sentence as it appears in the source (not lower-cased); at most "
                         f"{_limit('max_text_chars')} characters.", EXAMPLE_SENTENCE, min_length=1)
    holder: SpanIn | None = _f("Span of the stance holder; null or absent for a sentiment record. Must not overlap "
                               "the target.", {"start": 0, "end": 6}, default=None)
    target: SpanIn = _f("Span of the target of the stance, or of the actor whose portrayal is asked (sentiment).",
                        {"start": 27, "end": 37})
    _record: PairRecord | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _canonical(self) -> RecordIn:
        if len(self.text) > get_settings().max_text_chars:
            raise ValueError(f"record {self.id!r}: " + over_limit("text", len(self.text), "characters", "max_text_chars"))
        self._record = PairRecord.from_dict(self.model_dump())  # spans inside the text, non-empty, not overlapping
        return self

    @classmethod
    def of(cls, record: PairRecord) -> RecordIn:
        return cls.model_validate(record.to_dict())

    def to_record(self) -> PairRecord:
        assert self._record is not None
        return self._record


class ClassifyRequest(_Strict):
    """Pair records to label: stance records (holder and target) and sentiment records (target only), mixed freely."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"records": EXAMPLE_RECORDS}})

    records: list[RecordIn] = _f(f"The records: at least one, at most {_limit('max_records')}; ids must be unique.",
                                 EXAMPLE_RECORDS, min_length=1)

    @field_validator("records", mode="before")
    @classmethod
    def _count(cls, value: Any) -> Any:
        # counted before the records are validated, so an oversized request costs nothing
        if isinstance(value, list) and len(value) > get_settings().max_records:
            raise ValueError(over_limit("records", len(value), "records", "max_records"))
        return value

    @field_validator("records")
    @classmethod
    def _unique_ids(cls, records: list[RecordIn]) -> list[RecordIn]:
        seen: set[str] = set()
        for record in records:
            if record.id in seen:
                raise ValueError(f"'records': record id {record.id!r} appears twice; ids must be unique")
            seen.add(record.id)
        return records

    def to_records(self) -> list[PairRecord]:
        return [record.to_record() for record in self.records]


class ClassifyResponse(BaseModel):
    """One prediction per record, in the order of the request."""

    model: ModelInfo = _f("The model version that produced the predictions.")
    results: list[PredictionOut] = _f("One result per record, in request order.")


# --- /analyze: request ------------------------------------------------------------------------------------------------


class ExtraActorIn(_Strict):
    """An actor this request adds to the catalogue (an organisation, a group or a person it does not know)."""

    id: StrictStr | None = _f("Optional id for the actor: no spaces, not an id of the catalogue (e.g. "
                              "`org:caspian-forum`); default `extra:<name as a slug>`. It names the actor in the "
                              "response.", "org:caspian-forum", default=None, min_length=1, max_length=MAX_ID_CHARS)
    name: StrictStr = _f("The actor's name; it is matched in the text too (case-sensitive, whole words).",
                         "Caspian Forum", min_length=1, max_length=MAX_NAME_CHARS)
    aliases: list[StrictStr] = _f(f"Other surface forms (case-sensitive, whole words), at most {MAX_ALIASES}.",
                                  ["the Forum"], default_factory=list, max_length=MAX_ALIASES)
    type: Literal["state", "organisation", "group", "person"] = _f("What kind of actor it is.", "organisation",
                                                                   default="organisation")
    speaks_for: StrictStr | None = _f("For a person only: the id of the actor (catalogue or extra) a mention of this "
                                      "person counts as.", None, default=None)

    @field_validator("aliases")
    @classmethod
    def _alias_length(cls, aliases: list[str]) -> list[str]:
        for j, alias in enumerate(aliases):
            if len(alias) > MAX_NAME_CHARS:
                raise ValueError(f"alias #{j} has {len(alias)} characters; the limit is {MAX_NAME_CHARS}")
        return aliases

    def to_dict(self) -> dict[str, Any]:
        """The form `stance.analysis.analyze` takes."""
        return self.model_dump(exclude_none=True)


class AnalyzeRequest(_Strict):
    """Raw news text to analyse: one text or a list of texts (each a sentence, a paragraph or a whole article)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"texts": [EXAMPLE_ARTICLE], "extra_actors": [EXAMPLE_EXTRA_ACTOR]}},
    )

    texts: StrictStr | list[StrictStr] = _f(
        f"One text, or a list of at most {_limit('max_texts')} texts; each non-empty and at most "
        f"{_limit('max_text_chars')} characters. Not lower-cased or cleaned: offsets in the answer point into it.",
        [EXAMPLE_ARTICLE],
    )
    ids: list[StrictStr] | None = _f("Your id per text (default \"0\", \"1\", ...), one per text, non-empty.",
                                     ["article-1"], default=None)
    extra_actors: list[ExtraActorIn] = _f(
        f"Actors to add to the catalogue for this request, at most {_limit('max_extra_actors')}.",
        [EXAMPLE_EXTRA_ACTOR], default_factory=list)
    ner: StrictBool = _f("Also report named entities (organisations, nationalities, places) the catalogue misses, as "
                         "`unlinked:<slug>` actors.", False, default=False)
    include_neutral_pairs: StrictBool = _f("Also list the pairs predicted neutral in each sentence's `pairs` (by "
                                           "default only supportive and hostile pairs are listed).", False,
                                           default=False)

    @field_validator("texts", mode="before")
    @classmethod
    def _count_texts(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) > get_settings().max_texts:
            raise ValueError(over_limit("texts", len(value), "texts", "max_texts"))
        return value

    @field_validator("texts")
    @classmethod
    def _check_texts(cls, value: str | list[str]) -> list[str]:
        texts = [value] if isinstance(value, str) else value
        if not texts:
            raise ValueError("'texts' is an empty list; give at least one text")
        limit = get_settings().max_text_chars
        for i, text in enumerate(texts):
            where = "'texts'" if isinstance(value, str) else f"'texts' item {i}"
            if not text.strip():
                raise ValueError(f"{where} is empty or only whitespace")
            if len(text) > limit:
                raise ValueError(f"{where} has {len(text)} characters; the limit is {limit} "
                                 f"({env_name('max_text_chars')})")
        return texts

    @field_validator("extra_actors", mode="before")
    @classmethod
    def _count_actors(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) > get_settings().max_extra_actors:
            raise ValueError(over_limit("extra_actors", len(value), "actors", "max_extra_actors"))
        return value

    @field_validator("extra_actors")
    @classmethod
    def _catalogue_accepts(cls, actors: list[ExtraActorIn]) -> list[ExtraActorIn]:
        # the catalogue's own rules: ids not taken, no alias given to two actors, speaks_for names a known actor
        if actors:
            from stance.actors import load_catalogue

            load_catalogue().with_extra([actor.to_dict() for actor in actors])
        return actors

    @model_validator(mode="after")
    def _ids_match(self) -> AnalyzeRequest:
        if self.ids is not None:
            if len(self.ids) != len(self.texts):
                raise ValueError(f"'ids' has {len(self.ids)} ids for {len(self.texts)} texts; give one per text")
            if any(not i for i in self.ids) or len(set(self.ids)) != len(self.ids):
                raise ValueError(f"'ids' must be non-empty and unique, got {self.ids!r}")
        return self

    def text_list(self) -> list[str]:
        return list(self.texts)  # the validator made it a list


# --- /analyze: response: the core's one definition (stance/analysis_schema.py) -------------------------------------


class AnalyzeResponse(BaseModel):
    """The analysis of each text, in request order."""

    model: ModelInfo = _f("The model version that produced the analysis.")
    documents: list[DocumentAnalysis] = _f("One analysis per text, in request order.")
