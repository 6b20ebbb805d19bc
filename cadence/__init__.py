"""The dunning scheduler (régua de cobrança)."""
