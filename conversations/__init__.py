"""Conversation threads with debtors: the WhatsApp inbox and the ordered per-thread worker."""
