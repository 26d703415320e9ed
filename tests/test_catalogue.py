"""The actor catalogue: coverage, ids, canonical names, persons, validation errors, file location."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stance.actors import ActorType, CatalogueError, ExtraActor, load_catalogue, slugify
from stance.actors.catalogue import (
    ENV_ACTORS_FILE,
    UN_MEMBERS,
    UN_OBSERVERS,
    build_catalogue,
    default_actors_file,
    fold_ascii,
)

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "datasets" / "ir-corpus" / "articles"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_every_un_member_and_observer_is_a_state(catalogue):
    assert len(UN_MEMBERS) == 193 and {"VAT", "PSE"} == UN_OBSERVERS
    for code in UN_MEMBERS | UN_OBSERVERS | {"TWN", "XKX"}:
        assert catalogue.get(code).type is ActorType.STATE


@pytest.mark.parametrize("code,name", [
    ("IRN", "Iran"), ("RUS", "Russia"), ("KOR", "South Korea"), ("PRK", "North Korea"), ("SYR", "Syria"),
    ("TUR", "Turkey"), ("VNM", "Vietnam"), ("TWN", "Taiwan"), ("PSE", "Palestine"), ("XKX", "Kosovo"),
    ("VAT", "Holy See"), ("USA", "United States"), ("GBR", "United Kingdom"), ("COD", "DR Congo"),
    ("CHN", "China"), ("MKD", "North Macedonia"),
])
def test_canonical_short_english_names(catalogue, code, name):
    assert catalogue.get(code).name == name


def test_ids_follow_the_rules(catalogue):
    patterns = {
        ActorType.STATE: r"[A-Z]{3}",
        ActorType.ORGANISATION: r"org:[a-z0-9]+(-[a-z0-9]+)*",
        ActorType.GROUP: r"group:[a-z0-9]+(-[a-z0-9]+)*",
        ActorType.PERSON: r"person:[a-z0-9]+(-[a-z0-9]+)*",
    }
    for actor in catalogue.actors.values():
        assert re.fullmatch(patterns[actor.type], actor.id), actor.id


def test_rules_md_organisations_and_groups_are_present(catalogue):
    orgs = ["un", "nato", "eu", "au", "asean", "opec", "iaea", "who", "imf", "world-bank", "unhcr", "wfp", "ecowas", "sco", "brics", "g7", "g20", "gcc", "arab-league", "oas", "icc", "icj", "un-security-council", "unicef", "wto", "osce", "oic", "sadc", "eac", "mercosur", "csto", "unrwa"]
    groups = ["hamas", "hezbollah", "houthis", "taliban", "isis", "al-shabaab", "m23", "rsf", "wagner", "pkk", "boko-haram", "jnim"]
    for slug in orgs:
        assert catalogue.get(f"org:{slug}").type is ActorType.ORGANISATION
    for slug in groups:
        assert catalogue.get(f"group:{slug}").type is ActorType.GROUP


def test_state_bodies_and_metonyms_belong_to_their_state(catalogue):
    assert {"Kremlin"} <= set(catalogue.get("RUS").bodies)
    assert {"White House", "Pentagon", "State Department"} <= set(catalogue.get("USA").bodies)
    assert {"Downing Street"} <= set(catalogue.get("GBR").bodies)
    assert "Brussels" in catalogue.get("org:eu").bodies
    assert "Tehran" in catalogue.get("IRN").capitals and "Moscow" in catalogue.get("RUS").capitals
    for alias in ("US", "U.S.", "America"):
        assert alias in catalogue.get("USA").aliases
    for alias in ("UK", "Britain"):
        assert alias in catalogue.get("GBR").aliases


def test_persons_cover_at_least_sixty_states(catalogue):
    persons = catalogue.by_type(ActorType.PERSON)
    states = {p.speaks_for for p in persons if p.speaks_for and catalogue.get(p.speaks_for).type is ActorType.STATE}
    assert len(states) >= 60
    for p in persons:
        assert p.id == "person:" + slugify(p.name)
        assert p.role
        if p.speaks_for is not None:
            assert catalogue.get(p.speaks_for).type is not ActorType.PERSON
        if p.since and p.until:
            assert p.since <= p.until


def test_a_person_resolves_to_the_actor_they_speak_for(catalogue):
    assert catalogue.resolve("person:ilham-aliyev").id == "AZE"
    assert catalogue.resolve("person:antonio-guterres").id == "org:un"
    assert catalogue.resolve("IRN").id == "IRN"
    aliyev = catalogue.get("person:ilham-aliyev")
    assert aliyev.to_dict() == {"id": "person:ilham-aliyev", "name": "Ilham Aliyev", "type": "person",
                                "role": "President of Azerbaijan", "speaks_for": "AZE", "since": "2003-10-31",
                                "until": None}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus in this checkout")
def test_every_actor_id_of_the_corpus_is_in_the_catalogue(catalogue):
    used = set()
    for file in CORPUS.glob("*.jsonl"):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                for sentence in json.loads(line)["sentences"]:
                    used.update(m["actor"] for m in sentence["mentions"])
    assert sorted(i for i in used if i not in catalogue) == []


def test_slugify_and_fold():
    assert slugify("Recep Tayyip Erdoğan") == "recep-tayyip-erdogan"
    assert slugify("Jean-Noël Barrot") == "jean-noel-barrot"
    assert slugify("Lars Løkke Rasmussen") == "lars-lokke-rasmussen"
    assert fold_ascii("Türkiye") == "Turkiye"


def test_catalogue_file_location(monkeypatch, tmp_path):
    assert default_actors_file() == REPO / "datasets" / "actors.yaml"
    small = tmp_path / "actors.yaml"
    small.write_text("organisations:\n  - {id: org:acme-league, name: Acme League, aliases: [ACL]}\n",
                     encoding="utf-8")
    monkeypatch.setenv(ENV_ACTORS_FILE, str(small))
    assert default_actors_file() == small
    cat = load_catalogue()
    assert cat.get("org:acme-league").name == "Acme League"
    assert "IRN" in cat  # countryinfo states are always there
    monkeypatch.setenv(ENV_ACTORS_FILE, str(tmp_path / "missing.yaml"))
    with pytest.raises(FileNotFoundError, match="STANCE_ACTORS_FILE"):
        load_catalogue()


@pytest.mark.parametrize("data,message", [
    ({"organisations": [{"id": "UN", "name": "United Nations"}]}, r"organisations\[0\]: id 'UN' does not follow"),
    ({"groups": [{"id": "group:x", "name": ""}]}, r"groups\[0\] \(group:x\): 'name' must be a non-empty string"),
    ({"persons": [{"id": "person:ilham", "name": "Ilham Aliyev", "speaks_for": "AZE"}]},
     r"expected 'person:ilham-aliyev'"),
    ({"persons": [{"id": "person:jane-doe", "name": "Jane Doe", "speaks_for": "org:nowhere"}]},
     r"'speaks_for' must name a state, organisation or group in the catalogue, got 'org:nowhere'"),
    ({"groups": [{"id": "group:a", "name": "A", "aliases": ["Alpha"]}, {"id": "group:b", "name": "B",
                                                                           "aliases": ["Alpha"]}]},
     r"alias 'Alpha' is given to both 'group:a' and 'group:b'"),
    ({"groups": [{"id": "group:a", "name": "A", "aliases": [""]}]}, r"groups\[0\] \(group:a\).aliases: item #0"),
    ({"groups": [{"id": "group:a", "name": "A", "colour": "red"}]}, r"unknown field\(s\) \['colour'\]"),
    ({"state_overrides": {"ZZZ": {"name": "Nowhere"}}}, r"state_overrides\['ZZZ'\]: no such state"),
    ({"persons": [{"id": "person:jane-doe", "name": "Jane Doe", "since": "2024-05-01", "until": "2023-01-01"}]},
     r"'until' 2023-01-01 is before 'since' 2024-05-01"),
    ({"actors": []}, r"unknown top-level key\(s\) \['actors'\]"),
])
def test_bad_entries_are_named(data, message):
    with pytest.raises(CatalogueError, match=message):
        build_catalogue(data, source="test.yaml")


def test_extra_actors_are_validated(catalogue):
    ok = catalogue.with_extra([ExtraActor(id="acme", name="Acme Corp", aliases=("Acme",)),
                               {"id": "jane", "name": "Jane Roe", "type": "person", "speaks_for": "acme"}])
    assert ok.get("acme").type is ActorType.ORGANISATION
    assert ok.resolve("jane").id == "acme"
    assert "acme" not in catalogue  # the shared catalogue is untouched
    with pytest.raises(CatalogueError, match=r"extra actor #0 \('acme'\): alias #1 must be a non-empty string"):
        catalogue.with_extra([ExtraActor(id="acme", name="Acme", aliases=("Acme", ""))])
    with pytest.raises(CatalogueError, match=r"extra actor #0 \('IRN'\): the id is already in the catalogue"):
        catalogue.with_extra([ExtraActor(id="IRN", name="Iran again")])
    with pytest.raises(CatalogueError, match=r"extra actor #0: 'id' must be a non-empty string without spaces"):
        catalogue.with_extra([{"id": "my actor", "name": "X"}])
    with pytest.raises(CatalogueError, match=r"'type' must be one of"):
        catalogue.with_extra([{"id": "x", "name": "X", "type": "company"}])
    with pytest.raises(CatalogueError, match=r"extra actor #0: unknown field\(s\) \['alias'\]"):
        catalogue.with_extra([{"id": "x", "name": "X", "alias": ["Y"]}])
    with pytest.raises(CatalogueError, match=r"extra actor #1 \('b'\): alias 'Bravo' is also given to extra actor 'a'"):
        catalogue.with_extra([{"id": "a", "name": "A", "aliases": ["Bravo"]}, {"id": "b", "name": "Bravo"}])
    with pytest.raises(CatalogueError, match=r"'speaks_for' names unknown actor 'nobody'"):
        catalogue.with_extra([{"id": "x", "name": "X", "type": "person", "speaks_for": "nobody"}])
