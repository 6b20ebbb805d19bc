"""One module per tool the agent can call."""
