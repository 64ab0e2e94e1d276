"""A PostgreSQL connection cut while a transaction commits, so its outcome is unknown to the
gateway: what a server restart or failover does at the worst moment.

    with cut_commit(db.engine, conversation_id, message_id, committed=True) as cuts:
        ... the turn of that message ...
    assert cuts == [1]

The first transaction (after entering) that writes a message of the conversation, or marks the
message routed, has its connection cut by the server (`pg_terminate_backend`) as it commits:
`committed=False` before the COMMIT is sent (the server rolls it back), `committed=True` once
the transaction did commit (the cut then hits the COMMIT the gateway sends, whose answer never
comes). Either way the gateway's commit fails with a lost connection, exactly as a real cut does.
"""
from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event, text


@contextmanager
def cut_commit(engine: Engine, conversation_id: str, message_id: str,
               committed: bool) -> Iterator[list[int]]:
    """Yields the list of cuts made (one, once it happened)."""
    cuts: list[int] = []
    answering: weakref.WeakSet[Connection] = weakref.WeakSet()

    def watch(conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        words = statement.lstrip().upper()
        if (words.startswith(("INSERT INTO MESSAGES", "UPDATE MESSAGES"))
                and (conversation_id in repr(parameters) or message_id in repr(parameters))):
            answering.add(conn)

    def forget(conn: Connection) -> None:
        answering.discard(conn)

    def cut(conn: Connection) -> None:
        if conn not in answering or cuts:
            return
        answering.discard(conn)
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        if committed:
            dbapi.commit()  # committed on the server ...
            dbapi.cursor().execute("SELECT 1")  # ... and a new transaction for COMMIT to end
        pid = dbapi.info.backend_pid  # psycopg 3
        with engine.connect() as other:  # another connection of the pool: the server cuts
            other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        cuts.append(pid)

    event.listen(engine, "before_cursor_execute", watch)
    event.listen(engine, "commit", cut)
    event.listen(engine, "rollback", forget)
    try:
        yield cuts
    finally:
        event.remove(engine, "before_cursor_execute", watch)
        event.remove(engine, "commit", cut)
        event.remove(engine, "rollback", forget)
