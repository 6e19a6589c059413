"""The About dialog: versions, and the licences of the components the app ships with."""

from __future__ import annotations

import importlib.metadata as md
import platform
import re

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from agent_assist import __version__

DIST = "agent-assist"
KNOWN = {
    "PySide6": "LGPL-3.0-only (Qt for Python; Qt itself is used under LGPLv3)",
    "shiboken6": "LGPL-3.0-only",
    "pyside6-essentials": "LGPL-3.0-only (Qt for Python; Qt itself is used under LGPLv3)",
}


def licence_of(dist: str) -> str:
    """The licence a distribution declares (SPDX expression, classifier or free text)."""
    if dist in KNOWN:
        return KNOWN[dist]
    try:
        meta = md.metadata(dist)
    except md.PackageNotFoundError:
        return "not installed"
    data = meta.json
    expression = data.get("license_expression", "")
    if expression:
        return str(expression)
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::")
    ]
    if classifiers:
        return ", ".join(classifiers)
    text = str(data.get("license", "")).strip().splitlines()
    return text[0][:80] if text else "see the package"


def runtime_dependencies() -> list[str]:
    """Names of the app's runtime requirements (extras and markers dropped)."""
    try:
        requires = md.requires(DIST) or []
    except md.PackageNotFoundError:
        return ["PySide6"]
    names = []
    for req in requires:
        if "extra ==" in req:
            continue
        match = re.match(r"[A-Za-z0-9_.\-]+", req)
        if match:
            names.append(match.group(0))
    return sorted(set(names), key=str.casefold)


def about_html() -> str:
    rows = [("Python", f"{platform.python_version()}", "PSF-2.0")]
    rows.append(("Qt", qVersion(), "LGPL-3.0-only"))
    for name in runtime_dependencies():
        try:
            version = md.version(name)
        except md.PackageNotFoundError:
            version = "—"
        rows.append((name, version, licence_of(name)))
    table = "".join(f"<tr><td>{n}</td><td>{v}</td><td>{lic}</td></tr>" for n, v, lic in rows)
    return (
        f"<h2>Agent Assist {__version__}</h2>"
        f"<p>Qt {qVersion()} · PySide6 {PySide6.__version__} · Python "
        f"{platform.python_version()}</p>"
        "<h3>Bundled components</h3>"
        '<table cellspacing="0" cellpadding="3">'
        "<tr><th align=left>Component</th><th align=left>Version</th>"
        f"<th align=left>Licence</th></tr>{table}</table>"
        "<p>Qt and PySide6 are used under the GNU LGPL v3; you may replace the bundled Qt "
        "libraries with your own build.</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Agent Assist")
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setAccessibleName("About Agent Assist")
        self.text.setHtml(about_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(460, 420)
