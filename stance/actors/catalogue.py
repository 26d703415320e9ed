"""The actor catalogue: every actor the linker can name, with a stable id, a type and the surface forms it goes by.

Two sources, merged once per process:
- `countryinfo` for the UN member and observer states (short and official names, alternative spellings, demonyms,
  capitals used as metonyms);
- `datasets/actors.yaml` (this repo) for what no package has: international organisations, armed and political
  groups, state bodies used as metonyms ("the Kremlin"), news-friendly overrides of country names, blockers
  ("New Mexico" is not Mexico) and the leaders and officials who speak for an actor.

Ids follow RULES.md: states ISO 3166-1 alpha-3 upper case, `org:<slug>`, `group:<slug>`, `person:<name-slug>`.

Alias semantics (the linker relies on them; documented in docs/linking-rules.md):
- aliases are matched case-sensitively, on whole tokens, so "Turkey" is the state and "turkey" the bird;
- each alias also matches its ASCII-folded form ("Erdoğan" -> "Erdogan"), its ALL-CAPS form when it has four or more
  letters (headlines in capitals) and, when it starts lower case ("al-Shabaab"), its capitalised form;
- an alias written "(King) Salman" needs the text "King Salman" but its span covers "Salman" only (titles are not
  part of a span, RULES.md);
- alias kinds: `name`, `demonym` (adjective use only: "Iranian drones", never "ethnic Azerbaijanis"), `capital`
  (a capital city as metonym: not after a locative preposition, "talks in Moscow" is a place) and `body` (a state
  body as metonym: "the Kremlin", "the Pentagon").
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

ENV_ACTORS_FILE = "STANCE_ACTORS_FILE"


class CatalogueError(ValueError):
    """A catalogue entry (or a user's extra actor) that breaks the rules; the message names the entry and the field."""


class ActorType(str, Enum):
    STATE = "state"
    ORGANISATION = "organisation"
    GROUP = "group"
    PERSON = "person"
    # NER fallback only: an ORG/NORP/GPE entity that matched nothing in the catalogue.
    UNLINKED = "unlinked"


class AliasKind(str, Enum):
    NAME = "name"
    DEMONYM = "demonym"
    CAPITAL = "capital"
    BODY = "body"
    BLOCKER = "blocker"  # consumes text and yields no mention ("New Mexico", "South China Sea")


# Alias priority when the same surface form points at two actors: a user's extra actor beats the YAML file, which
# beats what is derived from countryinfo.
PRIORITY_COUNTRYINFO = 0
PRIORITY_YAML = 1
PRIORITY_EXTRA = 2


@dataclass(frozen=True, slots=True)
class Alias:
    text: str  # the surface form the span covers
    actor_id: str | None  # None for a blocker
    kind: AliasKind
    priority: int
    context: str = ""  # required text right before `text` (e.g. "King "), not part of the span


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    type: ActorType
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    # persons only; without `speaks_for` (an opposition leader) the person is an actor in their own right
    role: str | None = None
    speaks_for: str | None = None
    since: str | None = None
    until: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type.value}
        if self.type is ActorType.PERSON:
            out.update(role=self.role, speaks_for=self.speaks_for, since=self.since, until=self.until)
        return out


@dataclass(frozen=True, slots=True)
class ExtraActor:
    """An actor a user passes with a request: an id of their choosing, a name and more aliases (all case-sensitive).

    A person may name the catalogue or extra actor it speaks for; a mention of it then counts as that actor.
    """

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    type: ActorType | str = ActorType.ORGANISATION
    speaks_for: str | None = None

    @classmethod
    def from_dict(cls, obj: Any, where: str = "extra actor") -> ExtraActor:
        if not isinstance(obj, Mapping):
            raise CatalogueError(f"{where}: must be an object with 'id', 'name' and optional 'aliases', got {obj!r}")
        unknown = sorted(set(obj) - {"id", "name", "aliases", "type", "speaks_for"})
        if unknown:
            raise CatalogueError(f"{where}: unknown field(s) {unknown}; allowed are id, name, aliases, type, speaks_for")
        aliases = obj.get("aliases") or ()
        if isinstance(aliases, str) or not isinstance(aliases, Sequence):
            raise CatalogueError(f"{where}: 'aliases' must be a list of strings, got {aliases!r}")
        return cls(
            # the id is optional: by default it derives from the name ("Caspian Forum" -> extra:caspian-forum)
            id=obj.get("id") or (f"extra:{slugify(obj['name'])}" if isinstance(obj.get("name"), str)
                                 and slugify(obj["name"]) else obj.get("id")),  # type: ignore[arg-type]
            name=obj.get("name"),  # type: ignore[arg-type]
            aliases=tuple(aliases),
            type=obj.get("type", ActorType.ORGANISATION.value),
            speaks_for=obj.get("speaks_for"),
        )


# --- the states -----------------------------------------------------------------------------------------------------

# The 193 UN member states (ISO alpha-3); countryinfo has no membership flag.
UN_MEMBERS: frozenset[str] = frozenset(
    ["AFG", "ALB", "DZA", "AND", "AGO", "ATG", "ARG", "ARM", "AUS", "AUT", "AZE", "BHS", "BHR", "BGD", "BRB", "BLR", "BEL", "BLZ", "BEN", "BTN", "BOL", "BIH", "BWA", "BRA", "BRN", "BGR", "BFA", "BDI", "CPV", "KHM", "CMR", "CAN", "CAF", "TCD", "CHL", "CHN", "COL", "COM", "COG", "CRI", "CIV", "HRV", "CUB", "CYP", "CZE", "PRK", "COD", "DNK", "DJI", "DMA", "DOM", "ECU", "EGY", "SLV", "GNQ", "ERI", "EST", "SWZ", "ETH", "FJI", "FIN", "FRA", "GAB", "GMB", "GEO", "DEU", "GHA", "GRC", "GRD", "GTM", "GIN", "GNB", "GUY", "HTI", "HND", "HUN", "ISL", "IND", "IDN", "IRN", "IRQ", "IRL", "ISR", "ITA", "JAM", "JPN", "JOR", "KAZ", "KEN", "KIR", "KWT", "KGZ", "LAO", "LVA", "LBN", "LSO", "LBR", "LBY", "LIE", "LTU", "LUX", "MDG", "MWI", "MYS", "MDV", "MLI", "MLT", "MHL", "MRT", "MUS", "MEX", "FSM", "MDA", "MCO", "MNG", "MNE", "MAR", "MOZ", "MMR", "NAM", "NRU", "NPL", "NLD", "NZL", "NIC", "NER", "NGA", "MKD", "NOR", "OMN", "PAK", "PLW", "PAN", "PNG", "PRY", "PER", "PHL", "POL", "PRT", "QAT", "KOR", "ROU", "RUS", "RWA", "KNA", "LCA", "VCT", "WSM", "SMR", "STP", "SAU", "SEN", "SRB", "SYC", "SLE", "SGP", "SVK", "SVN", "SLB", "SOM", "ZAF", "SSD", "ESP", "LKA", "SDN", "SUR", "SWE", "CHE", "SYR", "TJK", "THA", "TLS", "TGO", "TON", "TTO", "TUN", "TUR", "TKM", "TUV", "UGA", "UKR", "ARE", "GBR", "TZA", "USA", "URY", "UZB", "VUT", "VEN", "VNM", "YEM", "ZMB", "ZWE"]
)
# UN General Assembly observer states.
UN_OBSERVERS: frozenset[str] = frozenset({"VAT", "PSE"})

# countryinfo keeps some states twice (Wales even carries GBR's code); these entries are skipped, their useful
# spellings are in actors.yaml.
_SKIPPED_COUNTRYINFO_ENTRIES = frozenset({"wales", "scotland", "burma", "palestine, state of", "vatican city state"})

# Alternative spellings in countryinfo that are ordinary words, company names or other things in English news.
_DENIED_ALT_SPELLINGS = frozenset(
    {"Island", "Nippon", "Nihon", "Prathet", "Mexicanos", "Portuguesa", "Dominique", "Thai", "Togolese", "Montenegrin",
     "Lao", "Mann", "Mannin", "Guiana", "Viti", "Sarnam"}
)
# Capitals that are also common first names or other places, and a few that need another spelling.
_DENIED_CAPITALS = frozenset(
    {"Victoria", "Kingston", "Georgetown", "Santiago", "Hamilton", "Sofia", "Male", "Malé", "Lobamba", "Moroni",
     "Washington D.C.", "Nur-Sultan", "Sana'a", "Jerusalem", "City of San Marino", "Vatican City State", "Praia",
     "Palikir", "Ngerulmud", "South Tarawa", "Yaren", "Funafuti", "Majuro", "Basseterre", "Castries", "Kingstown",
     "Roseau", "Saint John's", "St. George's", "Nassau", "Bridgetown", "Belmopan", "Paramaribo", "Apia", "Port Vila",
     "Honiara", "Suva", "Dili"}
)
# ASCII folds that would turn a name into an ordinary word or another place.
_DENIED_FOLDS = frozenset({"Male", "San Jose", "Lome", "Store", "Turk"})

_LATIN_OK = re.compile(r"^[\w .'’\-()&]+$")


def slugify(text: str) -> str:
    """RULES.md slug: lower case, ASCII (diacritics stripped), runs of other characters -> one hyphen."""
    folded = fold_ascii(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def fold_ascii(text: str) -> str:
    """Strip diacritics ("Erdoğan" -> "Erdogan", "Türkiye" -> "Turkiye"); characters with no ASCII base are dropped."""
    special = {"ı": "i", "İ": "I", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "’": "'",
               "ʻ": "'", "ʼ": "'", "ə": "a", "Ə": "A"}
    text = "".join(special.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ord(ch) < 128)


def _is_latin(text: str) -> bool:
    if not _LATIN_OK.match(text):
        return False
    return all("LATIN" in unicodedata.name(ch, "") for ch in text if ch.isalpha())


def _split_list(value: Any) -> list[str]:
    """countryinfo writes two demonyms as "Antiguan,Barbudan" or "Serbian/Montenegrin"."""
    if not value:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,/]", value) if part.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


# --- the catalogue ------------------------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """All actors by id and all aliases. Built once by `load_catalogue`; `with_extra` returns a new one."""

    actors: dict[str, Actor]
    aliases: list[Alias]
    source: str = ""
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # surface form -> actor ids, dropped as ambiguous

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self.actors

    def __len__(self) -> int:
        return len(self.actors)

    def get(self, actor_id: str) -> Actor:
        try:
            return self.actors[actor_id]
        except KeyError:
            raise KeyError(f"unknown actor id {actor_id!r}") from None

    def resolve(self, actor_id: str) -> Actor:
        """The actor a mention counts as: a person speaks for a state or organisation, anything else for itself."""
        actor = self.get(actor_id)
        seen = {actor.id}
        while actor.type is ActorType.PERSON and actor.speaks_for:
            actor = self.get(actor.speaks_for)
            if actor.id in seen:  # validated at load; a cycle here means a hand-built catalogue
                raise CatalogueError(f"actor {actor_id!r}: 'speaks_for' forms a cycle")
            seen.add(actor.id)
        return actor

    def by_type(self, actor_type: ActorType | str) -> list[Actor]:
        kind = ActorType(actor_type)
        return [a for a in self.actors.values() if a.type is kind]

    def with_extra(self, extra_actors: Iterable[ExtraActor | Mapping[str, Any]]) -> Catalogue:
        """A copy with a request's extra actors added (their aliases win over the catalogue's on the same text)."""
        actors = dict(self.actors)
        aliases: list[Alias] = list(self.aliases)
        extras = [e if isinstance(e, ExtraActor) else ExtraActor.from_dict(e, f"extra actor #{i}")
                  for i, e in enumerate(extra_actors)]
        owner: dict[str, str] = {}
        for i, extra in enumerate(extras):
            actor = _validate_extra(extra, i, actors)
            actors[actor.id] = actor
            for text in dict.fromkeys((actor.name, *actor.aliases)):
                if owner.setdefault(text, actor.id) != actor.id:
                    raise CatalogueError(f"extra actor #{i} ({actor.id!r}): alias {text!r} is also given to extra "
                                         f"actor {owner[text]!r}; keep it on one")
                aliases.extend(_alias_variants(text, actor.id, AliasKind.NAME, PRIORITY_EXTRA))
        for extra in extras:  # an extra person may speak for another extra actor: check after adding all
            target = actors.get(extra.speaks_for) if extra.speaks_for else None
            if extra.speaks_for and target is None:
                raise CatalogueError(f"extra actor {extra.id!r}: 'speaks_for' names unknown actor {extra.speaks_for!r}")
            if target is not None and target.type is ActorType.PERSON:
                raise CatalogueError(f"extra actor {extra.id!r}: 'speaks_for' must name a state, organisation or "
                                     f"group, not the person {extra.speaks_for!r}")
        return Catalogue(actors=actors, aliases=aliases, source=self.source + " + extra", ambiguous=self.ambiguous)


def _validate_extra(extra: ExtraActor, index: int, actors: Mapping[str, Actor]) -> Actor:
    where = f"extra actor #{index}"
    if not isinstance(extra.id, str) or not extra.id.strip() or any(ch.isspace() for ch in extra.id):
        raise CatalogueError(f"{where}: 'id' must be a non-empty string without spaces, got {extra.id!r}")
    where = f"extra actor #{index} ({extra.id!r})"
    if extra.id.startswith("unlinked:"):
        raise CatalogueError(f"{where}: ids starting with 'unlinked:' are reserved for the NER fallback")
    if extra.id in actors:
        raise CatalogueError(f"{where}: the id is already in the catalogue ({actors[extra.id].name}); choose another")
    if not isinstance(extra.name, str) or not extra.name.strip():
        raise CatalogueError(f"{where}: 'name' must be a non-empty string, got {extra.name!r}")
    for j, alias in enumerate(extra.aliases):
        if not isinstance(alias, str) or not alias.strip():
            raise CatalogueError(f"{where}: alias #{j} must be a non-empty string, got {alias!r}")
        if alias != alias.strip():
            raise CatalogueError(f"{where}: alias #{j} {alias!r} has leading or trailing spaces")
    try:
        kind = ActorType(extra.type)
    except ValueError:
        allowed = [t.value for t in ActorType if t is not ActorType.UNLINKED]
        raise CatalogueError(f"{where}: 'type' must be one of {allowed}, got {extra.type!r}") from None
    if kind is ActorType.UNLINKED:
        raise CatalogueError(f"{where}: type 'unlinked' is reserved for the NER fallback")
    if extra.speaks_for is not None and kind is not ActorType.PERSON:
        raise CatalogueError(f"{where}: only a person can have 'speaks_for'")
    return Actor(id=extra.id, name=extra.name.strip(), type=kind, aliases=tuple(extra.aliases),
                 speaks_for=extra.speaks_for)


# --- alias variants -----------------------------------------------------------------------------------------------

_CONTEXT = re.compile(r"^\(([^()]+)\)\s*(.+)$")


def _alias_variants(raw: str, actor_id: str | None, kind: AliasKind, priority: int,
                    *, deny_folds: frozenset[str] = _DENIED_FOLDS) -> list[Alias]:
    """The surface forms one alias stands for: itself, ASCII fold, ALL CAPS (4+ letters), capitalised first letter."""
    raw = raw.strip()
    context = ""
    m = _CONTEXT.match(raw)
    if m:
        context, raw = m.group(1).strip() + " ", m.group(2).strip()
    forms = [raw]
    folded = fold_ascii(raw)
    if folded != raw and folded.strip() and folded not in deny_folds:
        forms.append(folded)
    for form in list(forms):
        if form[:1].islower():
            forms.append(form[:1].upper() + form[1:])
    for form in list(forms):
        letters = [ch for ch in form if ch.isalpha()]
        if len(letters) >= 4 and any(ch.islower() for ch in letters):
            forms.append(form.upper())
    out: list[Alias] = []
    seen: set[tuple[str, str]] = set()
    for form in forms:
        # an ALL-CAPS form sits in an all-caps headline, so its context is in capitals too
        ctx = context.upper() if context and form.isupper() and not raw.isupper() else context
        if (ctx, form) not in seen:
            seen.add((ctx, form))
            out.append(Alias(text=form, actor_id=actor_id, kind=kind, priority=priority, context=ctx))
    return out


# --- loading ------------------------------------------------------------------------------------------------------


def default_actors_file() -> Path:
    """$STANCE_ACTORS_FILE, else the repository's datasets/actors.yaml (found relative to this module), else a copy
    shipped inside the package as stance/actors/actors.yaml (for a non-editable install that packages it)."""
    env = os.environ.get(ENV_ACTORS_FILE)
    if env:
        return Path(env)
    from stance.settings import ACTORS_FILE

    repo_file = ACTORS_FILE
    packaged = Path(__file__).resolve().parent / "actors.yaml"
    return packaged if not repo_file.is_file() and packaged.is_file() else repo_file


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> Catalogue:
    return build_catalogue(_read_yaml(Path(path)), source=path)


def catalogue_key(path: str | Path | None = None) -> tuple[str, float]:
    """(resolved path, modification time) of the catalogue file: the cache key of everything built from it."""
    file = Path(path) if path is not None else default_actors_file()
    if not file.is_file():
        raise FileNotFoundError(
            f"actor catalogue not found at {file}; set {ENV_ACTORS_FILE} or pass the path of an actors.yaml"
        )
    return str(file.resolve()), file.stat().st_mtime


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The catalogue from `path` (default: `default_actors_file()`), built once per file version and process."""
    return _load_cached(*catalogue_key(path))


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml  # pyyaml is a core dependency; imported here so importing the package stays light

    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as err:
        raise CatalogueError(f"{path}: not valid YAML ({err})") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: the top level must be a mapping with keys like 'organisations', 'persons'")
    return data


_ID_PATTERNS = {
    ActorType.STATE: re.compile(r"^[A-Z]{3}$"),
    ActorType.ORGANISATION: re.compile(r"^org:[a-z0-9]+(-[a-z0-9]+)*$"),
    ActorType.GROUP: re.compile(r"^group:[a-z0-9]+(-[a-z0-9]+)*$"),
    ActorType.PERSON: re.compile(r"^person:[a-z0-9]+(-[a-z0-9]+)*$"),
}
_SECTIONS = {"states": ActorType.STATE, "organisations": ActorType.ORGANISATION, "groups": ActorType.GROUP,
             "persons": ActorType.PERSON}
_TOP_KEYS = {"version", "state_overrides", "blockers", *_SECTIONS}
_ENTRY_KEYS = {
    ActorType.STATE: {"id", "name", "aliases", "demonyms", "capitals", "bodies"},
    ActorType.ORGANISATION: {"id", "name", "aliases", "bodies"},
    ActorType.GROUP: {"id", "name", "aliases"},
    ActorType.PERSON: {"id", "name", "aliases", "role", "speaks_for", "since", "until"},
}
_OVERRIDE_KEYS = {"name", "aliases", "demonyms", "capitals", "bodies", "remove_aliases", "remove_demonyms",
                  "remove_capitals"}


def _str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list):
        raise CatalogueError(f"{where}: must be a list of strings, got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise CatalogueError(f"{where}: item #{i} must be a non-empty string, got {item!r}")
    return [item.strip() for item in value]


def _date(value: Any, where: str) -> str | None:
    """YAML reads 2024-07-28 as a date; keep ISO strings, and accept a bare year or year-month."""
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise CatalogueError(f"{where}: expected a date YYYY[-MM[-DD]], got {value!r}")
    return text


def _countryinfo_states() -> dict[str, dict[str, Any]]:
    """UN members and observers from countryinfo, keyed by alpha-3, with their raw fields."""
    from countryinfo import CountryInfo  # imported here: reading 250 JSON files is not for import time

    out: dict[str, dict[str, Any]] = {}
    for key, info in sorted(CountryInfo.all().items()):
        code = (info.get("ISO") or {}).get("alpha3")
        if key in _SKIPPED_COUNTRYINFO_ENTRIES or code not in UN_MEMBERS | UN_OBSERVERS or code in out:
            continue
        out[code] = dict(info)
    missing = sorted((UN_MEMBERS | UN_OBSERVERS) - set(out))
    if missing:  # a countryinfo release that dropped a state must not silently shrink the catalogue
        raise CatalogueError(f"countryinfo lacks UN member/observer states {missing}; add them under 'states:'")
    return out


def _state_from_countryinfo(code: str, info: Mapping[str, Any]) -> dict[str, list[str] | str]:
    name = str(info["name"])
    if name.startswith("The "):
        name = name[4:]
    aliases = [name, str(info["name"])]
    for alt in info.get("altSpellings") or []:
        alt = str(alt).strip()
        if (not alt or "," in alt or alt in _DENIED_ALT_SPELLINGS or alt[:1].islower()
                or (len(alt) <= 4 and alt.isupper() and alt not in {"UAE", "DRC"}) or not _is_latin(alt)):
            continue  # ISO codes ("IN", "IT" are words), native scripts, inverted "Iran, Islamic Republic of"
        aliases.append(alt[4:] if alt.startswith("the ") else alt)
    capital = info.get("capital")
    capitals = [c for c in _split_list(capital if isinstance(capital, str) else None) if c not in _DENIED_CAPITALS]
    return {"name": name, "aliases": aliases, "demonyms": _split_list(info.get("demonym")), "capitals": capitals}


def build_catalogue(data: Mapping[str, Any], *, source: str = "<dict>") -> Catalogue:
    """Merge countryinfo's states with the YAML document `data` and validate everything; errors name the entry."""
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise CatalogueError(f"{source}: unknown top-level key(s) {unknown}; allowed are {sorted(_TOP_KEYS)}")

    # 1. states from countryinfo, then the YAML overrides
    states: dict[str, dict[str, Any]] = {
        code: _state_from_countryinfo(code, info) for code, info in _countryinfo_states().items()
    }
    overrides = data.get("state_overrides") or {}
    if not isinstance(overrides, Mapping):
        raise CatalogueError(f"{source}: 'state_overrides' must map a state id to its changes")
    yaml_aliases: dict[str, dict[str, list[str]]] = {}  # state id -> kind -> aliases given in YAML
    for code, change in overrides.items():
        where = f"{source}: state_overrides[{code!r}]"
        if code not in states:
            raise CatalogueError(f"{where}: no such state from countryinfo (add new states under 'states:')")
        if not isinstance(change, Mapping):
            raise CatalogueError(f"{where}: must be a mapping")
        bad = sorted(set(change) - _OVERRIDE_KEYS)
        if bad:
            raise CatalogueError(f"{where}: unknown field(s) {bad}; allowed are {sorted(_OVERRIDE_KEYS)}")
        state = states[code]
        if "name" in change:
            if not isinstance(change["name"], str) or not change["name"].strip():
                raise CatalogueError(f"{where}.name: must be a non-empty string")
            state["name"] = change["name"].strip()
        for kind, remove in (("aliases", "remove_aliases"), ("demonyms", "remove_demonyms"),
                             ("capitals", "remove_capitals")):
            drop = set(_str_list(change.get(remove), f"{where}.{remove}"))
            state[kind] = [a for a in state.get(kind, []) if a not in drop]
        for kind in ("aliases", "demonyms", "capitals", "bodies"):
            added = _str_list(change.get(kind), f"{where}.{kind}")
            yaml_aliases.setdefault(code, {})[kind] = added
        yaml_aliases[code]["aliases"].append(state["name"])  # an overridden name must beat derived clashes

    actors: dict[str, Actor] = {}
    derived: list[Alias] = []
    for code, state in states.items():
        ya = yaml_aliases.get(code, {})
        actors[code] = Actor(
            id=code, name=state["name"], type=ActorType.STATE,
            aliases=tuple(dict.fromkeys(state["aliases"] + ya.get("aliases", []))),
            demonyms=tuple(dict.fromkeys(state["demonyms"] + ya.get("demonyms", []))),
            capitals=tuple(dict.fromkeys(state["capitals"] + ya.get("capitals", []))),
            bodies=tuple(ya.get("bodies", [])),
        )
        for kind, texts in ((AliasKind.NAME, state["aliases"]), (AliasKind.DEMONYM, state["demonyms"]),
                            (AliasKind.CAPITAL, state["capitals"])):
            for text in texts:
                derived.extend(_alias_variants(text, code, kind, PRIORITY_COUNTRYINFO))

    # 2. YAML sections
    yaml_list: list[Alias] = []
    for code, kinds in yaml_aliases.items():
        for kind_key, kind in (("aliases", AliasKind.NAME), ("demonyms", AliasKind.DEMONYM),
                               ("capitals", AliasKind.CAPITAL), ("bodies", AliasKind.BODY)):
            for text in dict.fromkeys(kinds.get(kind_key, [])):
                yaml_list.extend(_alias_variants(text, code, kind, PRIORITY_YAML))

    persons: list[tuple[Actor, str]] = []
    for section, actor_type in _SECTIONS.items():
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise CatalogueError(f"{source}: '{section}' must be a list of entries")
        for i, entry in enumerate(entries):
            actor = _parse_entry(entry, actor_type, f"{source}: {section}[{i}]", actors)
            actors[actor.id] = actor
            actor_kinds = ((AliasKind.NAME, (actor.name, *actor.aliases)), (AliasKind.DEMONYM, actor.demonyms),
                           (AliasKind.CAPITAL, actor.capitals), (AliasKind.BODY, actor.bodies))
            for kind, texts in actor_kinds:
                for text in dict.fromkeys(texts):
                    yaml_list.extend(_alias_variants(text, actor.id, kind, PRIORITY_YAML))
            if actor.type is ActorType.PERSON:
                persons.append((actor, f"{source}: {section}[{i}] ({actor.id})"))
    for actor, where in persons:  # after all sections, so a person may speak for any actor
        if actor.speaks_for is None:
            continue  # an opposition figure or a private person: the person is the actor
        if actor.speaks_for not in actors or actors[actor.speaks_for].type is ActorType.PERSON:
            raise CatalogueError(f"{where}: 'speaks_for' must name a state, organisation or group in the catalogue, "
                                 f"got {actor.speaks_for!r}")

    for text in _str_list(data.get("blockers"), f"{source}: blockers"):
        yaml_list.extend(_alias_variants(text, None, AliasKind.BLOCKER, PRIORITY_YAML))

    aliases, ambiguous = _resolve_alias_clashes(derived, yaml_list, source)
    return Catalogue(actors=actors, aliases=aliases, source=source, ambiguous=ambiguous)


def _parse_entry(entry: Any, actor_type: ActorType, where: str, actors: Mapping[str, Actor]) -> Actor:
    if not isinstance(entry, Mapping):
        raise CatalogueError(f"{where}: must be a mapping with at least 'id' and 'name'")
    bad = sorted(set(entry) - _ENTRY_KEYS[actor_type])
    if bad:
        raise CatalogueError(f"{where}: unknown field(s) {bad}; allowed are {sorted(_ENTRY_KEYS[actor_type])}")
    actor_id, name = entry.get("id"), entry.get("name")
    if not isinstance(actor_id, str) or not _ID_PATTERNS[actor_type].match(actor_id):
        raise CatalogueError(f"{where}: id {actor_id!r} does not follow RULES.md for a {actor_type.value} "
                             f"(pattern {_ID_PATTERNS[actor_type].pattern})")
    where = f"{where} ({actor_id})"
    if actor_id in actors:
        raise CatalogueError(f"{where}: duplicate id (already defined as {actors[actor_id].name!r})")
    if not isinstance(name, str) or not name.strip():
        raise CatalogueError(f"{where}: 'name' must be a non-empty string")
    if actor_type is ActorType.PERSON and actor_id != "person:" + slugify(name):
        raise CatalogueError(f"{where}: a person id is 'person:' + the slug of the name, expected "
                             f"'person:{slugify(name)}'")
    since, until = _date(entry.get("since"), f"{where}.since"), _date(entry.get("until"), f"{where}.until")
    if since and until and until < since:
        raise CatalogueError(f"{where}: 'until' {until} is before 'since' {since}")
    if entry.get("speaks_for") is not None and actor_type is not ActorType.PERSON:
        raise CatalogueError(f"{where}: only a person can have 'speaks_for'")
    if entry.get("speaks_for") is not None and not isinstance(entry.get("speaks_for"), str):
        raise CatalogueError(f"{where}: 'speaks_for' must be an actor id, got {entry.get('speaks_for')!r}")
    return Actor(
        id=actor_id, name=name.strip(), type=actor_type,
        aliases=tuple(_str_list(entry.get("aliases"), f"{where}.aliases")),
        demonyms=tuple(_str_list(entry.get("demonyms"), f"{where}.demonyms")),
        capitals=tuple(_str_list(entry.get("capitals"), f"{where}.capitals")),
        bodies=tuple(_str_list(entry.get("bodies"), f"{where}.bodies")),
        role=entry.get("role"), speaks_for=entry.get("speaks_for"), since=since, until=until,
    )


def _resolve_alias_clashes(derived: list[Alias], yaml_list: list[Alias],
                           source: str) -> tuple[list[Alias], dict[str, list[str]]]:
    """One actor per surface form. YAML beats countryinfo; two countryinfo states sharing a form ("Dominican",
    "Congolese") lose it unless YAML assigns it; two YAML entries sharing a form is an error to fix in the file."""
    by_form_yaml: dict[tuple[str, str], Alias] = {}
    for alias in yaml_list:
        key = (alias.context, alias.text)
        other = by_form_yaml.get(key)
        if other is not None and other.actor_id != alias.actor_id:
            raise CatalogueError(f"{source}: alias {alias.context + alias.text!r} is given to both "
                                 f"{other.actor_id!r} and {alias.actor_id!r}; keep it on one (or make it a blocker)")
        by_form_yaml.setdefault(key, alias)
    by_form_derived: dict[tuple[str, str], list[Alias]] = {}
    for alias in derived:
        by_form_derived.setdefault((alias.context, alias.text), []).append(alias)
    out = list(by_form_yaml.values())
    ambiguous: dict[str, list[str]] = {}
    for key, group in by_form_derived.items():
        if key in by_form_yaml:
            continue
        ids = sorted({a.actor_id for a in group if a.actor_id})
        if len(ids) > 1:
            ambiguous[key[0] + key[1]] = ids
            continue
        # one actor: keep the most specific kind (a name beats the same text as demonym or capital: "Djibouti")
        order = [AliasKind.NAME, AliasKind.BODY, AliasKind.DEMONYM, AliasKind.CAPITAL]
        out.append(min(group, key=lambda a: order.index(a.kind)))
    return out, ambiguous
