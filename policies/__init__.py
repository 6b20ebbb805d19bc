"""Typed, configurable Brazilian collection rules; pure functions with no I/O."""
