"""Quita: debt collection on WhatsApp for Brazilian ISPs (composition root)."""
