"""PySide6 user interface: thin widgets over ``agent_assist.core``."""
