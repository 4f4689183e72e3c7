"""Alembic environment: the app's SQLModel metadata, on the connection init_db hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

# Whoever autogenerates (`kakehashi db revision`, the migration test) imports every model
# first (`assembly.schema`); running the migrations needs no model.
target_metadata = SQLModel.metadata
config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through core.db.init_db (it passes the connection)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
