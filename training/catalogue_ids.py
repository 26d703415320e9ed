"""The actor ids the corpus may use: the ids of the actor catalogue (stance.actors)."""

from __future__ import annotations


def known_actor_ids() -> set[str]:
    from stance.actors.catalogue import load_catalogue

    return set(load_catalogue().actors)
