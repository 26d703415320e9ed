"""The HTTP service in-process (its ASGI app through starlette's TestClient), with a tiny model exported into a
temporary BentoML store: the schemas, the answers, and every error path (4xx naming the field, never a 500)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.model

# Small limits, so that every limit is cheap to exceed. The service reads them when a request comes (the body limit
# and the schema validators) or when its instance starts (the analysis record limit).
LIMITS = {
    "STANCE_MAX_TEXT_CHARS": "600",
    "STANCE_MAX_TEXTS": "3",
    "STANCE_MAX_RECORDS": "8",
    "STANCE_MAX_EXTRA_ACTORS": "2",
    "STANCE_MAX_BODY_BYTES": "20000",
    "STANCE_MAX_ANALYSIS_RECORDS": "40",
    # fp32 ONNX: the tests compare the service's probabilities with PyTorch's to 1e-5, which int8 is not held to
    # (the gate holds it to labels and macro-F1)
    "STANCE_BACKEND": "onnx",
}
TEXT = "Tehran was quick to accuse Azerbaijan of siding with Israel."
IRN, AZE, ISR = (0, 6), (27, 37), (53, 59)


def record(rid: str = "r1", text: str = TEXT, holder: Any = IRN, target: Any = AZE, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": rid, "text": text, "target": _span(target)}
    out["holder"] = _span(holder)
    out.update(extra)
    return out


def _span(value: Any) -> Any:
    return {"start": value[0], "end": value[1]} if isinstance(value, tuple) else value


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Iterator[dict[str, Any]]:
    """A temporary BentoML store holding the tiny model, and the environment the service starts with."""
    from bentoml._internal.configuration.containers import BentoMLContainer
    from bentoml._internal.models import ModelStore

    from serving.settings import get_settings

    home = tmp_path_factory.mktemp("bentoml")
    (home / "models").mkdir()
    with pytest.MonkeyPatch.context() as mp, BentoMLContainer.model_store.patch(ModelStore(home / "models")):
        mp.setenv("BENTOML_HOME", str(home))  # BentoML caches its home once per process: the patch covers that
        for key, value in LIMITS.items():
            mp.setenv(key, value)
        from serving.export import export_champion
        from stance_cli.gating import gate_exports

        tag = export_champion(tiny_model_dir, gate=gate_exports)
        mp.setenv("STANCE_BENTO_MODEL", str(tag))
        get_settings.cache_clear()
        yield {"home": home, "tag": str(tag)}
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def client(store: dict[str, Any]) -> Iterator[Any]:
    import torch
    from starlette.testclient import TestClient
    from threadpoolctl import threadpool_limits

    from serving.service import StanceService

    # the services set thread counts for their own processes; here that process is pytest's: restore them after
    torch_threads = torch.get_num_threads()
    with threadpool_limits(limits=None), TestClient(StanceService.to_asgi()) as test_client:
        yield test_client
    torch.set_num_threads(torch_threads)


def post(client: Any, route: str, payload: Any = None, *, content: bytes | None = None, **kwargs: Any) -> Any:
    if content is None:
        content = json.dumps(payload).encode("utf-8")
    headers = kwargs.pop("headers", {"Content-Type": "application/json"})
    return client.post(route, content=content, headers=headers, **kwargs)


def errors(response: Any) -> list[dict[str, Any]]:
    """The validation details of a 4xx answer (never a 500)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert "error" in body, body
    return body["detail"]


def assert_error(response: Any, loc: list[Any], *needles: str) -> str:
    """A 400 whose details include one at `loc` (a prefix of it) whose message contains every needle."""
    details = errors(response)
    assert response.status_code == 400, response.text
    matching = [d for d in details if d["loc"][: len(loc)] == loc]
    assert matching, f"no error at {loc}: {details}"
    text = " | ".join(d["msg"] for d in matching)
    for needle in needles:
        assert needle in text, f"{needle!r} not in {text!r}"
    return text


# --- /classify ------------------------------------------------------------------------------------------------------


def test_classify_labels_each_record_with_its_distribution(client: Any, store: dict[str, Any]) -> None:
    records = [record("s1"), record("s2", holder=AZE, target=IRN), record("p1", holder=None, target=ISR)]
    response = post(client, "/classify", {"records": records})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"]["bento_tag"] == store["tag"]
    assert body["model"]["base_model"] == "tiny-random-bert"
    assert [r["id"] for r in body["results"]] == ["s1", "s2", "p1"]
    assert [r["task"] for r in body["results"]] == ["stance", "stance", "sentiment"]
    for result, names in zip(body["results"], (["neutral", "supportive", "hostile"],) * 2 + (
            ["negative", "neutral", "positive"],)):
        assert list(result["probabilities"]) == names  # label order
        assert math.isclose(sum(result["probabilities"].values()), 1.0, abs_tol=1e-5)
        assert result["label"] == max(result["probabilities"], key=result["probabilities"].get)


def test_classify_gives_what_the_predictor_gives(client: Any, tiny_model_dir: Path) -> None:
    from stance.predictor import Predictor
    from stance.records import PairRecord

    records = [record("a"), record("b", holder=ISR, target=IRN), record("c", holder=None)]
    expected = Predictor.load(tiny_model_dir).predict([PairRecord.from_dict(r) for r in records])
    response = post(client, "/classify", {"records": records})
    assert response.status_code == 200, response.text
    for got, want in zip(response.json()["results"], expected):
        assert got["label"] == want.label
        assert got["probabilities"] == pytest.approx(want.distribution(), abs=1e-5)


def test_responses_name_the_backend_that_ran_the_model(client: Any, store: dict[str, Any]) -> None:
    import bentoml

    gate = bentoml.models.get(store["tag"]).info.metadata["onnx_gate"]  # the gate's figures travel with the model
    assert gate["variants"]["onnx"]["passed"]
    for route, payload in (("/classify", {"records": [record("s1")]}), ("/analyze", {"texts": TEXT})):
        response = post(client, route, payload)
        assert response.status_code == 200, response.text
        assert response.json()["model"]["backend"] == "onnx"


def test_classify_accepts_an_absent_holder_as_a_sentiment_record(client: Any) -> None:
    response = post(client, "/classify", {"records": [{"id": "t", "text": TEXT, "target": _span(AZE)}]})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["task"] == "sentiment"


# --- /analyze -------------------------------------------------------------------------------------------------------


def _close(got: Any, want: Any, path: str = "$") -> None:
    """Equal structure and values; floats to 1e-3 (batch composition can move the last digits)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), f"{path}: keys {list(got)} != {list(want)}"
        for key in want:
            _close(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            _close(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, abs=1e-3), path
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def test_analyze_returns_what_the_analysis_returns(client: Any, tiny_model_dir: Path, store: dict[str, Any]) -> None:
    from stance.analysis import analyze
    from stance.predictor import Predictor

    texts = [TEXT + " Turkey provided political backing and helped shield Baku.", "Russia remained neutral."]
    extra = [{"id": "org:caspian-forum", "name": "Caspian Forum", "aliases": ["the Forum"]}]
    response = post(client, "/analyze", {"texts": texts, "ids": ["a", "b"], "extra_actors": extra})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"]["bento_tag"] == store["tag"]
    want = [d.to_dict() for d in analyze(texts, Predictor.load(tiny_model_dir), extra_actors=extra, ids=["a", "b"])]
    _close(body["documents"], json.loads(json.dumps(want)))


def test_analyze_takes_one_text_and_extra_actors(client: Any) -> None:
    text = "The Caspian Forum praised Azerbaijan."
    extra = [{"id": "org:caspian-forum", "name": "Caspian Forum", "type": "organisation"}]
    response = post(client, "/analyze", {"texts": text, "extra_actors": extra, "include_neutral_pairs": True})
    assert response.status_code == 200, response.text
    [document] = response.json()["documents"]
    assert document["schema"] == "stance.analysis/2" and document["id"] == "0" and document["length"] == len(text)
    [sentence] = document["sentences"]
    actors = {a["id"]: a for a in sentence["actors"]}
    assert set(actors) == {"org:caspian-forum", "AZE"}
    mention = actors["org:caspian-forum"]["mentions"][0]
    assert text[mention["start"]:mention["end"]] == "Caspian Forum" and mention["source"] == "extra"
    assert {(p["holder"]["id"], p["target"]["id"]) for p in sentence["pairs"]} == {("org:caspian-forum", "AZE"),
                                                                       ("AZE", "org:caspian-forum")}
    assert actors["AZE"]["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert {a["id"] for a in document["summary"]["actors"]} == {"org:caspian-forum", "AZE"}


def test_analyze_with_ner_reports_unlinked_entities(client: Any) -> None:
    text = "The Zorblax Alliance condemned Iran."
    response = post(client, "/analyze", {"texts": text, "ner": True})
    assert response.status_code == 200, response.text
    actors = response.json()["documents"][0]["sentences"][0]["actors"]
    assert [(a["id"], a["type"]) for a in actors] == [("unlinked:zorblax-alliance", "unlinked"), ("IRN", "state")]
    assert actors[0]["mentions"][0]["source"] == "ner"


def test_analyze_text_without_actors(client: Any) -> None:
    response = post(client, "/analyze", {"texts": ["Nothing to see here. It rained."]})
    assert response.status_code == 200, response.text
    [document] = response.json()["documents"]
    assert [s["actors"] for s in document["sentences"]] == [[], []]
    assert document["summary"] == {"relations": [], "actors": []}


# --- infrastructure endpoints and the spec --------------------------------------------------------------------------


def test_health_endpoints(client: Any) -> None:
    assert client.get("/livez").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_openapi_documents_every_field_with_examples(client: Any) -> None:
    spec = client.get("/docs.json").json()
    for route in ("/analyze", "/classify"):
        operation = spec["paths"][route]["post"]
        assert operation["description"]
        request = operation["requestBody"]["content"]["application/json"]["schema"]
        assert request.get("example"), f"{route}: no request example"
        assert request["additionalProperties"] is False
    schemas = spec["components"]["schemas"]
    ours = ["ClassifyRequestIODescriptor", "RecordIn", "SpanIn", "ClassifyResponseIODescriptor", "ModelInfo",
            "PredictionOut", "AnalyzeRequestIODescriptor", "ExtraActorIn", "AnalyzeResponseIODescriptor",
            "DocumentAnalysis", "Sentence", "SentenceActor", "Pair", "Mention", "DocumentSummary", "Relation",
            "Evidence", "Strength", "ActorSummary", "ActorSentiment", "StanceProfile", "StanceCounts", "ActorRef",
            "ErrorBody", "ErrorItem"]
    for name in ours:
        for field, prop in schemas[name]["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"
    assert "STANCE_MAX_RECORDS" in schemas["ClassifyRequestIODescriptor"]["properties"]["records"]["description"]


def test_no_request_field_names_a_file_or_a_model(client: Any) -> None:
    schemas = client.get("/docs.json").json()["components"]["schemas"]
    request_models = ["ClassifyRequestIODescriptor", "RecordIn", "SpanIn", "AnalyzeRequestIODescriptor",
                      "ExtraActorIn"]
    fields = {f for name in request_models for f in schemas[name]["properties"]}
    assert not fields & {"model", "model_uri", "path", "file", "catalogue", "catalogue_path", "url"}
    response = post(client, "/analyze", {"texts": TEXT, "catalogue_path": "/etc/passwd"})
    assert_error(response, ["catalogue_path"], "is not a field of this request")
    response = post(client, "/classify", {"records": [record()], "model": "/tmp/other-model"})
    assert_error(response, ["model"], "is not a field of this request")


# --- error paths: /classify -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/classify", "/analyze"])
@pytest.mark.parametrize("content", [b"{not json", b'{"records": [', b"", b"\xff\xfe"])
def test_malformed_json_is_400(client: Any, route: str, content: bytes) -> None:
    assert errors(post(client, route, content=content))


@pytest.mark.parametrize("route", ["/classify", "/analyze"])
@pytest.mark.parametrize("payload", [[], [1, 2], "text", 3, None])
def test_body_that_is_not_an_object_is_400(client: Any, route: str, payload: Any) -> None:
    assert errors(post(client, route, payload))


CLASSIFY_ERRORS = [
    # (name, payload, loc, words the message must contain)
    ("no records field", {}, ["records"], ["is required and missing"]),
    ("records not a list", {"records": {"id": "x"}}, ["records"], ["valid array"]),
    ("empty list", {"records": []}, ["records"], ["at least 1 item"]),
    ("over the record limit", {"records": [record(f"r{i}") for i in range(9)]}, ["records"],
     ["'records' has 9 records", "limit is 8", "STANCE_MAX_RECORDS"]),
    ("unknown top-level field", {"records": [record()], "batch": 3}, ["batch"], ["is not a field of this request"]),
    ("unknown record field", {"records": [record(lang="en")]}, ["records", 0, "lang"], ["is not a field of this request"]),
    ("a label on a record", {"records": [record(stance="hostile")]}, ["records", 0, "stance"], ["is not a field of this request"]),
    ("unknown span field", {"records": [record(target={"start": 27, "end": 37, "len": 10})]},
     ["records", 0, "target", "len"], ["is not a field of this request"]),
    ("missing target", {"records": [{"id": "x", "text": TEXT}]}, ["records", 0, "target"], ["is required and missing"]),
    ("missing span end", {"records": [record(target={"start": 3})]}, ["records", 0, "target", "end"],
     ["is required and missing"]),
    ("id not a string", {"records": [record(rid=7)]}, ["records", 0, "id"], ["valid string"]),
    ("empty id", {"records": [record(rid="")]}, ["records", 0, "id"], ["at least 1 character"]),
    ("text not a string", {"records": [record(text=["a"])]}, ["records", 0, "text"], ["valid string"]),
    ("empty text", {"records": [record(text="")]}, ["records", 0, "text"], ["at least 1 character"]),
    ("offset as a string", {"records": [record(target={"start": "27", "end": 37})]},
     ["records", 0, "target", "start"], ["valid integer"]),
    ("offset as a float", {"records": [record(target={"start": 27.0, "end": 37})]},
     ["records", 0, "target", "start"], ["valid integer"]),
    ("span not an object", {"records": [record(holder=[0, 6])]}, ["records", 0, "holder"], ["must be an object"]),
    ("span past the end", {"records": [record(target=(50, 99))]}, ["records", 0],
     ["record 'r1'", "target span [50, 99)", "inside the text of length 60"]),
    ("negative offset", {"records": [record(holder=(-1, 6))]}, ["records", 0], ["record 'r1'", "holder span [-1, 6)"]),
    ("empty span", {"records": [record(target=(27, 27))]}, ["records", 0], ["record 'r1'", "[27, 27)", "non-empty"]),
    ("reversed span", {"records": [record(target=(37, 27))]}, ["records", 0], ["record 'r1'", "[37, 27)"]),
    ("whitespace span", {"records": [record(target=(6, 7))]}, ["records", 0], ["record 'r1'", "only whitespace"]),
    ("overlapping spans", {"records": [record(holder=(0, 10), target=(5, 20))]}, ["records", 0],
     ["record 'r1'", "holder [0, 10)", "target [5, 20)", "overlap"]),
    ("same span twice", {"records": [record(holder=AZE, target=AZE)]}, ["records", 0], ["overlap"]),
    ("duplicate ids", {"records": [record("d"), record("d", holder=AZE, target=IRN)]}, ["records"],
     ["'d' appears twice"]),
    ("text over the limit", {"records": [record(text="x" * 601)]}, ["records", 0],
     ["'text' has 601 characters", "limit is 600", "STANCE_MAX_TEXT_CHARS"]),
]


@pytest.mark.parametrize("name,payload,loc,needles", CLASSIFY_ERRORS, ids=[c[0] for c in CLASSIFY_ERRORS])
def test_classify_rejects(client: Any, name: str, payload: Any, loc: list[Any], needles: list[str]) -> None:
    assert_error(post(client, "/classify", payload), loc, *needles)


# --- error paths: /analyze ------------------------------------------------------------------------------------------

ANALYZE_ERRORS = [
    ("no texts field", {}, ["texts"], ["is required and missing"]),
    ("texts not text", {"texts": 5}, ["texts"], ["must be a string or a list of strings", "got 5"]),
    ("a text not a string", {"texts": ["ok", 5]}, ["texts"], ["valid string"]),
    ("empty list", {"texts": []}, ["texts"], ["'texts' is an empty list"]),
    ("empty text", {"texts": ""}, ["texts"], ["'texts' is empty"]),
    ("whitespace text", {"texts": ["fine.", "  \n "]}, ["texts"], ["'texts' item 1 is empty"]),
    ("over the texts limit", {"texts": ["a."] * 4}, ["texts"], ["'texts' has 4 texts", "limit is 3",
                                                                  "STANCE_MAX_TEXTS"]),
    ("text over the limit", {"texts": ["ok.", "y" * 601]}, ["texts"],
     ["'texts' item 1 has 601 characters", "limit is 600", "STANCE_MAX_TEXT_CHARS"]),
    ("single text over the limit", {"texts": "y" * 601}, ["texts"], ["'texts' has 601 characters"]),
    ("unknown field", {"texts": TEXT, "lang": "en"}, ["lang"], ["is not a field of this request"]),
    ("ner not a boolean", {"texts": TEXT, "ner": "yes"}, ["ner"], ["valid boolean"]),
    ("ids count", {"texts": ["a.", "b."], "ids": ["x"]}, [], ["'ids' has 1 ids for 2 texts"]),
    ("duplicate ids", {"texts": ["a.", "b."], "ids": ["x", "x"]}, [], ["'ids' must be non-empty and unique"]),
    ("extra actors not a list", {"texts": TEXT, "extra_actors": {"id": "a"}}, ["extra_actors"], ["valid array"]),
    ("over the extra actors limit",
     {"texts": TEXT, "extra_actors": [{"id": f"org:x{i}", "name": f"X{i}"} for i in range(3)]},
     ["extra_actors"], ["'extra_actors' has 3 actors", "limit is 2", "STANCE_MAX_EXTRA_ACTORS"]),
    ("extra actor without a name", {"texts": TEXT, "extra_actors": [{"id": "org:x"}]},
     ["extra_actors", 0, "name"], ["is required and missing"]),
    ("extra actor unknown field", {"texts": TEXT, "extra_actors": [{"id": "org:x", "name": "X", "url": "u"}]},
     ["extra_actors", 0, "url"], ["is not a field of this request"]),
    ("extra actor bad type", {"texts": TEXT, "extra_actors": [{"id": "org:x", "name": "X", "type": "city"}]},
     ["extra_actors", 0, "type"], ["'state'", "'person'"]),
    ("extra actor too many aliases",
     {"texts": TEXT, "extra_actors": [{"id": "org:x", "name": "X", "aliases": [f"A{i}" for i in range(51)]}]},
     ["extra_actors", 0, "aliases"], ["at most 50 items"]),
    ("extra actor takes a catalogue id", {"texts": TEXT, "extra_actors": [{"id": "IRN", "name": "Iran Two"}]},
     ["extra_actors"], ["extra actor #0 ('IRN')", "already in the catalogue"]),
    ("extra actor id with spaces", {"texts": TEXT, "extra_actors": [{"id": "org x", "name": "X"}]},
     ["extra_actors"], ["extra actor #0", "without spaces"]),
    ("alias given to two extra actors",
     {"texts": TEXT, "extra_actors": [{"id": "org:a", "name": "Alpha", "aliases": ["AB"]},
                                      {"id": "org:b", "name": "Beta", "aliases": ["AB"]}]},
     ["extra_actors"], ["alias 'AB'", "also given to extra actor 'org:a'"]),
    ("speaks_for an unknown actor",
     {"texts": TEXT, "extra_actors": [{"id": "person:x", "name": "Jo X", "type": "person", "speaks_for": "org:zz"}]},
     ["extra_actors"], ["'speaks_for' names unknown actor 'org:zz'"]),
]


@pytest.mark.parametrize("name,payload,loc,needles", ANALYZE_ERRORS, ids=[c[0] for c in ANALYZE_ERRORS])
def test_analyze_rejects(client: Any, name: str, payload: Any, loc: list[Any], needles: list[str]) -> None:
    assert_error(post(client, "/analyze", payload), loc, *needles)


def test_analyze_rejects_texts_with_more_pairs_than_the_limit(client: Any) -> None:
    # 4 states in one sentence: 12 stance pairs + 4 sentiment records = 16 per sentence, 48 for three sentences
    sentence = "Iran, Israel, Turkey and Russia met."
    response = post(client, "/analyze", {"texts": " ".join([sentence] * 3)})
    assert_error(response, ["texts"], "48 actor pair and sentiment records", "limit is 40",
                 "STANCE_MAX_ANALYSIS_RECORDS")
    assert post(client, "/analyze", {"texts": sentence}).status_code == 200


# --- error paths: transport -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/classify", "/analyze"])
def test_body_over_the_byte_limit_is_413(client: Any, route: str) -> None:
    content = b'{"texts": "' + b"x" * 20_001 + b'"}'
    response = post(client, route, content=content)
    assert response.status_code == 413
    body = response.json()
    assert f"{len(content)} bytes" in body["error"] and "limit is 20000 bytes" in body["error"]
    assert "STANCE_MAX_BODY_BYTES" in body["error"] and body["detail"][0]["loc"] == ["body"]


def test_chunked_body_over_the_byte_limit_is_413(client: Any) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the middleware counts
        yield b'{"texts": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'

    response = client.post("/analyze", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "more than 20000 bytes" in response.json()["error"]


def test_pickle_payloads_are_refused(client: Any) -> None:
    import pickle

    response = post(client, "/classify", content=pickle.dumps({"records": [record()]}),
                    headers={"Content-Type": "application/vnd.bentoml+pickle"})
    assert response.status_code == 415


def test_wrong_method_is_405(client: Any) -> None:
    assert client.get("/classify").status_code == 405


# --- model hand-over and settings -----------------------------------------------------------------------------------


def test_export_is_skipped_for_the_same_folder(store: dict[str, Any], tiny_model_dir: Path) -> None:
    import bentoml

    from serving.export import export_champion
    from stance_cli.gating import gate_exports

    assert str(export_champion(tiny_model_dir, gate=gate_exports)) == store["tag"]
    metadata = bentoml.models.get(store["tag"]).info.metadata
    assert metadata["label_sets"] == {"stance": ["neutral", "supportive", "hostile"],
                                      "sentiment": ["negative", "neutral", "positive"]}
    assert metadata["base_model"] == "tiny-random-bert"


def test_export_from_the_mlflow_registry_records_the_version(store: dict[str, Any], tiny_model_dir: Path,
                                                             mlruns: Path) -> None:
    import bentoml
    import mlflow
    from mlflow import MlflowClient

    from serving.export import CHAMPION_URI, export_champion
    from serving.schemas import ModelInfo
    from stance.mlflow_model import log_stance_model
    from stance_cli.gating import gate_exports

    uri = f"sqlite:///{mlruns / 'mlflow.db'}"
    mlruns.mkdir(parents=True)
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.create_experiment("stance", artifact_location=(mlruns / "artifacts").as_uri())
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_metrics({"val_score": 0.61, "val_stance_macro_f1": 0.55, "train_loss": 0.9})
        logged = log_stance_model(tiny_model_dir)
    version = mlflow.register_model(f"models:/{logged.model_id}", "stance").version
    MlflowClient().set_registered_model_alias("stance", "champion", version)

    tag = export_champion(CHAMPION_URI, tracking_uri=uri, gate=gate_exports)
    stored = bentoml.models.get(tag)
    assert stored.info.labels["registry_version"] == str(version)
    assert stored.info.metadata["mlflow_run_id"] == run.info.run_id
    assert stored.info.metadata["metrics"] == {"val_score": 0.61, "val_stance_macro_f1": 0.55}
    info = ModelInfo.from_bento_model(stored)
    assert (info.registered_model, info.registry_version, info.registry_alias) == ("stance", str(version), "champion")
    assert export_champion(CHAMPION_URI, tracking_uri=uri, gate=gate_exports) == tag  # same registry version: nothing copied


def test_export_names_the_store_when_there_is_no_champion(mlruns: Path) -> None:
    from serving.export import ExportError, export_champion

    mlruns.mkdir(parents=True)
    with pytest.raises(ExportError, match=r"models:/stance@champion.*mlflow\.db.*stance train"):
        export_champion("models:/stance@champion", tracking_uri=f"sqlite:///{mlruns / 'mlflow.db'}")


def test_a_missing_model_is_named_at_start_up(store: dict[str, Any]) -> None:
    from serving.service import ModelNotFound, load_bento_model

    with pytest.raises(ModelNotFound, match=r"no model 'stance:nope'.*stance export"):
        load_bento_model("stance:nope")


@pytest.mark.parametrize("value,message", [("many", "whole number"), ("0", "at least 1"), ("-5", "at least 1")])
def test_bad_settings_name_the_variable(value: str, message: str) -> None:
    from serving.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match=f"STANCE_MAX_TEXTS must be .*{message}"):
        Settings.from_env({"STANCE_MAX_TEXTS": value})
    assert Settings.from_env({"STANCE_MAX_TEXTS": "7", "STANCE_BENTO_MODEL": "stance:abc"}).max_texts == 7


# --- the page, readable errors and the spec (issue 12) ---------------------------------------------------------------


def test_ui_page_and_its_assets_are_served_offline(client: Any) -> None:
    page = client.get("/ui/")
    assert page.status_code == 200 and "static/stance.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    for asset in ("cytoscape.min.js", "stance.js", "page.js", "stance.css", "LICENSE-cytoscape.txt"):
        assert client.get(f"/ui/static/{asset}").status_code == 200, asset


@pytest.mark.parametrize("payload, field, words", [
    ({"texts": 5}, "texts", ["'texts' must be a string or a list of strings", "got 5"]),
    ({"texts": ["ok", 7]}, "texts", ["'texts[1]'", "got 7"]),
    ({"text": "x"}, "text", ["'text' is not a field of this request"]),
    ({"texts": ["a."] * 17}, "texts", ["'texts' has 17 texts; the limit is 3 (STANCE_MAX_TEXTS)"]),
])
def test_errors_read_as_sentences_without_internals(client: Any, payload: Any, field: str, words: list[str]) -> None:
    response = post(client, "/analyze", payload)
    assert response.status_code == 400
    body = response.json()
    text = json.dumps(body)
    for word in words:
        assert word in text, text
    for internal in ("IODescriptor", "errors.pydantic.dev", "Value error, ", "validation error for"):
        assert internal not in text, text
    assert set(body) == {"error", "detail"} and all(set(d) == {"type", "loc", "msg"} for d in body["detail"])
    assert field in [d["loc"][0] for d in body["detail"]]


def test_openapi_spec_is_the_projects_and_documents_errors(client: Any) -> None:
    spec = client.get("/docs.json").json()
    assert spec["info"]["title"] == "stance" and spec["info"]["version"] not in ("None", "", None)
    assert "BentoML" not in spec["info"]["description"]
    post_analyze = spec["paths"]["/analyze"]["post"]
    assert {"200", "400", "413", "415", "503"} <= set(post_analyze["responses"])
    for code in ("400", "413", "415", "503"):
        content = post_analyze["responses"][code]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/ErrorBody"} and content["examples"]
    texts = post_analyze["requestBody"]["content"]["application/json"]["schema"]["properties"]["texts"]
    assert [branch["type"] for branch in texts["anyOf"]] == ["string", "array"]
    detail = spec["components"]["schemas"]["ErrorBody"]["properties"]["detail"]
    assert detail["type"] == "array"
