"""Entry point of the frozen executables: the same ``run`` as ``agent-assist``."""

from agent_assist.cli import run

if __name__ == "__main__":
    run()
