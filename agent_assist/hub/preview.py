"""The editor's preview: an item as the desktop's detail pane shows it, as safe HTML.

The same rules as the desktop (``ui/detail_view.py``, ``ui/item_markdown.py``): the pane is
one Markdown document — title, summary, deadline, numbered steps with their answers, linked
replies, then the body as written — read as GitHub-flavoured Markdown with **raw HTML
disabled** and **nothing fetched** (an image shows as its alt text, never loaded; only
http(s) and mailto links stay links).  Pack fields are escaped so they show literally; the
body is Markdown already.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from agent_assist.core.knowledge.markdown_text import (
    deadline_text,
    macro_fields_markdown,
    md_escape,
)
from agent_assist.core.knowledge.models import END, Macro, Sop

_SAFE_LINK = re.compile(r"(https?:|mailto:)", re.IGNORECASE)


def sop_markdown(sop: Sop, version: str) -> str:
    meta = ["SOP", version, *([", ".join(sop.tags)] if sop.tags else [])]
    lines = [f"# {md_escape(sop.title)}", "", f"*{md_escape(' · '.join(meta))}*", ""]
    if sop.summary:
        lines += [md_escape(sop.summary), ""]
    if sop.deadline:
        lines += [f"**Deadline** — {md_escape(deadline_text(sop.deadline))}", ""]
    if sop.steps:
        numbers = {s.id: n for n, s in enumerate(sop.steps, start=1)}
        lines += ["## Steps", ""]
        for n, step in enumerate(sop.steps, start=1):
            optional = " *(optional)*" if not step.required else ""
            lines.append(f"{n}. {md_escape(step.text)}{optional}")
            for c in step.choices:
                to = "finish" if c.next == END else f"step {numbers.get(c.next, '?')}"
                lines.append(f"    - {md_escape(c.label)} → {to}")
            if step.macro:
                lines.append(f"    - Reply: {md_escape(step.macro)}")
        lines.append("")
    if sop.macros:
        lines += ["## Replies", "", *(f"- {md_escape(m)}" for m in sop.macros), ""]
    if sop.body.strip():
        lines += ["## Background", "", sop.body.strip(), ""]
    return "\n".join(lines)


def macro_markdown(macro: Macro, version: str) -> str:
    lines = [f"# {md_escape(macro.title)}", "", f"*{md_escape('Macro · ' + version)}*", ""]
    lines += macro_fields_markdown(macro)
    return "\n".join([*lines, "## Reply template", "", "```", macro.body, "```", ""])


class _Renderer(RendererHTML):
    """Images become their alt text; links other than http(s)/mailto become plain text."""

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
        return f'<span class="image-alt">[image: {_escape(alt)}]</span>'

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        href = str(tokens[idx].attrGet("href") or "")
        if not _SAFE_LINK.match(href):
            tokens[idx].attrs.pop("href", None)
            return '<span class="link">'
        tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
        return self.renderToken(tokens, idx, options, env)

    def link_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        opening = next(
            (
                t
                for t in reversed(tokens[:idx])
                if t.type == "link_open" and t.level == tokens[idx].level
            ),
            None,
        )
        if opening is not None and "href" not in opening.attrs:
            return "</span>"
        return self.renderToken(tokens, idx, options, env)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


_md = MarkdownIt("commonmark", {"html": False}, renderer_cls=_Renderer).enable(
    ["table", "strikethrough"]
)


def render_markdown(text: str) -> str:
    """Markdown to HTML with the desktop's rules (no raw HTML, nothing fetched)."""
    return str(_md.render(text))


def render_item(content: Sop | Macro, version: str) -> dict[str, Any]:
    """The preview of ``content`` as HTML (and the Markdown it was made from)."""
    md = (
        sop_markdown(content, version)
        if isinstance(content, Sop)
        else macro_markdown(content, version)
    )
    return {"markdown": md, "html": render_markdown(md)}
