"""The two storage backends behind :class:`storage.db.Database`: SQLite (embedded, one process,
the default) and PostgreSQL (asyncpg; N instances share it). ``Database.open`` picks one from
``DATABASE_URL``; repositories and migrations are the same for both (``storage.base``,
``storage.schema``)."""
