"""What the demo left in a database, and removing it: the demo accounts (their passwords are
published), the demo communities with everything recorded under them (rounds, links,
responses, figures, actions), organisations and portfolios only the demo used, and the note
that demo data was loaded. Real communities, accounts and the audit log are left alone."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Table, delete, exists, func, select
from sqlmodel import Session, SQLModel, col

from lc_health.store.models import (
    AppMeta,
    Community,
    Membership,
    Organisation,
    Portfolio,
    PortfolioCommunity,
    Response,
    Round,
    User,
)
from lc_health.store.portfolio_digests import forget_unpublished_periods, mark_stale_rounds

# Rows that other rows point at without belonging to them: they are removed only when nothing
# points at them any more (a real response may name a demo organisation).
_SHARED = frozenset({"organisation", "portfolio"})


@dataclass(frozen=True)
class DemoLeft:
    """What of the demo a database holds."""

    accounts: tuple[str, ...]
    communities: int
    noted: bool

    @property
    def any(self) -> bool:
        return bool(self.accounts or self.communities or self.noted)


def demo_left(session: Session, *, emails: Collection[str], meta_key: str) -> DemoLeft:
    """The demo accounts (by their emails), demo communities and the demo note still present."""
    accounts = session.execute(
        select(col(User.email)).where(col(User.email).in_(list(emails))).order_by(col(User.email))
    ).scalars()
    communities = session.execute(
        select(func.count()).select_from(Community).where(col(Community.is_demo).is_(True))
    ).scalar_one()
    noted = session.get(AppMeta, meta_key) is not None
    return DemoLeft(tuple(str(a) for a in accounts), int(communities), noted)


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _delete_with_dependants(session: Session, table: Table, ids: Sequence[int]) -> int:
    """Delete these rows of table and, first, every row that belongs to them (found through
    the foreign keys, so a table added later is included); returns the rows of table deleted."""
    if not ids:
        return 0
    for child in SQLModel.metadata.sorted_tables:
        if child is table or child.name in _SHARED:
            continue
        for fk in child.foreign_keys:
            if fk.column.table is not table:
                continue
            if "id" in child.c:
                child_ids = session.execute(select(child.c.id).where(fk.parent.in_(ids)))
                _delete_with_dependants(session, child, [int(i) for i in child_ids.scalars()])
            else:
                session.execute(delete(child).where(fk.parent.in_(ids)))
    result = session.execute(delete(table).where(table.c.id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def remove_demo(session: Session, *, emails: Collection[str], meta_key: str) -> dict[str, int]:
    """Remove what the demo left (see the module's docstring); returns what was removed."""
    community_ids = [
        int(i)
        for i in session.execute(
            select(col(Community.id)).where(col(Community.is_demo).is_(True))
        ).scalars()
    ]
    org_ids = list(
        session.execute(
            select(col(Membership.organisation_id)).where(
                col(Membership.community_id).in_(community_ids)
            )
        ).scalars()
    )
    users = session.execute(
        select(col(User.id), col(User.portfolio_id)).where(col(User.email).in_(list(emails)))
    )
    user_rows = [(int(u), p) for u, p in users.all()]
    # The digests of the demo's periods hold its published rounds: stale before they go (a
    # community made later may get a removed one's id).
    mark_stale_rounds(
        session=session,
        round_ids=session.execute(
            select(col(Round.id)).where(col(Round.community_id).in_(community_ids))
        ).scalars(),
    )
    removed = {
        "communities": _delete_with_dependants(session, _table("community"), community_ids),
        "accounts": _delete_with_dependants(session, _table("user"), [u for u, _ in user_rows]),
    }
    portfolios = [int(p) for _, p in user_rows if p is not None]
    unused_portfolios = session.execute(
        select(col(Portfolio.id)).where(
            col(Portfolio.id).in_(portfolios),
            ~exists().where(col(User.portfolio_id) == col(Portfolio.id)),
            ~exists().where(col(PortfolioCommunity.portfolio_id) == col(Portfolio.id)),
        )
    ).scalars()
    removed["portfolios"] = _delete_with_dependants(
        session, _table("portfolio"), [int(p) for p in unused_portfolios]
    )
    unused_orgs = session.execute(
        select(col(Organisation.id)).where(
            col(Organisation.id).in_(org_ids),
            ~exists().where(col(Membership.organisation_id) == col(Organisation.id)),
            ~exists().where(col(Response.organisation_id) == col(Organisation.id)),
        )
    ).scalars()
    removed["organisations"] = _delete_with_dependants(
        session, _table("organisation"), [int(o) for o in unused_orgs]
    )
    forget_unpublished_periods(session=session)
    session.execute(delete(AppMeta).where(col(AppMeta.key) == meta_key))
    session.flush()
    return removed


def add_rows(session: Session, *, rows: Sequence[SQLModel]) -> None:
    """Add rows the demo built whole (its e-mail addresses and outbox, fixed to the demo's
    dates, so the demo stays the same however often it is built); ids are set on return."""
    session.add_all(list(rows))
    session.flush()
