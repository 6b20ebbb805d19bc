"""Inbound HTTP: WhatsApp Cloud API and payment notices."""
