"""Every package's tables, for comparing the models with the migrations.

Running the migrations needs none of this (`core.db.init_db`); `kakehashi db revision`
and the migration test import every model so that SQLModel's metadata is complete.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlmodel import SQLModel

import core.staff
import core.state
import handoff.models
import inbox.models
import knowledge.models
import knowledge.revisions
import matching.intro_models
import matching.models

MODEL_MODULES = (
    core.staff,
    core.state,
    handoff.models,
    inbox.models,
    knowledge.models,
    knowledge.revisions,
    matching.models,
    matching.intro_models,
)


def metadata() -> MetaData:
    """SQLModel's metadata with every table of the app registered."""
    return SQLModel.metadata
