"""Ticketing-tool connectors: Request Tracker 5, Zendesk, Freshdesk, Zammad.

One interface (:mod:`.base`), one HTTP wrapper (:mod:`.http`), one HTML-to-text converter
(:mod:`.text`) and one registry (:mod:`.registry`) shared by the four tools.  No Qt, no
knowledge of the app: the application layer (``app/tickets.py``) drives a connector, and only
``app`` imports this package (``tests/unit/test_architecture.py``).
"""
