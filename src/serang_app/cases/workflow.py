"""The vocabulary of a workflow: the phases, states and transitions of one kind of case.

The cases domain owns it; modules declare their workflows in it (through serang_app.api), and
the module contract (module_system/) imports it from here, never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from serang_app.auth.actor import ACTORS, Actor
from serang_app.bilingual import Text

__all__ = ["ACTORS", "FINAL_PHASES", "PHASES", "Actor", "Phase", "State", "Transition", "Workflow"]

# The phases every module's states map to, so the app can show one list of all requests.
Phase = Literal["submitted", "in_progress", "waiting_for_resident", "completed", "rejected", "cancelled"]
PHASES: tuple[Phase, ...] = get_args(Phase)
# A case in one of these phases is closed: its SLA no longer runs and the resident may rate it.
FINAL_PHASES: frozenset[Phase] = frozenset({"completed", "rejected", "cancelled"})


@dataclass(frozen=True, kw_only=True)
class State:
    """A status a case can be in. ``pauses_sla``: the SLA clock stands still while a case is here
    (the agency waits for the resident); it runs on, with the lost working days added, on leaving."""

    code: str
    phase: Phase
    title: Text
    pauses_sla: bool = False


@dataclass(frozen=True, kw_only=True)
class Transition:
    """A move from one of ``source`` to ``target``, taken by one of ``actors``.

    ``notify`` names the template (in the module's ``templates``) the resident and the case's
    followers are sent; ``requires_note`` makes a note mandatory (a reason for a rejection, say);
    ``requires_upload`` makes at least one completed upload of the actor's mandatory (a photo of
    the repair); the uploads are attached to the case.

    ``reroutes``: the action names another agency (``opd_code``) that takes the case over, its
    SLA counted again from now (a complaint forwarded to the right agency).
    ``when_rated``: the core takes it, as the system, when the resident rates the case in one of
    ``source`` (a resolved complaint closes on its rating).
    ``after_days``: the core takes it, as the system, once a case has been in one of ``source``
    that many days (a resolved complaint closes by itself after a week).
    ``module_route_only``: not offered by ``POST /v1/cases/{id}/actions``; the module's own route
    takes it, because it needs more than a note (merging a duplicate names the surviving case).
    """

    action: str
    title: Text
    source: tuple[str, ...]
    target: str
    actors: tuple[Actor, ...]
    requires_note: bool = False
    requires_upload: bool = False
    notify: str | None = None
    reroutes: bool = False
    when_rated: bool = False
    after_days: int | None = None
    module_route_only: bool = False


@dataclass(frozen=True, kw_only=True)
class Workflow:
    """The states and transitions of one kind of case. ``reference_prefix`` starts its public
    reference numbers (``ADU`` gives ``ADU-2611-000042``) and is unique among the modules.

    ``object_kind`` and ``object_path`` say what the module makes of each case and where a client
    reads it, so a case in any list leads to the module's own screen without the client knowing
    the module: ``object_kind="application"``, ``object_path="/v1/permits/applications/{object_id}"``.
    ``{object_id}`` is the id the module gave ``open_case`` (the case id when it gave none, so the
    module's route must accept the case id too); ``{case_id}`` is the case's id.

    ``notify_staff_of_new_cases``: a case opened in (or forwarded to) an agency is in its officers'
    and supervisors' inboxes and on their phones; False for cases nobody picks up from an inbox
    (a booking, served at the counter on its day).
    """

    code: str
    reference_prefix: str
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...] = ()
    object_kind: str | None = None
    object_path: str | None = None
    notify_staff_of_new_cases: bool = True

    def state(self, code: str) -> State | None:
        return next((state for state in self.states if state.code == code), None)

    def transition(self, action: str) -> Transition | None:
        return next((transition for transition in self.transitions if transition.action == action), None)
