"""Every package's tables, for comparing the models with the migrations.

Running the migrations needs none of this (`core.db.init_db`); `kakehashi db revision`
and the migration test import every model so that SQLModel's metadata is complete.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlmodel import SQLModel

import core.staff
import core.state
import inbox.models
import knowledge.models
import matching.intro_models
import matching.models

MODEL_MODULES = (
    core.staff,
    core.state,
    inbox.models,
    knowledge.models,
    matching.models,
    matching.intro_models,
)


def metadata() -> MetaData:
    """SQLModel's metadata with every table of the app registered."""
    return SQLModel.metadata
