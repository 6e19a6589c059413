"""One setting's declaration: type, default, description and limits (Picard's ``TextOption``).

An option is declared once, as a class attribute of
:class:`~agent_assist.core.settings.Settings`; the attribute's name is its key in
``settings.json`` and in IT's TOML file.  Read through a ``Settings`` instance it is the
effective value with the declared type (``settings.font_size`` is an ``int``), so mypy checks
the name and the type at every call site.  Read through the class (``Settings.font_size``) it
is the declaration itself, for typed writes (``settings.set(Settings.font_size, 12)``) and for
editors that need the limits.
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, overload

T = TypeVar("T")


class Values(Protocol):
    """Where an option reads its effective value (the layered ``Settings``)."""

    def get(self, key: str) -> Any: ...


class Option(Generic[T]):
    """A typed setting; subclasses say how values are checked and parsed from text."""

    type: ClassVar[builtins.type[Any]] = object
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def __init__(self, default: T, description: str) -> None:
        self.key = ""  # the attribute name, set when the owning class is created
        self.default = default
        self.description = description

    def __set_name__(self, owner: builtins.type[Any], name: str) -> None:
        self.key = name

    @overload
    def __get__(self, obj: None, owner: builtins.type[Any] | None = None) -> Self: ...
    @overload
    def __get__(self, obj: Values, owner: builtins.type[Any] | None = None) -> T: ...
    def __get__(self, obj: Values | None, owner: builtins.type[Any] | None = None) -> Self | T:
        if obj is None:
            return self
        value: T = obj.get(self.key)  # checked against this option when its layer was read
        return value

    def check(self, value: object) -> T:
        """Return ``value`` if valid for this option, else raise ValueError saying why."""
        raise NotImplementedError

    def parse(self, text: str) -> T:
        """Parse a value typed on the command line (ValueError saying why if it is not one)."""
        return self.check(text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, default={self.default!r})"


class TextOption(Option[str]):
    type = str

    def __init__(self, default: str, description: str, *, choices: tuple[str, ...] = ()) -> None:
        super().__init__(default, description)
        self.choices = choices

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise ValueError("expected text")
        if self.choices and value not in self.choices:
            raise ValueError(f"expected one of: {', '.join(self.choices)}")
        return value


class IntOption(Option[int]):
    type = int

    def __init__(
        self,
        default: int,
        description: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> None:
        super().__init__(default, description)
        self.minimum, self.maximum = minimum, maximum

    def check(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("expected a whole number")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"expected at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"expected at most {self.maximum}")
        return value

    def parse(self, text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise ValueError("expected a whole number") from None
        return self.check(number)


class BoolOption(Option[bool]):
    type = bool

    def check(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value

    def parse(self, text: str) -> bool:
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise ValueError("expected true or false")
