"""Helpers shared by every feature area."""
