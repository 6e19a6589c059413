"""The semantic ranking stage: an on-device sentence encoder beside the lexical ranker."""
