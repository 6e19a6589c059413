"""Agent Assist: a desktop companion for customer-support agents.

The version lives here and nowhere else; packaging and ``--version`` read it.
"""

__version__ = "0.1.0"
