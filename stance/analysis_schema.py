"""The ONE definition of what `analyze` returns: pydantic models, used by `stance.analysis` (which builds them), the
HTTP service (which returns them as its response schema, so the OpenAPI spec is this), the CLI and the renderers.
docs/analysis-schema.md is generated from these models (`python -m stance.analysis_schema > docs/analysis-schema.md`;
tests/test_analysis_schema.py fails when the file and the code disagree).

Actor references have one shape everywhere: `{"id", "name"}` (`ActorRef`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "stance.analysis/2"
CORPUS_SCHEMA_VERSION = "stance.corpus/1"

StanceLabel = Literal["neutral", "supportive", "hostile"]
RelationLabel = Literal["supportive", "hostile"]
SentimentLabel = Literal["negative", "neutral", "positive"]
ActorKind = Literal["state", "organisation", "group", "person", "unlinked"]
MentionSource = Literal["catalogue", "extra", "explicit", "ner"]


def _f(description: str, example: Any = None, **kwargs: Any) -> Any:
    """A field with its description and an OpenAPI 3.0 `example` (BentoML's spec is 3.0: `examples` breaks it)."""
    extra = {"example": example} if example is not None else None
    return Field(description=description, json_schema_extra=extra, **kwargs)


class Out(BaseModel):
    """Base of every output model: immutable, no unknown keys, serialised by alias (`schema`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", serialize_by_alias=True, validate_by_name=True,
                              validate_by_alias=True)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form."""
        return self.model_dump(mode="json", by_alias=True)


# --- shared -----------------------------------------------------------------------------------------------------------


class ActorRef(Out):
    """A reference to an actor, the same shape wherever one actor names another."""

    id: str = _f("Actor id: ISO 3166-1 alpha-3 for a state (`IRN`), `org:`, `group:`, `person:` slugs, an extra "
                 "actor's own id, or `unlinked:<slug>` (NER fallback).", "IRN")
    name: str = _f("The actor's display name.", "Iran")


class DocSpan(Out):
    """A character span of the DOCUMENT text, end exclusive."""

    start: int = _f("Offset of the first character in the document text (0-based).", 0)
    end: int = _f("Offset one past the last character (end exclusive).", 6)


# --- per sentence -----------------------------------------------------------------------------------------------------


class Mention(Out):
    """One mention of an actor in a sentence."""

    start: int = _f("Offset of the mention in the document text (0-based).", 0)
    end: int = _f("Offset one past its end (end exclusive).", 6)
    text: str = _f("The surface form, `document[start:end]`.", "Tehran")
    via: ActorRef | None = _f("The person who stands for the actor in this mention (\"Aliyev\" -> Azerbaijan).",
                              None, default=None)
    source: MentionSource = _f(
        "Where the mention comes from: the catalogue, a request's extra actor, a caller's explicit span, NER.",
        "catalogue", default="catalogue")


class StanceSummary(Out):
    """An actor's stance in one sentence: its most probable non-neutral directed stance (ties go to the
    earliest-mentioned target), `neutral` when every pair it holds is predicted neutral."""

    label: StanceLabel = _f("`supportive`, `hostile` or `neutral`.", "hostile")
    toward: ActorRef | None = _f("The other actor of the chosen pair; null when neutral.",
                                 {"id": "AZE", "name": "Azerbaijan"})
    probability: float | None = _f("Non-neutral: that label's probability for that pair. Neutral: the lowest "
                                   "P(neutral) over the actor's pairs. Null when the actor has no pair.", 0.91)


class SentimentOut(Out):
    """How a sentence portrays an actor (its first mention in the sentence)."""

    label: SentimentLabel = _f("`negative`, `neutral` or `positive`.", "negative")
    probabilities: dict[str, float] = _f("Probability of every sentiment label, in label order; they sum to 1.",
                                         {"negative": 0.7, "neutral": 0.25, "positive": 0.05})


class SentenceActor(Out):
    """A distinct actor named in a sentence."""

    id: str = _f("Actor id (see ActorRef).", "IRN")
    name: str = _f("Actor name.", "Iran")
    type: ActorKind = _f("`state`, `organisation`, `group`, `person` or `unlinked`.", "state")
    mentions: list[Mention] = _f("Every mention of the actor in the sentence, spans into the document text.")
    stance: StanceSummary | None = _f("The actor's stance in the sentence; null only for an actor the pair cap "
                                      "left out.")
    sentiment: SentimentOut = _f("How the sentence portrays the actor.")


class Pair(Out):
    """A directed stance between two actors of a sentence."""

    holder: ActorRef = _f("Who holds the stance.")
    target: ActorRef = _f("Toward whom.")
    label: StanceLabel = _f("The most probable directed stance of the holder toward the target.", "hostile")
    probabilities: dict[str, float] = _f("Probability of every stance label, in label order.",
                                         {"neutral": 0.05, "supportive": 0.04, "hostile": 0.91})


class PairCap(Out):
    """Set when a sentence names more actors than are paired: the first `limit` by position are paired."""

    limit: int = _f("Most actors per sentence that are paired.", 8)
    actors: int = _f("Distinct actors in the sentence.", 10)
    excluded: list[ActorRef] = _f("Actors left out of the pairs (they keep their mentions and sentiment; their "
                                  "`stance` is null).")


class Sentence(Out):
    """One sentence of a document."""

    index: int = _f("Position in the document (0-based).", 0)
    start: int = _f("Offset in the document text; `text == document[start:end]`.", 0)
    end: int = _f("Offset one past its end.", 60)
    text: str = _f("The sentence, never normalised (whitespace at its edges excluded).",
                   "Tehran was quick to accuse Azerbaijan of siding with Israel.")
    actors: list[SentenceActor] = _f("Distinct actors, by first mention.")
    pairs: list[Pair] = _f("Directed pairs of distinct paired actors, holder-major order: the non-neutral ones, "
                           "and the neutral ones too when the request asked for them (`include_neutral_pairs`).")
    pair_cap: PairCap | None = _f("Set when the sentence had more actors than the cap.", None, default=None)


# --- per document -----------------------------------------------------------------------------------------------------


class Evidence(Out):
    """A sentence that shows a relation."""

    sentence: int = _f("Index of the sentence in the document.", 0)
    text: str = _f("The sentence.", "Tehran was quick to accuse Azerbaijan of siding with Israel.")
    holder: DocSpan = _f("The holder's mention used for the pair (document offsets).")
    target: DocSpan = _f("The target's mention used for the pair (document offsets).")
    probability: float = _f("Probability of the relation's stance for this sentence's pair.", 0.91)


class Strength(Out):
    """How sure the model is about a relation, over its evidence."""

    max: float = _f("Highest probability of the stance over the evidence.", 0.91)
    mean: float = _f("Mean probability of the stance over the evidence.", 0.84)


class Relation(Out):
    """A directed non-neutral stance in a document, with the sentences that show it."""

    holder: ActorRef = _f("Who holds the stance.")
    target: ActorRef = _f("Toward whom.")
    stance: RelationLabel = _f("`supportive` or `hostile`.", "hostile")
    evidence_count: int = _f("Distinct sentence texts that show it (a caption repeated twice counts once).", 2)
    strength: Strength = _f("Max and mean probability of the stance over the evidence.")
    evidence: list[Evidence] = _f("The sentences that show it, one per distinct text, most probable first.")


class StanceCounts(Out):
    supportive: int = _f("Count of supportive relations' evidence sentences.", 1)
    hostile: int = _f("Count of hostile relations' evidence sentences.", 2)


class StanceProfile(Out):
    """An actor's stances over the document: evidence sentences by label, as holder and as target."""

    holds: StanceCounts = _f("Evidence sentences of relations it holds, by stance.")
    receives: StanceCounts = _f("Evidence sentences of relations toward it, by stance.")
    toward: list[ActorRef] = _f("Actors it is hostile or supportive toward, strongest relation first.")


class ActorSentiment(Out):
    """How the document portrays an actor: the label of the mean distribution over the sentences that name it."""

    label: SentimentLabel = _f("The most probable label of the aggregated distribution.", "negative")
    probabilities: dict[str, float] = _f("Mean of the per-sentence distributions.",
                                         {"negative": 0.6, "neutral": 0.3, "positive": 0.1})
    sentences: dict[str, int] = _f("Sentences by their own label.", {"negative": 2, "neutral": 1, "positive": 0})


class ActorSummary(Out):
    """One actor over the whole document."""

    id: str = _f("Actor id.", "IRN")
    name: str = _f("Actor name.", "Iran")
    type: ActorKind = _f("Actor type.", "state")
    mentions: int = _f("Mentions in the document.", 3)
    sentences: list[int] = _f("Sentences that name it.", [0, 2])
    sentiment: ActorSentiment = _f("How the document portrays it.")
    stance: StanceProfile = _f("Its stance profile.")


class DocumentSummary(Out):
    """What an analyst reads first: who stands where toward whom, how sure, and where it says so."""

    relations: list[Relation] = _f("Directed non-neutral relations, strongest first (max, then mean probability, "
                                   "then evidence count).")
    actors: list[ActorSummary] = _f("Every actor of the document, by first appearance.")


class DocumentAnalysis(Out):
    """The analysis of one text."""

    schema_: str = Field(default=SCHEMA_VERSION, alias="schema", description="Version of this schema; changes "
                         "only with an incompatible change.", json_schema_extra={"example": SCHEMA_VERSION})
    index: int = _f("Position of the text in the request.", 0)
    id: str = _f("The caller's id for the text, else its position.", "0")
    length: int = _f("Characters in the text.", 148)
    summary: DocumentSummary = _f("Relations and actors over the document.")
    sentences: list[Sentence] = _f("Per sentence: actors, their stance and sentiment, the directed pairs.")


# --- many documents ---------------------------------------------------------------------------------------------------


class CorpusDocument(Out):
    id: str = _f("The article's id.", "a1")
    date: str | None = _f("Its date as given (ISO 8601 recommended).", "2024-05-01", default=None)
    source: str | None = _f("Its source as given.", "Reuters", default=None)
    sentences: int = _f("Sentences in it.", 12)
    relations: int = _f("Relations found in it.", 3)


class CorpusRelation(Out):
    """A directed relation across documents."""

    holder: ActorRef = _f("Who holds the stance.")
    target: ActorRef = _f("Toward whom.")
    stance: RelationLabel = _f("`supportive` or `hostile`.", "hostile")
    document_count: int = _f("Documents that show it.", 2)
    evidence_count: int = _f("Distinct evidence sentences over those documents.", 3)
    strength: Strength = _f("Max and mean probability over all its evidence.")
    documents: list[str] = _f("Ids of the documents that show it.", ["a1", "a2"])
    by_date: dict[str, int] = _f("Documents per date, for documents with a date.", {"2024-05-01": 1})
    example: Evidence | None = _f("Its most probable evidence sentence (in the document `example_document`).")
    example_document: str | None = _f("Id of the document of `example`.", "a1")


class CorpusAnalysis(Out):
    """Relations aggregated over many documents."""

    schema_: str = Field(default=CORPUS_SCHEMA_VERSION, alias="schema", description="Version of this schema.")
    documents: list[CorpusDocument] = _f("The documents, in input order.")
    relations: list[CorpusRelation] = _f("Relations, most documents first, then strongest.")


# --- the model service's prediction ------------------------------------------------------------------------------------


class PredictionOut(Out):
    """The label of one canonical record and the whole distribution (the model service's and /classify's answer)."""

    id: str = _f("The record's id.", "s1")
    task: Literal["stance", "sentiment"] = _f("`stance` for a record with a holder, `sentiment` without.", "stance")
    label: str = _f("The most probable label of the task.", "hostile")
    probabilities: dict[str, float] = _f("Probability of every label of the task, in label order; they sum to 1.",
                                         {"neutral": 0.08, "supportive": 0.03, "hostile": 0.89})

    @classmethod
    def of(cls, prediction: Any) -> PredictionOut:
        return cls(id=prediction.id, task=prediction.task.value, label=prediction.label,
                   probabilities=prediction.distribution())

    def to_prediction(self) -> Any:
        from stance.labels import Task, label_names
        from stance.records import Prediction

        task = Task(self.task)
        return Prediction(self.id, task, self.label, tuple(float(self.probabilities[n]) for n in label_names(task)))


DOCUMENTED: list[type[BaseModel]] = [
    DocumentAnalysis, DocumentSummary, Relation, Evidence, Strength, ActorSummary, ActorSentiment, StanceProfile,
    StanceCounts, Sentence, SentenceActor, Mention, StanceSummary, SentimentOut, Pair, PairCap, ActorRef, DocSpan,
    CorpusAnalysis, CorpusDocument, CorpusRelation]


def _type(annotation: Any) -> str:
    import types
    import typing

    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        text = " or ".join(_type(a) for a in inner)
        return text + " or null" if len(inner) < len(args) else text
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is dict:
        return f"{{{_type(args[0])}: {_type(args[1])}}}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {str: "string", int: "int", float: "float", bool: "bool"}.get(annotation, str(annotation))


def markdown() -> str:
    """docs/analysis-schema.md: every output model, its keys, their types and meaning, in JSON key order."""
    lines = [
        f"# Analysis schema (`{SCHEMA_VERSION}`, `{CORPUS_SCHEMA_VERSION}`)",
        "",
        "<!-- Generated from stance/analysis_schema.py by `python -m stance.analysis_schema > "
        "docs/analysis-schema.md`; do not edit by hand (tests/test_analysis_schema.py checks it). -->",
        "",
        "`stance.analysis.analyze(texts, classifier, ...)` returns one `DocumentAnalysis` per text; the HTTP "
        "endpoint `/analyze` returns them under `documents` (with the `model` block), and `stance analyze --format "
        "json` prints them. `stance.analysis.aggregate(documents, ...)` returns a `CorpusAnalysis` (`stance analyze` "
        "over several files or a JSONL of articles). Keys appear in the order listed. Actor references are always "
        "`{\"id\", \"name\"}` (ActorRef).",
        "",
    ]
    for model in DOCUMENTED:
        lines += [f"## {model.__name__}", "", " ".join((model.__doc__ or "").split()), "",
                  "| key | type | meaning |", "|---|---|---|"]
        for name, field in model.model_fields.items():
            key = field.alias or name
            meaning = " ".join((field.description or "").split()).replace("|", "\\|")
            lines.append(f"| `{key}` | {_type(field.annotation)} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
