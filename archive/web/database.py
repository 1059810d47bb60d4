"""The archive database among those Datasette serves, for every page that reads it."""

from __future__ import annotations

from archive.schema import FTS_TABLE


async def archive_database(datasette):
    """The first file database holding the articles' full-text index, or None."""
    for db in datasette.databases.values():
        if not db.is_memory and await db.table_exists(FTS_TABLE):
            return db
    return None
