"""``python -m agent_assist`` runs the same command as ``agent-assist``."""

from agent_assist.cli import run

run()
