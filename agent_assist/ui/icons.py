"""Icons, loaded from the bundled resources (SVG, drawn in-house, sharp at any DPI)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from agent_assist.core.knowledge.models import Kind
from agent_assist.resources import resource


def icon(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))


def app_icon() -> QIcon:
    return icon("agent-assist")


def kind_icons() -> dict[Kind, QIcon]:
    return {kind: icon(kind.value) for kind in Kind}
