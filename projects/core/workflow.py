"""Status lifecycles as data: one table per lifecycle decides which transitions exist."""

from collections.abc import Iterable, Mapping

from projects.core.errors import TransitionNotAllowed


class Lifecycle:
    """The allowed transitions of one status field, e.g. ``{"proposed": {"approved"}}``."""

    def __init__(self, transitions: Mapping[str, Iterable[str]], choices):
        self.transitions = {state: tuple(targets) for state, targets in transitions.items()}
        self.choices = choices
        unknown = set(self.transitions) | {t for ts in self.transitions.values() for t in ts}
        unknown -= set(choices.values)
        if unknown:
            raise ValueError(f"Unknown states in lifecycle: {sorted(unknown)}")

    def allowed_from(self, current: str) -> tuple[str, ...]:
        return self.transitions.get(current, ())

    def check(self, current: str, to: str) -> None:
        """Raise ``TransitionNotAllowed`` (naming the allowed targets) unless current → to exists."""
        if to not in self.allowed_from(current):
            raise TransitionNotAllowed(current=current, to=to, allowed=self.allowed_from(current), labels=self.labels)

    @property
    def labels(self) -> dict:
        return {value: str(label) for value, label in self.choices.choices}
