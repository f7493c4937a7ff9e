"""Scores against gold annotations."""
