"""The local SQLite knowledge cache and its hub-sync queries."""
