"""Finding communities by name, a page at a time (store.community_search), on SQLite and
PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine

from lc_health.store import communities as cstore
from lc_health.store import community_search as search
from lc_health.store import db


def test_pages_by_name_with_literal_search(engine: Engine) -> None:
    with db.write_session(engine) as session:
        made = [
            cstore.create_community(session=session, name=name).id
            for name in ("b_c", "Abc", "a%c", "xyz", "ABD")
        ]
        gone = cstore.create_community(session=session, name="abc old")
        assert gone.id is not None
        cstore.set_archived(session=session, community_id=gone.id, archived=True)
    with db.read_session(engine) as session:
        every = search.find_communities(session=session, community_ids=None, limit=10)
        assert set(every["name"]) == {"a%c", "ABD", "Abc", "b_c", "xyz"}  # not the archived
        assert search.count_communities(session=session, community_ids=None) == 5
        names = search.find_communities(session=session, community_ids=None, text="ab", limit=9)
        assert set(names["name"]) == {"Abc", "ABD"}
        assert list(
            search.find_communities(session=session, community_ids=None, text="%")["name"]
        ) == ["a%c"]
        assert list(
            search.find_communities(session=session, community_ids=None, text="_")["name"]
        ) == ["b_c"]
        page = search.find_communities(session=session, community_ids=None, limit=2, offset=2)
        assert list(page["name"]) == list(every["name"])[2:4]
        mine = frozenset(int(c) for c in made[:2] if c is not None)
        assert search.count_communities(session=session, community_ids=mine, text="c") == 2
        assert (
            search.count_communities(
                session=session, community_ids=None, text="old", include_archived=True
            )
            == 1
        )
        assert search.count_communities(session=session, community_ids=frozenset()) == 0
