"""Linking: find every catalogue actor named in a text, with character offsets into that exact text.

How it works (built once per catalogue, then thousands of sentences per second):
- the text is cut into tokens (`\\w+` runs and single other characters) and every alias is a path of tokens in a
  trie, so matches always sit on word boundaries ("Iran" never matches inside "Iranian", "Oman" never inside
  "Romania") and a possessive is left out of the span ("Iran's", "Azerbaijan’s": the apostrophe ends the token);
- tokens compare after two normalisations only (curly apostrophes -> "'", non-breaking hyphens -> "-"); case is
  kept, so "Turkey" is the state and "turkey" is not, "US" is the state and "us" is not;
- every alias found is a candidate; overlapping candidates are settled first, by: longest span, then earliest start,
  then catalogue priority (a request's extra actor > actors.yaml > countryinfo); the context rules below then drop
  some winners, so a reading rejected in context never falls back to a shorter one ("in New Delhi" is a place and
  does not become "Delhi"). Blockers ("New Mexico", "South China Sea") win overlaps and link nothing.

Context rules (the word lists below carry the details):
- demonym: the state only in adjective use. Plural nouns never match (no alias "Iranians"); dropped after "ethnic"
  or "non-", before a head noun naming people ("Iranian people", "Syrian refugees", "Afghan women"), land or a
  private party ("the Libyan coast", "Chinese companies", "Burundian rebels"; "coast guard", "border posts" are the
  state's), in
  "-born", "-speaking", "-American", "-flagged" compounds, and as a noun after a count ("900,000 Sudanese have
  fled"; "50 Burkinabe soldiers" stay the state's);
- capital and body (metonyms): dropped as a place, after a locative ("talks in Moscow", "visiting Amman"), after
  "to"/"from" that follow a travel word ("a visit to Moscow"), before "-based" or a thing it names ("the Ankara
  Declaration"); kept with a possessive ("at Manila's request"), after "officials in" and the like, after "a jab
  at". A body right after its own state's name is the same phrase and is dropped ("the U.S. State Department" ->
  "U.S.", "Iran's Revolutionary Guards" -> "Iran");
- state name after "eastern", "southern", ...: a region of the state ("fighting in eastern Congo"), not the state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from stance.actors.catalogue import (
    PRIORITY_EXTRA,
    Alias,
    AliasKind,
    Catalogue,
    ExtraActor,
    catalogue_key,
    fold_ascii,
    load_catalogue,
    slugify,
)

_TOKEN = re.compile(r"\w+|[^\w\s]")
_NORMALISE = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "‐": "-", "‑": "-"})

# Head nouns after a demonym that make it a people, not the state ("Syrian refugees", "the Iranian people").
PEOPLE_NOUNS = frozenset(
    ["people", "peoples", "population", "populations", "community", "communities", "diaspora", "diasporas", "minority", "minorities", "majority", "descent", "origin", "origins", "ethnicity", "heritage", "ancestry", "background", "nationals", "national", "citizen", "citizens", "civilians", "civilian", "refugee", "refugees", "migrant", "migrants", "immigrant", "immigrants", "emigres", "exiles", "expatriates", "expats", "asylum", "speakers", "language", "tribe", "tribes", "tribesmen", "villagers", "residents", "inhabitants", "man", "men", "woman", "women", "boy", "boys", "girl", "girls", "child", "children", "families", "family", "students", "student", "tourists", "tourist", "workers", "worker", "voters", "voter", "descendants", "jews", "muslims", "christians", "sunnis", "shias", "shiites", "arabs", "kurds", "individuals", "consumers", "customers", "users", "fans", "viewers", "deportees", "hostages", "captives", "prisoners", "detainees", "settlers", "pilgrims"]
)
# Head nouns that make it a piece of land ("the Libyan coast"), a private person or business ("Australian writer
# Yang Hengjun", "Chinese companies"), not the state.
PLACE_AND_PRIVATE_NOUNS = frozenset(
    ["coast", "coasts", "coastline", "shore", "shores", "beach", "beaches", "mainland", "countryside", "desert", "mountains", "highlands", "border", "borders", "frontier", "writer", "writers", "journalist", "journalists", "reporter", "reporters", "activist", "activists", "commentators", "commentator", "businessman", "businessmen", "businesswoman", "blogger", "bloggers", "academic", "academics", "scholar", "scholars", "dissident", "dissidents", "athlete", "athletes", "player", "players", "companies", "company", "firms", "firm", "businesses", "producers", "investors", "manufacturers", "exporters", "importers", "traders", "farmers", "fishermen", "carmakers", "automakers", "makers", "suppliers", "buyers", "sellers", "shoppers", "opposition", "rebels", "rebel", "insurgents", "militants", "separatists", "protesters", "protester"]
)
# ... unless they only start a compound that is the state's: "coast guard", "border posts", "border police".
STATE_COMPOUND_HEADS = frozenset(["guard", "guards", "guardsmen", "post", "posts", "police", "force", "forces", "troops", "patrol", "patrols"])
# "-born", "-speaking": a person's origin; "-American": an ethnic identity; "-flagged": a flag of convenience.
HYPHEN_PEOPLE = frozenset(
    ["born", "speaking", "populated", "majority", "descended", "origin", "flagged", "american", "americans", "canadian", "canadians", "british", "australian", "australians"]
)
# A state's name after these is a region of it ("fighting in eastern Congo"), not the state acting.
REGION_ADJECTIVES = frozenset(
    ["eastern", "western", "northern", "southern", "central", "northeastern", "northwestern", "southeastern", "southwestern", "north-eastern", "north-western", "south-eastern", "south-western"]
)
# Words before a demonym that make it a count of people ("900,000 Sudanese", "thousands of Afghan").
QUANTIFIERS = frozenset(["thousands", "millions", "hundreds", "dozens", "tens", "many", "some", "several", "more", "fewer"])
NOUN_USE_FOLLOWERS = frozenset(
    ["have", "has", "had", "are", "were", "is", "was", "who", "that", "live", "living", "lived", "remain", "remained", "fled", "returned", "and", "or", "in", "from", "to", "on", "at"]
)

# A metonym after these names a place ("talks in Moscow", "visiting Amman"), not the state acting ("Moscow said").
LOCATIVES = frozenset(
    ["in", "at", "near", "outside", "inside", "around", "across", "throughout", "through", "into", "via", "within", "visit", "visits", "visited", "visiting", "toured"]
)
# Modifiers allowed between the preposition and the city ("in central Seoul").
CITY_MODIFIERS = frozenset(["central", "downtown", "northern", "southern", "eastern", "western", "suburban", "greater"])
# "to"/"from" are locative only after a word of travel ("a visit to Moscow", "deployed to Juba"); elsewhere the
# metonym acts ("ties to Moscow", "pressure from Beijing").
TRAVEL_WORDS = frozenset(
    ["visit", "visits", "visited", "visiting", "trip", "trips", "flew", "fly", "flies", "flying", "flight", "flights", "travel", "travels", "travelled", "traveled", "travelling", "traveling", "journey", "returned", "return", "returning", "arrived", "arrive", "arriving", "came", "come", "went", "go", "going", "headed", "heading", "back", "on", "moved", "deployed", "deploy", "deploys", "sent", "send", "flown", "fled", "evacuated", "relocated"]
)
# "officials in Baghdad", "the government in Yaounde": the capital stands for the state after these.
GOVERNMENT_WORDS = frozenset(
    ["officials", "official", "government", "authorities", "leaders", "leadership", "regime", "junta", "administration", "ministry", "diplomats", "sources", "spokesman", "spokeswoman", "spokesperson", "rulers"]
)
# "a jab at Washington", "aimed at Beijing": "at" names a target here, not a place.
AT_TARGET_WORDS = frozenset(["jab", "jabs", "swipe", "swipes", "dig", "aimed", "directed", "angry", "anger", "out", "pointed", "fired"])
# A capital followed by these names a thing ("the Ankara Declaration", "the Washington agreement", "Paris Agreement").
CAPITAL_THING_NOUNS = frozenset(
    ["agreement", "agreements", "accord", "accords", "declaration", "protocol", "process", "summit", "convention", "treaty", "format", "consensus", "conference", "airport", "university", "post", "charter", "plan"]
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One actor mention. `start`/`end` are offsets into the text passed to `link` (plus its `offset`), end exclusive.

    `entity_id` is what the text names (a person's id for a person); `actor_id` is what the mention counts as (the
    state or organisation that person speaks for; otherwise the same id).
    """

    start: int
    end: int
    text: str
    entity_id: str
    actor_id: str
    kind: str  # the alias kind ("name", "demonym", "capital", "body"), or "explicit" / "ner"
    source: str = "catalogue"  # "catalogue", "extra", "explicit" or "ner"

    @property
    def via(self) -> str | None:
        """The person who stands for the actor here, if any."""
        return self.entity_id if self.entity_id != self.actor_id else None

    def overlaps(self, other: Mention) -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "entity": self.entity_id,
                "actor": self.actor_id, "kind": self.kind, "source": self.source}


_END = object()  # trie key holding the aliases that end at a node

# A wire dateline opening a sentence: "TEHRAN/BAKU, Dec 1 (Reuters) - ", "BEIJING (AP) — ", "KYIV, Ukraine -- ". It
# names where the story was filed, not an actor of it. Up to four capitalised place words (joined by spaces or
# slashes), an optional ", date or country", an optional "(agency)", then a dash.
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z'.-]+(?:[ /][A-Z][A-Z'.-]+){0,3})"
    r"(?P<rest>,[^-\u2013\u2014()\n]{1,30}?)?\s*(?P<agency>\([^)\n]{1,30}\))?\s*(?:--|[-\u2013\u2014])\s")


def dateline_end(text: str) -> int:
    """Where a leading wire dateline ends in `text` (0 when there is none). A lone short capitalised word before a
    dash ("NATO - the alliance ...") is an acronym, not a dateline."""
    match = _DATELINE.match(text)
    if match is None:
        return 0
    place = match.group("place")
    if not (match.group("rest") or match.group("agency") or "/" in place or " " in place or len(place) >= 5):
        return 0
    return match.end()


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group().translate(_NORMALISE)) for m in _TOKEN.finditer(text)]


def _build_trie(aliases: Iterable[Alias]) -> dict[Any, Any]:
    trie: dict[Any, Any] = {}
    for alias in aliases:
        context = [t for _, _, t in _tokens(alias.context)]
        tokens = [t for _, _, t in _tokens(alias.text)]
        if not tokens:
            continue
        node = trie
        for tok in context + tokens:
            node = node.setdefault(tok, {})
        node.setdefault(_END, []).append((alias, len(context)))
    return trie


class Linker:
    """Finds catalogue actors in text. Build once (`get_linker()`), call `link` per sentence."""

    def __init__(self, catalogue: Catalogue, *, _base_tries: tuple[dict[Any, Any], ...] = ()) -> None:
        self.catalogue = catalogue
        if _base_tries:  # a request's linker: the shared base trie plus a small one for the extra actors
            self._tries = (*_base_tries, _build_trie(a for a in catalogue.aliases if a.priority == PRIORITY_EXTRA))
        else:
            self._tries = (_build_trie(catalogue.aliases),)

    def with_extra(self, extra_actors: Sequence[ExtraActor | Mapping[str, Any]]) -> Linker:
        """A linker that also knows a request's extra actors; the big trie is shared, not rebuilt."""
        if not extra_actors:
            return self
        return Linker(self.catalogue.with_extra(extra_actors), _base_tries=self._tries[:1])

    def link(self, text: str, *, offset: int = 0) -> list[Mention]:
        """All actor mentions in `text`, sorted by position; offsets are `offset` + positions in `text`."""
        if not isinstance(text, str):
            raise TypeError(f"link() needs a string, got {type(text).__name__}")
        toks = _tokens(text)
        # (start, end, priority, alias, first token, stop token)
        candidates: list[tuple[int, int, int, Alias, int, int]] = []
        n = len(toks)
        for trie in self._tries:
            for i in range(n):
                node = trie.get(toks[i][2])
                j = i + 1
                while node is not None:
                    for alias, nctx in node.get(_END, ()):
                        first = i + nctx
                        if first < j:
                            candidates.append((toks[first][0], toks[j - 1][1], alias.priority, alias, first, j))
                    if j >= n:
                        break
                    node = node.get(toks[j][2])
                    j += 1
        # Overlaps first, context rules second: the longest reading of the text decides what it is, so "in New
        # Delhi" (a place) does not fall back to "Delhi", nor "South Sudanese refugees" to "Sudanese".
        chosen: list[tuple[int, int, int, Alias, int, int]] = []
        for cand in sorted(candidates, key=lambda c: (c[0] - c[1], c[0], -c[2])):
            if all(cand[1] <= other[0] or other[1] <= cand[0] for other in chosen):
                chosen.append(cand)
        mentions: list[Mention] = []
        dateline = dateline_end(text)
        for start, end, _, alias, first, stop in sorted(chosen, key=lambda c: c[0]):
            if alias.actor_id is None:  # a blocker: it only kept shorter aliases from matching inside it
                continue
            if end <= dateline:  # the place a story was filed from is no actor of it
                continue
            if not self._keep(alias, toks, first, stop):
                continue
            actor = self.catalogue.resolve(alias.actor_id)
            if alias.kind is AliasKind.BODY and mentions and mentions[-1].actor_id == actor.id \
                    and _same_phrase(text, mentions[-1].end - offset, start):
                # "the U.S. State Department", "Iran's Revolutionary Guards": one noun phrase, one mention (the
                # state's name, as RULES.md spans it)
                continue
            mentions.append(Mention(
                start=start + offset, end=end + offset, text=text[start:end], entity_id=alias.actor_id,
                actor_id=actor.id, kind=alias.kind.value,
                source="extra" if alias.priority == PRIORITY_EXTRA else "catalogue",
            ))
        return mentions

    @staticmethod
    def _keep(alias: Alias, toks: list[tuple[int, int, str]], first: int, stop: int) -> bool:
        """The context rules of the alias's kind (module docstring)."""
        if alias.kind is AliasKind.DEMONYM:
            return _demonym_is_state(toks, first, stop)
        if alias.kind in (AliasKind.CAPITAL, AliasKind.BODY):
            return _metonym_is_state(toks, first, stop, capital=alias.kind is AliasKind.CAPITAL)
        if alias.kind is AliasKind.NAME and alias.actor_id and _lower(toks, first - 1) in REGION_ADJECTIVES:
            return alias.actor_id.startswith(("org:", "group:", "person:"))  # "eastern Congo" is a region
        return True


def _lower(toks: list[tuple[int, int, str]], k: int) -> str:
    return toks[k][2].lower() if 0 <= k < len(toks) else ""


def _demonym_is_state(toks: list[tuple[int, int, str]], first: int, stop: int) -> bool:
    """Adjective use for the state ("Iranian drones"), not a people, a place or a private party."""
    before = _lower(toks, first - 1)
    if before == "ethnic":
        return False
    if before == "-" and _lower(toks, first - 2) == "non":  # "non-Mexican deportees"
        return False
    n = len(toks)
    if stop >= n or not toks[stop][2][:1].isalpha() or _lower(toks, stop) in NOUN_USE_FOLLOWERS:
        # a demonym used as a noun after a count is people: "900,000 Sudanese have fled" (but "50 Burkinabe
        # soldiers" are the state's)
        for k in (first - 1, first - 2 if before == "of" else first - 1):
            if k >= 0 and (toks[k][2].replace(",", "").isdigit() or _lower(toks, k) in QUANTIFIERS):
                return False
    if stop < n and toks[stop][2] == "-" and toks[stop][0] == toks[stop - 1][1]:
        if _lower(toks, stop + 1) in HYPHEN_PEOPLE:
            return False  # "Iranian-born", "Russian-speaking", "Liberian-flagged"
    head = _head_noun(toks, stop)
    if head is not None:
        word = toks[head][2].lower()
        if word in PEOPLE_NOUNS:
            return False
        if word in PLACE_AND_PRIVATE_NOUNS and _lower(toks, head + 1) not in STATE_COMPOUND_HEADS:
            return False
    return True


def _head_noun(toks: list[tuple[int, int, str]], stop: int) -> int | None:
    """The word a demonym modifies, past coordinated proper words and hyphen compounds: "Haitian and Venezuelan
    families" -> "families"; "Chinese and Hong Kong-based companies" -> "companies"."""
    k = stop
    for _ in range(8):
        if k >= len(toks):
            return None
        tok = toks[k][2]
        if tok in (",", "and", "or", "&"):
            k += 1
        elif tok == "-":
            k += 2
        elif tok[:1].isupper():
            k += 1
        else:
            return k if tok[:1].isalpha() else None
    return None


def _metonym_is_state(toks: list[tuple[int, int, str]], first: int, stop: int, *, capital: bool) -> bool:
    """A capital or body acting for the state ("Moscow said"), not a place ("talks in Moscow") or a thing named
    after it ("the Ankara Declaration")."""
    after = _lower(toks, stop)
    if after == "'" and _lower(toks, stop + 1) == "s":
        return True  # "at Manila's request": a possessive is the state's
    if capital and after in CAPITAL_THING_NOUNS:
        return False
    if after == "-" and _lower(toks, stop + 1) == "based":
        return False  # "Libya's Tripoli-based government": a place
    k = first - 1
    if _lower(toks, k) in CITY_MODIFIERS:
        k -= 1
    if _lower(toks, k) == "the":
        k -= 1
    prep = _lower(toks, k)
    if prep in LOCATIVES:
        if prep == "in" and _lower(toks, k - 1) in GOVERNMENT_WORDS:
            return True  # "officials in Baghdad"
        if prep == "at" and _lower(toks, k - 1) in AT_TARGET_WORDS:
            return True  # "a jab at Washington"
        return False
    if prep in ("to", "from") and _lower(toks, k - 1) in TRAVEL_WORDS:
        return False
    return True


def _same_phrase(text: str, gap_start: int, gap_end: int) -> bool:
    """Only spaces or a possessive between two mentions."""
    gap = text[gap_start:gap_end].translate(_NORMALISE).strip()
    return gap in ("", "'s", "'")


@lru_cache(maxsize=4)
def _linker_cached(path: str, mtime: float) -> Linker:
    return Linker(load_catalogue(path))


def get_linker(path: str | Path | None = None) -> Linker:
    """The linker for the catalogue at `path` (default: the configured actors.yaml), built once per file version."""
    return _linker_cached(*catalogue_key(path))


# --- NER fallback ---------------------------------------------------------------------------------------------------

NER_LABELS = ("ORG", "NORP", "GPE")


def unlinked_mentions(texts: Sequence[str], linked: Sequence[Sequence[Mention]], catalogue: Catalogue,
                      *, offsets: Sequence[int] | None = None) -> list[list[Mention]]:
    """spaCy NER entities (ORG, NORP, GPE) that overlap no linked mention: unlinked actors `unlinked:<slug>`.

    Off by default (it needs the full spaCy pipeline, ~10x slower than linking). Plural forms of catalogue demonyms
    ("Iranians") and "ethnic X" are left out, for the same reason the linker leaves them out.
    """
    from stance.sentences import load_ner_pipeline

    nlp = load_ner_pipeline()
    offsets = offsets if offsets is not None else [0] * len(texts)
    demonyms = {d for actor in catalogue.actors.values() for d in actor.demonyms}
    known_names = {fold_ascii(a.text).lower() for a in catalogue.aliases}
    out: list[list[Mention]] = []
    for text, have, offset, doc in zip(texts, linked, offsets, nlp.pipe(texts, batch_size=64)):
        found: list[Mention] = []
        for ent in doc.ents:
            if ent.label_ not in NER_LABELS:
                continue
            start, end, surface = _trim_entity(text, ent.start_char, ent.end_char)
            if not surface or any(m.start - offset < end and start < m.end - offset for m in have):
                continue
            if surface.endswith("s") and surface[:-1] in demonyms:
                continue  # "Iranians": a people (linker rule), not an unlinked actor
            if start >= 7 and text[start - 7:start].lower() == "ethnic ":
                continue
            if fold_ascii(surface).lower() in known_names:
                continue  # a catalogue alias that a linker rule dropped on purpose ("in Moscow")
            slug = slugify(surface)
            if not slug:
                continue
            found.append(Mention(start=start + offset, end=end + offset, text=surface, entity_id=f"unlinked:{slug}",
                                 actor_id=f"unlinked:{slug}", kind="ner", source="ner"))
        out.append(found)
    return out


def _trim_entity(text: str, start: int, end: int) -> tuple[int, int, str]:
    """RULES.md spans: no leading "the", no possessive "'s"."""
    surface = text[start:end]
    if surface.lower().startswith("the "):
        start += 4
    for suffix in ("'s", "’s"):
        if text[start:end].endswith(suffix):
            end -= 2
    return start, end, text[start:end]
