"""WhatsApp Cloud API delivery: typed messages, the client, the sender loop and its limits."""
