"""Outbound delivery to debtors."""
