"""Headless core: models, pack format, knowledge store, search. Never imports Qt."""
