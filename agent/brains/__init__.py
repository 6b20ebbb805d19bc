"""Brains decide what to do with a debtor's message: which tools to call, then what to say."""
