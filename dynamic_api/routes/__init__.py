"""Every route of the API, one module per area.

An area module defines ``routes`` (its ``Route`` objects, paths starting with ``/api/``)
and ``schema_models`` (the pydantic models its OpenAPI docstrings reference, or ``[]``).
To add an area, import its module and add it to :data:`AREAS`.
"""

from __future__ import annotations

from types import ModuleType

from pydantic import BaseModel
from starlette.routing import BaseRoute

from dynamic_api.routes import (
    accounts,
    admin,
    admin_payments,
    catalog,
    certificates,
    evaluations,
    learning,
    masterclasses,
    payments,
    service,
)

AREAS: list[ModuleType] = [
    service,
    accounts,
    admin,
    learning,
    evaluations,
    catalog,
    certificates,
    masterclasses,
    payments,
    admin_payments,
]

routes: list[BaseRoute] = [route for area in AREAS for route in area.routes]

schema_models: list[type[BaseModel]] = [model for area in AREAS for model in area.schema_models]
