"""Conversation eval suites."""
