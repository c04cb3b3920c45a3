"""Django's PostgreSQL backend, with a pool whose connections are checked before hand-out.

After a PostgreSQL restart every idle pooled connection is dead. Django's own health check
(CONN_HEALTH_CHECKS) makes psycopg_pool check a connection before handing it out, but the pool
waits 1 s, 2 s, 4 s … between failed checks, so with several dead connections the request times
out (PoolTimeout, a 500). Here the first failed check sweeps the whole pool at once
(`ConnectionPool.check()`: every idle connection tested, the dead ones replaced), so the request
that found it gets a fresh connection after one short wait and no request fails.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> ConnectionPool | None:
        options = self.settings_dict["OPTIONS"].get("pool")
        if not options or self.alias == NO_DB_ALIAS:
            return None
        pools: dict[str, ConnectionPool] = self._connection_pools  # type: ignore[attr-defined]
        if self.alias not in pools:
            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True  # as Django's: it sets autocommit later itself
            created: list[ConnectionPool] = []

            def check(connection: Any) -> None:
                try:
                    ConnectionPool.check_connection(connection)
                except Exception:
                    created[0].check()  # the others died too: replace them all now
                    raise

            pool = ConnectionPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,  # type: ignore[attr-defined]
                check=check,
                **({} if options is True else options),
            )
            created.append(pool)
            pools.setdefault(self.alias, pool)  # the first of racing threads wins, as in Django
        return pools[self.alias]
