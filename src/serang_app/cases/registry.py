"""Every enabled module's workflows, looked up by module and code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from serang_app.bilingual import Text
from serang_app.cases.workflow import State, Transition, Workflow


class DeclaresWorkflows(Protocol):
    """Whatever declares workflows under a slug: a module's spec (module_system/spec.py)."""

    @property
    def slug(self) -> str: ...

    @property
    def workflows(self) -> Sequence[Workflow]: ...


@dataclass(frozen=True, slots=True)
class RegisteredWorkflow:
    module: str
    workflow: Workflow
    states: dict[str, State]
    transitions: dict[str, Transition]


class WorkflowRegistry:
    def __init__(self, specs: Iterable[DeclaresWorkflows]) -> None:
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
