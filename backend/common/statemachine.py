"""State machines held as data: one table of allowed transitions per kind of case.

An action not in the table for the current state (or for this kind of actor) is refused with 409,
and the table is what the admin panel reads to offer the allowed buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.common.errors import Conflict


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actor: str  # "staff" | "worker" | "system"
    label: str = ""
    needs_note: bool = False  # e.g. a rejection must say why


class IllegalTransition(Conflict):
    code = "illegal_transition"


class StateMachine:
    def __init__(self, name: str, transitions: Iterable[Transition], labels: dict[str, str]):
        self.name = name
        self.labels = labels
        self._by_key: dict[tuple[str, str], Transition] = {}
        for t in transitions:
            for source in t.sources:
                self._by_key[(source, t.action)] = t

    def transition(self, current: str, action: str, actor: str) -> Transition:
        """The transition ``action`` makes from ``current``, or IllegalTransition."""
        t = self._by_key.get((current, action))
        if t is None or t.actor != actor:
            state = self.labels.get(current, current)
            raise IllegalTransition(f"当前状态（{state}）下不能执行该操作")
        return t

    def actions(self, current: str, actor: str) -> list[Transition]:
        return [t for (source, _), t in self._by_key.items() if source == current and t.actor == actor]

    @property
    def all_actions(self) -> set[str]:
        return {action for _, action in self._by_key}
