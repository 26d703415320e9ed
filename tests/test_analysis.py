"""analyze(): pairing, the pair cap, per-actor and per-document summaries, explicit spans, the JSON schema."""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence

import pytest

from stance.analysis import (
    SCHEMA_VERSION,
    AnalysisError,
    ExplicitMention,
    analyze,
)
from stance.labels import Task
from stance.records import PairClassifier, PairRecord, Prediction
from stance.render import render

pytestmark = pytest.mark.unit

# The stub's rules, by surface text: who is hostile/supportive toward whom, and how sure it is.
HOSTILE = {("Tehran", "Baku"): 0.9, ("Iran", "Azerbaijan"): 0.7, ("Tehran", "Israeli"): 0.6}
SUPPORTIVE = {("Aliyev", "Turkey"): 0.8, ("Turkey", "Baku"): 0.85}
NEGATIVE = {"Baku": 0.75}


class StubClassifier:
    """Deterministic PairClassifier: stance and sentiment from the surface forms of the spans."""

    def __init__(self) -> None:
        self.calls: list[list[PairRecord]] = []

    def predict(self, records: Sequence[PairRecord]) -> list[Prediction]:
        self.calls.append(list(records))
        out = []
        for r in records:
            target = r.surface("target")
            if r.holder is None:
                p = NEGATIVE.get(target)
                probs = (p, round(1 - p, 4), 0.0) if p else (0.1, 0.8, 0.1)
                label = "negative" if p else "neutral"
                out.append(Prediction(r.id, Task.SENTIMENT, label, probs))
                continue
            key = (r.surface("holder"), target)
            if key in HOSTILE:
                p = HOSTILE[key]
                out.append(Prediction(r.id, Task.STANCE, "hostile", (round(1 - p - 0.05, 4), 0.05, p)))
            elif key in SUPPORTIVE:
                p = SUPPORTIVE[key]
                out.append(Prediction(r.id, Task.STANCE, "supportive", (round(1 - p - 0.05, 4), p, 0.05)))
            else:
                neutral = 0.6 + 0.01 * (len(key[0]) % 10)  # varies, so the "lowest P(neutral)" rule is visible
                out.append(Prediction(r.id, Task.STANCE, "neutral",
                                      (round(neutral, 4), round((1 - neutral) / 2, 4), round((1 - neutral) / 2, 4))))
        return out


def test_the_stub_is_a_pair_classifier():
    classifier: PairClassifier = StubClassifier()  # checked by a type checker; PairClassifier is a Protocol
    assert callable(classifier.predict)


TEXT = ("Iran warns Azerbaijan\n"
        "Tehran accused Baku on Monday of letting Israeli drones use its airspace. "
        "President Ilham Aliyev said Turkey had been a loyal friend. "
        "Turkey backed Baku.")


@pytest.fixture(scope="module")
def result():
    stub = StubClassifier()
    docs = analyze([TEXT, "No actors here."], stub, ids=["article-1", "empty"], include_neutral_pairs=True)
    return stub, docs


def test_one_classifier_call_with_every_pair_and_actor(result):
    stub, docs = result
    assert len(stub.calls) == 1
    records = stub.calls[0]
    stance = [r for r in records if r.task is Task.STANCE]
    sentiment = [r for r in records if r.task is Task.SENTIMENT]
    # sentences: 2 actors, 3 actors, 2 actors, 2 actors -> 2 + 6 + 2 + 2 ordered pairs, 9 actor records
    assert (len(stance), len(sentiment)) == (12, 9)
    sentence = docs[0].sentences[1]
    assert [(p.holder.id, p.target.id) for p in sentence.pairs] == [
        ("IRN", "AZE"), ("IRN", "ISR"), ("AZE", "IRN"), ("AZE", "ISR"), ("ISR", "IRN"), ("ISR", "AZE")]
    # holder and target spans are the actors' first mentions, relative to the sentence
    first = next(r for r in stance if r.text == sentence.text and r.surface("holder") == "Tehran"
                 and r.surface("target") == "Baku")
    assert first.holder.start == 0 and first.target.start == sentence.text.index("Baku")


def test_sentences_keep_document_offsets(result):
    _, docs = result
    doc = docs[0]
    assert [s.text for s in doc.sentences][0] == "Iran warns Azerbaijan"
    for s in doc.sentences:
        assert TEXT[s.start:s.end] == s.text
        for a in s.actors:
            for m in a.mentions:
                assert TEXT[m.start:m.end] == m.text


def test_per_actor_stance_summary_and_toward(result):
    _, docs = result
    by_id = {a.id: a for a in docs[0].sentences[1].actors}
    iran = by_id["IRN"]
    assert iran.stance.label == "hostile" and iran.stance.toward.id == "AZE" and iran.stance.toward.name == "Azerbaijan"
    assert iran.stance.probability == 0.9  # the most probable of its two hostile pairs (0.9 vs 0.6)
    azerbaijan = by_id["AZE"]
    assert azerbaijan.stance.label == "neutral" and azerbaijan.stance.toward is None
    pairs = [p for p in docs[0].sentences[1].pairs if p.holder.id == "AZE"]
    assert azerbaijan.stance.probability == min(p.probabilities["neutral"] for p in pairs)
    assert azerbaijan.sentiment.label == "negative" and azerbaijan.sentiment.probabilities["negative"] == 0.75


def test_person_mentions_count_as_their_state_with_via(result):
    _, docs = result
    sentence = docs[0].sentences[2]
    azerbaijan = sentence.actors[0]
    assert (azerbaijan.id, azerbaijan.name, azerbaijan.type) == ("AZE", "Azerbaijan", "state")
    assert azerbaijan.mentions[0].text == "Ilham Aliyev"
    assert azerbaijan.mentions[0].via.id == "person:ilham-aliyev"
    assert azerbaijan.stance.label == "neutral"  # the stub keys on "Aliyev", the span is "Ilham Aliyev"


def test_document_summary(result):
    _, docs = result
    summary = docs[0].summary
    relations = [(r.holder.id, r.stance, r.target.id, r.evidence_count, [e.sentence for e in r.evidence])
                 for r in summary.relations]
    # strongest first: IRN->AZE (0.9 max), TUR->AZE (0.85), IRN->ISR (0.6); evidence most probable first
    assert relations == [("IRN", "hostile", "AZE", 2, [1, 0]), ("TUR", "supportive", "AZE", 1, [3]),
                         ("IRN", "hostile", "ISR", 1, [1])]
    top = summary.relations[0]
    assert (top.strength.max, top.strength.mean) == (0.9, 0.8)
    assert TEXT[top.evidence[0].holder.start:top.evidence[0].holder.end] == "Tehran"
    assert TEXT[top.evidence[0].target.start:top.evidence[0].target.end] == "Baku"
    assert top.evidence[0].text == docs[0].sentences[1].text
    actors = {a.id: a for a in summary.actors}
    assert actors["IRN"].stance.holds.model_dump() == {"supportive": 0, "hostile": 3}
    assert [a.id for a in actors["IRN"].stance.toward] == ["AZE", "ISR"]
    assert actors["AZE"].stance.receives.model_dump() == {"supportive": 1, "hostile": 2}
    assert actors["AZE"].mentions == 4 and actors["AZE"].sentences == [0, 1, 2, 3]
    assert actors["AZE"].sentiment.sentences == {"negative": 2, "neutral": 2, "positive": 0}
    # the label of the mean distribution: negative in 2 of 4 sentences, but mean P(neutral) 0.525 > P(negative) 0.425
    assert actors["AZE"].sentiment.label == "neutral"
    assert actors["AZE"].sentiment.probabilities["negative"] == pytest.approx(0.425)
    assert sum(actors["AZE"].sentiment.probabilities.values()) == pytest.approx(1, abs=1e-3)
    assert docs[1].sentences[0].actors == [] and docs[1].summary.relations == []


def test_sole_actor_has_neutral_stance_without_probability():
    docs = analyze(["Iran protested."], StubClassifier())
    (actor,) = docs[0].sentences[0].actors
    assert (actor.stance.label, actor.stance.toward, actor.stance.probability) == ("neutral", None, None)
    assert docs[0].sentences[0].pairs == []


def test_no_actors_means_no_classifier_call():
    stub = StubClassifier()
    docs = analyze(["Nothing to see.", ""], stub)
    assert stub.calls == [] and [len(d.sentences) for d in docs] == [1, 0]


def test_pair_cap_is_reported_not_silent():
    text = ("Iran, Iraq, Syria, Turkey, Israel, Egypt, Jordan, Lebanon, Qatar and Oman met the European Union "
            "on Monday.")
    stub = StubClassifier()
    (doc,) = analyze([text], stub, max_actors_per_sentence=8, include_neutral_pairs=True)
    sentence = doc.sentences[0]
    assert len(sentence.actors) == 11
    assert len(sentence.pairs) == 56
    cap = sentence.pair_cap
    assert (cap.limit, cap.actors, [a.id for a in cap.excluded]) == (8, 11, ["QAT", "OMN", "org:eu"])
    excluded = [a for a in sentence.actors if a.id in {e.id for e in cap.excluded}]
    assert all(a.stance is None and a.sentiment.label for a in excluded)
    assert len([r for r in stub.calls[0] if r.task is Task.SENTIMENT]) == 11
    assert "pair cap: 8 of 11 actors paired; not paired: QAT, OMN, org:eu" in render([doc])
    (uncapped,) = analyze([text], StubClassifier(), max_actors_per_sentence=20, include_neutral_pairs=True)
    assert uncapped.sentences[0].pair_cap is None and len(uncapped.sentences[0].pairs) == 110


def test_json_schema_keys(result):
    _, docs = result
    d = docs[0].to_dict()
    json.dumps(d)  # plain JSON types only
    assert list(d) == ["schema", "index", "id", "length", "summary", "sentences"]
    assert d["schema"] == SCHEMA_VERSION and d["id"] == "article-1" and d["length"] == len(TEXT)
    sentence = d["sentences"][1]
    assert list(sentence) == ["index", "start", "end", "text", "actors", "pairs", "pair_cap"]
    actor = sentence["actors"][0]
    assert list(actor) == ["id", "name", "type", "mentions", "stance", "sentiment"]
    assert list(actor["mentions"][0]) == ["start", "end", "text", "via", "source"]
    assert list(actor["stance"]) == ["label", "toward", "probability"]
    assert list(actor["stance"]["toward"]) == ["id", "name"]
    assert list(actor["sentiment"]) == ["label", "probabilities"]
    assert list(actor["sentiment"]["probabilities"]) == ["negative", "neutral", "positive"]
    assert list(sentence["pairs"][0]) == ["holder", "target", "label", "probabilities"]
    assert list(sentence["pairs"][0]["holder"]) == ["id", "name"]  # actor references: one shape everywhere
    assert list(sentence["pairs"][0]["probabilities"]) == ["neutral", "supportive", "hostile"]
    assert d["sentences"][2]["actors"][0]["mentions"][0]["via"] == {"id": "person:ilham-aliyev",
                                                                    "name": "Ilham Aliyev"}
    assert list(d["summary"]) == ["relations", "actors"]
    assert list(d["summary"]["relations"][0]) == ["holder", "target", "stance", "evidence_count", "strength",
                                                  "evidence"]
    assert list(d["summary"]["relations"][0]["evidence"][0]) == ["sentence", "text", "holder", "target",
                                                                 "probability"]
    assert list(d["summary"]["actors"][0]) == ["id", "name", "type", "mentions", "sentences", "sentiment", "stance"]


def test_explicit_mentions_and_extra_actors():
    text = "The Acme consortium thanked Tehran. Iran welcomed it."
    docs = analyze([text], StubClassifier(),
                   extra_actors=[{"id": "acme", "name": "Acme consortium"}],
                   explicit_mentions=[[{"start": 4, "end": 8, "actor": "acme"}]])
    first = docs[0].sentences[0]
    assert [(a.id, a.name, [m.text for m in a.mentions], a.mentions[0].source) for a in first.actors] == [
        ("acme", "Acme consortium", ["Acme"], "explicit"), ("IRN", "Iran", ["Tehran"], "catalogue")]
    only_explicit = analyze([text], StubClassifier(), link=False,
                            explicit_mentions=[[ExplicitMention(36, 40, "IRN")]])
    assert [[a.id for a in s.actors] for s in only_explicit[0].sentences] == [[], ["IRN"]]


def test_an_explicit_span_wins_over_an_overlapping_automatic_one():
    text = "Iranian drones hit the base."
    (doc,) = analyze([text], StubClassifier(), extra_actors=[{"id": "drones", "name": "Iranian drones"}],
                     explicit_mentions=[[{"start": 0, "end": 14, "actor": "drones"}]])
    assert [a.id for a in doc.sentences[0].actors] == ["drones"]


@pytest.mark.parametrize("explicit,message", [
    ([{"start": 10, "end": 99, "actor": "IRN"}], r"text #0, explicit mention #0: span \[10, 99\) must be non-empty "
                                                 r"and inside the text of length 34"),
    ([{"start": 0, "end": 4, "actor": "XYZ"}], r"text #0, explicit mention #0: unknown actor id 'XYZ'"),
    ([{"start": 0, "end": 20, "actor": "IRN"}], r"is not inside one sentence"),
    ([{"start": 0, "end": 4, "actor": "IRN"}, {"start": 2, "end": 6, "actor": "IRN"}],
     r"explicit mention #1: span \[2, 6\) overlaps explicit mention \[0, 4\)"),
    ([{"start": 0, "end": 4}], r"must be an object with exactly 'start', 'end' and 'actor'"),
    ([{"start": "0", "end": 4, "actor": "IRN"}], r"offsets must be integers"),
])
def test_bad_explicit_mentions_are_named(explicit, message):
    with pytest.raises(AnalysisError, match=message):
        analyze(["Iran protested. Baku did not care."], StubClassifier(), explicit_mentions=[explicit])


def test_bad_requests_are_named():
    with pytest.raises(AnalysisError, match="got a single string"):
        analyze("Iran protested.", StubClassifier())  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="text #1 must be a string, got int"):
        analyze(["Iran.", 5], StubClassifier())  # type: ignore[list-item]
    with pytest.raises(AnalysisError, match="max_actors_per_sentence must be a positive integer"):
        analyze(["Iran."], StubClassifier(), max_actors_per_sentence=0)
    with pytest.raises(AnalysisError, match="explicit_mentions must have one list per text"):
        analyze(["Iran.", "Iraq."], StubClassifier(), explicit_mentions=[[]])
    with pytest.raises(ValueError, match=r"extra actor #0 \('x'\): alias #0 must be a non-empty string"):
        analyze(["Iran."], StubClassifier(), extra_actors=[{"id": "x", "name": "X", "aliases": [" "]}])


def test_a_classifier_that_loses_records_is_caught():
    class Lossy(StubClassifier):
        def predict(self, records):
            return super().predict(records)[:-1]

    with pytest.raises(AnalysisError, match="returned 3 predictions for 4 records"):
        analyze(["Iran accused Iraq."], Lossy())


def test_signature_is_clean_and_keyword_only():
    params = inspect.signature(analyze).parameters
    assert list(params)[:2] == ["texts", "classifier"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for name, p in params.items()
               if name not in ("texts", "classifier"))


def test_render_is_readable_plain_text(result):
    _, docs = result
    text = render(docs)
    assert "Document article-1: 4 sentences" in text
    assert "Iran (IRN)" in text and "hostile -> Azerbaijan (0.90)" in text
    assert "Ilham Aliyev [person]" in text
    assert "Relations" in text and "Actors" in text


def test_ner_fallback_reports_unlinked_actors():
    text = "The Kurdistan Regional Government accused Baghdad of withholding salaries."
    (plain,) = analyze([text], StubClassifier())
    assert [a.id for a in plain.sentences[0].actors] == ["IRQ"]
    (doc,) = analyze([text], StubClassifier(), ner=True)
    actors = {a.id: a for a in doc.sentences[0].actors}
    assert "IRQ" in actors
    unlinked = [a for a in actors.values() if a.type == "unlinked"]
    assert unlinked and all(a.id.startswith("unlinked:") and a.mentions[0].source == "ner" for a in unlinked)
    assert any("Kurdistan Regional Government" in a.name for a in unlinked)


def test_neutral_pairs_only_on_request_and_repeated_evidence_counts_once():
    caption = "Tehran accused Baku on Monday."
    text = f"{caption} Russia met Baku. {caption}"
    (doc,) = analyze([text], StubClassifier())
    assert all(p.label != "neutral" for s in doc.sentences for p in s.pairs)
    assert doc.sentences[1].pairs == []  # Russia-Baku: neutral both ways, listed only on request
    [relation] = doc.summary.relations
    assert relation.evidence_count == 1 and [e.sentence for e in relation.evidence] == [0]
    (full,) = analyze([text], StubClassifier(), include_neutral_pairs=True)
    assert len(full.sentences[1].pairs) == 2
    assert full.summary == doc.summary


def test_aggregate_over_documents():
    from stance.analysis import aggregate

    docs = analyze(["Tehran accused Baku.", "Turkey backed Baku. Tehran accused Baku.", "Nothing."],
                   StubClassifier(), ids=["a", "b", "c"])
    corpus = aggregate(docs, dates=["2024-05-01", "2024-05-02", None], sources=["X", None, None])
    top = corpus.relations[0]
    assert (top.holder.id, top.stance, top.target.id, top.document_count, top.documents) == (
        "IRN", "hostile", "AZE", 2, ["a", "b"])
    assert top.evidence_count == 1  # the same sentence text in both documents
    assert top.by_date == {"2024-05-01": 1, "2024-05-02": 1}
    assert [d.relations for d in corpus.documents] == [1, 2, 0] and corpus.documents[0].source == "X"


def test_evidence_snippets_of_long_later_sentences_show_the_actors():
    """Mention offsets are the document's: a snippet cut from a long sentence deep in the text must still show the
    holder and target (it once came out empty, as an ellipsis)."""
    filler = "Officials met on Monday in the capital to discuss the weather and other matters. " * 3
    text = filler + ("After a long and winding morning of talks about trade, tariffs, shipping lanes and fisheries, "
                     "Tehran said it would respond firmly to Baku and its partners in the region.")
    [doc] = analyze([text], StubClassifier())
    rendered = render([doc])
    line = next(line for line in rendered.splitlines() if line.strip().startswith('"'))
    assert "Tehran" in line and "Baku" in line, line
