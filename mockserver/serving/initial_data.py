"""Each server's initial entities from fixture files (`fixtures/<api>/_state/`), read once when it starts.

Kept per server in memory (every worker reads the same files); what is stored is in the shared store.
"""

from __future__ import annotations

import weakref
from typing import Any

from mockserver.openapi.state_fixtures import load_state_fixtures
from mockserver.serving.state import MockState

__all__ = ["fixture_entities", "load_initial_data"]

_LOADED: weakref.WeakKeyDictionary[MockState, dict[str, dict[str, list[dict[str, Any]]]]] = weakref.WeakKeyDictionary()


def load_initial_data(state: MockState) -> None:
    """Read and check every API's state fixtures (problems are logged now, at start-up)."""
    if state not in _LOADED:
        _LOADED[state] = {a.api.mount_path: load_state_fixtures(a.api) for a in state.apis}


def fixture_entities(state: MockState, api: str, collection: str, template: str) -> list[dict[str, Any]] | None:
    """The initial entities of `collection` (an API's, by mount path) given by a file: its own, else its
    template's (`/users/{userId}/posts`); None when no file gives them (they are generated)."""
    load_initial_data(state)
    given = _LOADED[state].get(api, {})
    found = given.get(collection, given.get(template))
    return None if found is None else [dict(entity) for entity in found]
