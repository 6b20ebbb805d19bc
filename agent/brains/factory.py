"""The brain a process runs with, chosen by QUITA_BRAIN."""

from agent.brains.base import Brain
from quita.settings import Settings


def make_brain(settings: Settings) -> Brain:
    """`offline` (the default, no network) or `openai` (OPENAI_BASE_URL, QUITA_LLM_MODEL).

    Raises SettingsError when the openai brain lacks both a key and a base URL. The offline
    brain stays the fallback whichever is chosen; the caller builds it separately.
    """
    # Imported here so a process on the offline brain never loads the OpenAI SDK.
    if settings.brain == "openai":
        from agent.brains.openai_brain import OpenAIBrain

        return OpenAIBrain(settings)
    from agent.brains.offline import OfflineBrain

    return OfflineBrain()
