"""The module contract's declaration types (spec.py), their discovery and their validation.

Module authors import from serang_app.api, the core API for modules, which holds these types and
the helpers modules call. These names stay exported here for modules written against 1.0.
"""

from serang_app.auth.permissions import Permission
from serang_app.bilingual import ProblemText, Text
from serang_app.cases.workflow import Actor, State, Transition, Workflow
from serang_app.db.pool import Database
from serang_app.module_system.spec import (
    CORE_API_VERSION,
    CatalogueService,
    ModuleContext,
    ModuleSpec,
    ModuleTask,
    ModuleTaskContext,
)

__all__ = [
    "CORE_API_VERSION",
    "Actor",
    "CatalogueService",
    "Database",
    "ModuleContext",
    "ModuleSpec",
    "ModuleTask",
    "ModuleTaskContext",
    "Permission",
    "ProblemText",
    "State",
    "Text",
    "Transition",
    "Workflow",
]
