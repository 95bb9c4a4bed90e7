"""The collection order spreads the end-to-end tests over pytest-xdist's processes
(tests/support/ordering.py), checked against the installed xdist's own work-stealing scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from xdist.scheduler.worksteal import WorkStealingScheduling  # type: ignore[import-untyped]

from tests.support.ordering import first_shares, spread


@dataclass(eq=False)
class _Process:
    """What the scheduler needs of a pytest-xdist process: it records the tests sent to it."""

    name: str
    sent: list[int] = field(default_factory=list)
    shutting_down: bool = False

    @property
    def gateway(self) -> SimpleNamespace:
        return SimpleNamespace(id=self.name)

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)


class _Config:
    def __init__(self, processes: int) -> None:
        self.processes = processes

    def getvalue(self, name: str) -> Any:
        assert name == "tx"
        return [f"{self.processes}*popen"]


def test_each_process_starts_with_its_share_of_the_long_tests() -> None:
    # 1,142 tests, every tenth one long, as the suite roughly is.
    names = [f"test_{index}" + ("_e2e" if index % 10 == 3 else "") for index in range(1142)]
    ordered = spread(names, 4, is_long=lambda name: name.endswith("_e2e"))
    assert sorted(ordered) == sorted(names)

    scheduler = WorkStealingScheduling(_Config(4))
    processes = [_Process(f"gw{number}") for number in range(4)]
    for process in processes:
        scheduler.add_node(process)
    for process in processes:
        scheduler.add_node_collection(process, ordered)
    scheduler.schedule()

    assert [len(process.sent) for process in processes] == first_shares(1142, 4)
    long_per_process = []
    for process in processes:
        share = [ordered[index] for index in process.sent]
        long = [name for name in share if name.endswith("_e2e")]
        assert share[: len(long)] == long, "a share starts with its long tests"
        long_per_process.append(len(long))
    assert sum(long_per_process) == 114
    assert max(long_per_process) - min(long_per_process) <= 1


def test_without_xdist_the_long_tests_come_first() -> None:
    assert spread(["a", "B", "c", "D"], 1, is_long=str.isupper) == ["B", "D", "a", "c"]
