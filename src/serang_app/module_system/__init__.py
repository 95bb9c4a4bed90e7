"""The module contract: how a public service plugs into the core.

Module authors import their types from here (``from serang_app.module_system import ModuleSpec``);
everything else in the core is private to it.
"""

from serang_app.auth.permissions import Permission
from serang_app.db.pool import Database
from serang_app.module_system.spec import (
    CORE_API_VERSION,
    Actor,
    CatalogueService,
    ModuleContext,
    ModuleSpec,
    ModuleTask,
    ModuleTaskContext,
    ProblemText,
    State,
    Text,
    Transition,
    Workflow,
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
