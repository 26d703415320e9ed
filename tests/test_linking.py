"""Linking rules, each with real-looking news sentences."""

from __future__ import annotations

import time

import pytest

from stance.actors import ExtraActor, Linker, get_linker

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def linker() -> Linker:
    return get_linker()


def found(linker: Linker, text: str) -> list[tuple[str, str]]:
    """(surface, actor id) of each mention, checking that the offsets point at the surface."""
    out = []
    for m in linker.link(text):
        assert text[m.start:m.end] == m.text
        out.append((m.text, m.actor_id))
    return out


def test_states_capitals_and_demonyms(linker):
    text = "Tehran accused Baku of letting Israeli drones use its airspace."
    mentions = linker.link(text)
    assert [(m.start, m.end, m.actor_id, m.kind) for m in mentions] == [
        (0, 6, "IRN", "capital"), (15, 19, "AZE", "capital"), (31, 38, "ISR", "demonym")]


@pytest.mark.parametrize("text,expected", [
    ("Iran's foreign ministry summoned the envoy.", [("Iran", "IRN")]),
    ("Azerbaijan’s president rejected the claim.", [("Azerbaijan", "AZE")]),
    ("The Kremlin's spokesman declined to comment.", [("Kremlin", "RUS")]),
    ("Hamas' armed wing said it fired rockets.", [("Hamas", "group:hamas")]),
])
def test_possessives_are_left_out_of_the_span(linker, text, expected):
    assert found(linker, text) == expected


def test_case_keeps_the_state_apart_from_the_bird(linker):
    assert found(linker, "Turkey said it would cut tariffs on turkey and other poultry.") == [("Turkey", "TUR")]
    assert found(linker, "Let us be clear: the US will not back down, and who decides is the WHO.") == [
        ("US", "USA"), ("WHO", "org:who")]


def test_all_caps_headline(linker):
    assert found(linker, "IRAN WARNS AZERBAIJAN OVER ISRAEL TIES") == [
        ("IRAN", "IRN"), ("AZERBAIJAN", "AZE"), ("ISRAEL", "ISR")]


@pytest.mark.parametrize("text,expected", [
    ("Iranian threats against Azerbaijan grew.", [("Iranian", "IRN"), ("Azerbaijan", "AZE")]),
    ("Baku relies on Israeli technology.", [("Baku", "AZE"), ("Israeli", "ISR")]),
    ("Iranian-backed militias fired at U.S. troops.", [("Iranian", "IRN"), ("U.S.", "USA")]),
    ("Tehran fears the ethnic Azerbaijanis inside Iran.", [("Tehran", "IRN"), ("Iran", "IRN")]),
    ("Many Azerbaijanis live in northern Iran.", []),  # plural noun: a people; "northern Iran": a region
    ("The ethnic Azerbaijani minority in Iran protested.", [("Iran", "IRN")]),
    ("Leaders praised the Iranian people for their resilience.", []),
    ("Turkey hosts millions of Syrian refugees.", [("Turkey", "TUR")]),
    ("An Iranian-born scientist was detained in London.", []),
    ("More than 900,000 Sudanese have fled to Chad.", [("Chad", "TCD")]),
    ("Burundi accused Rwanda of arming Burundian rebels.", [("Burundi", "BDI"), ("Rwanda", "RWA")]),
    ("Chinese coast guard ships fired water cannon at a Philippine boat.", [("Chinese", "CHN"),
                                                                         ("Philippine", "PHL")]),
    ("Migrants are returned from the Libyan coast.", []),
])
def test_demonyms_are_the_state_only_in_adjective_use(linker, text, expected):
    assert found(linker, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("South Sudan and Sudan traded accusations.", [("South Sudan", "SSD"), ("Sudan", "SDN")]),
    ("Papua New Guinea signed a pact with Australia.", [("Papua New Guinea", "PNG"), ("Australia", "AUS")]),
    ("The Democratic Republic of the Congo accused Rwanda.", [("Democratic Republic of the Congo", "COD"),
                                                              ("Rwanda", "RWA")]),
    ("The Pakistani Taliban attacked a checkpoint.", [("Pakistani Taliban", "group:ttp")]),
    ("The UN Security Council met after the UN appeal.", [("UN Security Council", "org:un-security-council"),
                                                          ("UN", "org:un")]),
    ("Tehrik-e-Taliban Pakistan claimed the attack.", [("Tehrik-e-Taliban Pakistan", "group:ttp")]),
])
def test_longest_match_wins(linker, text, expected):
    assert found(linker, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Migrants crossed from New Mexico into Texas.", []),
    ("China's coast guard patrols the South China Sea.", [("China", "CHN")]),
    ("Latin American leaders met in Brasilia.", []),
    ("The Washington Post reported that Washington would respond.", [("Washington", "USA")]),
])
def test_blockers_keep_shorter_names_from_linking(linker, text, expected):
    assert found(linker, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Moscow said the talks in Moscow had been useful.", [("Moscow", "RUS")]),
    ("Kaja Kallas, visiting Amman, praised Jordan.", [("Kaja Kallas", "org:eu"), ("Jordan", "JOR")]),
    ("Aid arrived at Manila's request.", [("Manila", "PHL")]),
    ("Officials in Baghdad blamed Ankara.", [("Baghdad", "IRQ"), ("Ankara", "TUR")]),
    ("Under the Ankara Declaration, Somalia and Ethiopia agreed to talks.", [("Somalia", "SOM"),
                                                                           ("Ethiopia", "ETH")]),
    ("Pressure from Beijing grew after his visit to Beijing.", [("Beijing", "CHN")]),
    ("The White House said the Pentagon would send jets.", [("White House", "USA"), ("Pentagon", "USA")]),
    ("Brussels thanked Kyiv for its cooperation.", [("Brussels", "org:eu"), ("Kyiv", "UKR")]),
])
def test_capitals_and_bodies_are_the_state_unless_a_place(linker, text, expected):
    assert found(linker, text) == expected


def test_a_body_after_its_states_name_is_one_mention(linker):
    assert found(linker, "The U.S. State Department warned Vietnam.") == [("U.S.", "USA"), ("Vietnam", "VNM")]
    assert found(linker, "Iran's Revolutionary Guards warned Jordan.") == [("Iran", "IRN"), ("Jordan", "JOR")]
    assert found(linker, "The Revolutionary Guards warned Jordan.") == [("Revolutionary Guards", "IRN"),
                                                                      ("Jordan", "JOR")]


def test_a_regions_name_is_not_the_state(linker):
    assert found(linker, "Uganda has troops in eastern Congo.") == [("Uganda", "UGA")]


def test_persons_link_to_the_person_and_count_as_their_state(linker):
    mentions = linker.link("President Ilham Aliyev said Turkey had been a loyal friend, and Aliyev thanked Erdogan.")
    assert [(m.text, m.entity_id, m.actor_id, m.via) for m in mentions] == [
        ("Ilham Aliyev", "person:ilham-aliyev", "AZE", "person:ilham-aliyev"),
        ("Turkey", "TUR", "TUR", None),
        ("Aliyev", "person:ilham-aliyev", "AZE", "person:ilham-aliyev"),
        ("Erdogan", "person:recep-tayyip-erdogan", "TUR", "person:recep-tayyip-erdogan"),
    ]


def test_a_title_needed_for_context_is_not_in_the_span(linker):
    assert found(linker, "King Salman received the envoy, and Salman Rushdie spoke later.") == [("Salman", "SAU")]


def test_diacritics_and_their_ascii_fold(linker):
    assert found(linker, "Erdoğan met Erdogan's rival in Türkiye, not Turkiye.") == [
        ("Erdoğan", "TUR"), ("Erdogan", "TUR"), ("Türkiye", "TUR"), ("Turkiye", "TUR")]


def test_lowercase_initial_alias_also_matches_capitalised(linker):
    assert found(linker, "Al-Shabaab attacked; al-Shabaab denied it.") == [
        ("Al-Shabaab", "group:al-shabaab"), ("al-Shabaab", "group:al-shabaab")]


def test_offsets_can_be_shifted_to_the_document(linker):
    (m,) = linker.link("Iran protested.", offset=100)
    assert (m.start, m.end) == (100, 104)


def test_extra_actors_link_with_priority_and_leave_the_base_alone(linker):
    request = linker.with_extra([ExtraActor(id="acme", name="Acme Corp", aliases=("Acme", "NATO")),
                                 {"id": "jane", "name": "Jane Roe", "type": "person", "speaks_for": "acme"}])
    mentions = request.link("Jane Roe said Acme Corp and NATO would cooperate with Iran.")
    assert [(m.text, m.actor_id, m.source) for m in mentions] == [
        ("Jane Roe", "acme", "extra"), ("Acme Corp", "acme", "extra"), ("NATO", "acme", "extra"),
        ("Iran", "IRN", "catalogue")]
    assert found(linker, "Acme Corp and NATO met.") == [("NATO", "org:nato")]


def test_overlaps_go_to_the_longest_then_the_earliest(linker):
    request = linker.with_extra([ExtraActor(id="ab", name="Alpha Beta"), ExtraActor(id="bcd", name="Beta Gamma Delta"),
                                 ExtraActor(id="bg", name="Beta Gamma"), ExtraActor(id="gd", name="Gamma Delta")])
    assert [m.actor_id for m in request.link("Alpha Beta Gamma Delta")] == ["bcd"]  # longest
    assert [m.actor_id for m in request.link("Alpha Beta Gamma")] == ["ab"]  # equal length: earliest


def test_linker_is_fast(linker):
    sentences = ["Tehran accused Baku of letting Israeli drones use its airspace, the Kremlin said on Monday.",
                 "President Ilham Aliyev said Turkey had been a loyal friend and thanked the European Union."] * 500
    start = time.perf_counter()
    total = sum(len(linker.link(s)) for s in sentences)
    elapsed = time.perf_counter() - start
    assert total == 500 * 4 + 500 * 3
    assert elapsed < 1.0, f"{len(sentences)} sentences took {elapsed:.2f}s"


def test_non_string_is_rejected(linker):
    with pytest.raises(TypeError, match="link\\(\\) needs a string, got NoneType"):
        linker.link(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("text,expected", [
    ("TEHRAN/BAKU, Dec 1 (Wire) - Iran on Monday accused Azerbaijan.", [("Iran", "IRN"), ("Azerbaijan", "AZE")]),
    ("BEIJING (Reuters) - China said it would respond.", [("China", "CHN")]),
    ("KYIV, Ukraine -- Russia launched 90 drones overnight.", [("Russia", "RUS")]),
    ("MOSCOW — The Kremlin rejected the claim.", [("Kremlin", "RUS")]),
    ("NATO - the alliance - said Russia was to blame.", [("NATO", "org:nato"), ("Russia", "RUS")]),
    ("IRAN WARNS AZERBAIJAN OVER ISRAEL TIES", [("IRAN", "IRN"), ("AZERBAIJAN", "AZE"), ("ISRAEL", "ISR")]),
])
def test_a_wire_dateline_is_where_the_story_was_filed_not_an_actor(linker, text, expected):
    assert found(linker, text) == expected
