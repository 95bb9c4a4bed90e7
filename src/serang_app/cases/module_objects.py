"""What a module made of a case: the kind and id of its own object, and the path a client reads
it at, built from the workflow's declaration (``Workflow.object_kind``, ``object_path``).

The core knows no module's routes: each workflow declares a path template, and every case list,
case detail and inbox item carries the filled-in path, so a client opens the right screen by
following a field rather than by knowing which module keeps what where.
"""

from __future__ import annotations

import re
import string
import uuid

import msgspec

from serang_app.cases.workflow import Workflow

# The placeholders a path template may name.
PLACEHOLDERS = frozenset({"case_id", "object_id"})
OBJECT_KIND = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_PATH_CHARACTERS = re.compile(r"^/[A-Za-z0-9_./{}-]{1,200}$")


class ModuleObject(msgspec.Struct, kw_only=True):
    """The module's own object behind a case (a permit application, a booking, the complaint)."""

    module: str
    # What the module calls it (`application`, `booking`, `complaint`): the app picks a screen by
    # module and kind.
    kind: str
    id: uuid.UUID
    # Where to read it, relative to the API's origin (`/v1/permits/applications/{id}`).
    path: str


def module_object(
    module: str, workflow: Workflow | None, case_id: uuid.UUID, object_id: uuid.UUID | None
) -> ModuleObject | None:
    """The case's object as the workflow declares it; None when the workflow declares none (or its
    module is no longer enabled)."""
    if workflow is None or workflow.object_kind is None or workflow.object_path is None:
        return None
    own_id = object_id or case_id
    path = workflow.object_path.format(case_id=case_id, object_id=own_id)
    return ModuleObject(module=module, kind=workflow.object_kind, id=own_id, path=path)


def object_problems(workflow: Workflow, slug: str) -> list[str]:
    """What is wrong with a workflow's object declaration (checked before the module runs)."""
    where = f"workflow {workflow.code!r}"
    if workflow.object_kind is None and workflow.object_path is None:
        return []
    if workflow.object_kind is None or workflow.object_path is None:
        return [f"{where}: object_kind and object_path are declared together or not at all"]
    problems = []
    if not OBJECT_KIND.match(workflow.object_kind):
        problems.append(f"{where}: object_kind must be lowercase letters, digits or underscores")
    path = workflow.object_path
    # No `..`: the path must not climb out of the module's routes once a client resolves it.
    if not path.startswith(f"/v1/{slug}/") or not _PATH_CHARACTERS.match(path) or ".." in path:
        problems.append(f"{where}: object_path must be a path under /v1/{slug}/")
    else:
        # The characters allowed leave out `!` and `:`: no conversion or format spec, only names.
        try:
            named = {name for _, name, _, _ in string.Formatter().parse(path) if name is not None}
        except ValueError:
            named = {"<unbalanced brace>"}
        if unknown := named - PLACEHOLDERS:
            problems.append(
                f"{where}: object_path names {sorted(unknown)}; it may name only {{case_id}} and {{object_id}}"
            )
    return problems
