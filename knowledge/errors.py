"""Errors of the knowledge base."""


class KnowledgeError(RuntimeError):
    """The knowledge base cannot be built or opened; the message says which file or folder."""
