"""The directory CSV format of DESIGN.md, shared by `companies import` and `companies export`."""

from __future__ import annotations

# Columns in this order, UTF-8 with a header row.
COLUMNS = (
    "ref",
    "country",
    "name",
    "sector",
    "offers",
    "seeks",
    "partnership",
    "certifications",
    "employees",
    "location",
    "languages",
    "email",
    "phone",
)
# Extra columns the importer also reads and `export --extended` writes.
EXTENDED_COLUMNS = ("required_certifications", "contact_person", "name_en", "thai_base")
