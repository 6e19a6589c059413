"""Client side of hub sync (delta pull, event outbox, credentials). Never imports Qt."""
