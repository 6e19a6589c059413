"""Suggestions: the suggester and its ranking engine."""
