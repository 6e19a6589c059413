"""The application layer: the use cases both front-ends call, with no Qt.

``ui/`` (widgets) and ``commands/`` (argument parsing) hold no logic of their own: they name a
use case here and show its result.  :class:`~agent_assist.app.context.AppContext` owns the
collaborators (knowledge cache, event log, settings, the one clock, the suggester); the use-case
modules (:mod:`.search`, :mod:`.work`, :mod:`.sync`) are written once, so a benchmark or a test
of a use case measures exactly what the agent gets.
"""
