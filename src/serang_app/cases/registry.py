"""Every enabled module's workflows, looked up by module and code, and their templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from serang_app.module_system.spec import ModuleSpec, State, Text, Transition, Workflow

# The core's own notification templates: placeholders are filled from the notification's params.
CORE_TEMPLATES: dict[str, Text] = {
    "case.comment": Text(
        id="Ada tanggapan baru pada permohonan {reference}.",
        en="There is a new reply on your request {reference}.",
    ),
    "case.overdue": Text(
        id="Permohonan {reference} melewati batas waktu layanan.",
        en="Case {reference} is past its service deadline.",
    ),
    "case.status_changed": Text(
        id="Status permohonan {reference} kini: {status}.",
        en="The status of your request {reference} is now: {status}.",
    ),
}


@dataclass(frozen=True, slots=True)
class RegisteredWorkflow:
    module: str
    workflow: Workflow
    states: dict[str, State]
    transitions: dict[str, Transition]


class WorkflowRegistry:
    def __init__(self, specs: Sequence[ModuleSpec]) -> None:
        self._by_key: dict[tuple[str, str], RegisteredWorkflow] = {}
        for spec in specs:
            for workflow in spec.workflows:
                self._by_key[(spec.slug, workflow.code)] = RegisteredWorkflow(
                    module=spec.slug,
                    workflow=workflow,
                    states={state.code: state for state in workflow.states},
                    transitions={transition.action: transition for transition in workflow.transitions},
                )

    def all(self) -> list[RegisteredWorkflow]:
        return list(self._by_key.values())

    def get(self, module: str, workflow: str) -> RegisteredWorkflow | None:
        return self._by_key.get((module, workflow))

    def state_title(self, module: str, workflow: str, status: str) -> Text:
        """The status's title; a status a disabled or changed module no longer declares shows its code."""
        registered = self._by_key.get((module, workflow))
        state = registered.states.get(status) if registered else None
        return state.title if state else Text(id=status, en=status)
