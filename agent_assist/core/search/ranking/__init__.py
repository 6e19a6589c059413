"""The suggestion engine's parts: text features, the index, the learned model, confidence.

:mod:`agent_assist.core.search.suggester` is the one entry point the CLI and the UI use; these
modules hold the pieces it combines (see ``docs/suggestions.md`` for how and why).
"""
