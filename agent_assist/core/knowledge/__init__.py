"""The knowledge pack: its models, reading, checking, writing, signing and diffs."""
