"""The team hub server (ASGI). Never imports Qt."""
