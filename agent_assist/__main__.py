"""``python -m agent_assist`` runs the same command as ``agent-assist``."""

import sys

from agent_assist.cli import main

sys.exit(main())
