"""Entry point of the frozen executables: the same ``main`` as ``agent-assist``."""

import sys

from agent_assist.cli import main

if __name__ == "__main__":
    sys.exit(main())
