"""Actors: the catalogue (who can be named) and the linker (where they are named in a text).

Nothing is loaded at import; `load_catalogue()` and `get_linker()` build and cache on first use.
"""

from stance.actors.catalogue import (
    Actor,
    ActorType,
    Alias,
    AliasKind,
    Catalogue,
    CatalogueError,
    ExtraActor,
    default_actors_file,
    load_catalogue,
    slugify,
)
from stance.actors.linker import Linker, Mention, get_linker

__all__ = [
    "Actor",
    "ActorType",
    "Alias",
    "AliasKind",
    "Catalogue",
    "CatalogueError",
    "ExtraActor",
    "Linker",
    "Mention",
    "default_actors_file",
    "get_linker",
    "load_catalogue",
    "slugify",
]
