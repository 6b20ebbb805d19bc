"""The openai brain: one chat-completions call per step on any OpenAI-compatible endpoint
(OpenAI, Azure, vLLM, Ollama, llama.cpp server), with the tools offered for calling.

It always uses the chat-completions API with `tool_choice="auto"`, whatever the model name.
Any failure of the endpoint or of the model's output raises BrainUnavailable so the graph
asks the offline brain for that step. What the LLM reads is built in `openai_messages`.
"""

import json
import logging
import time
from collections.abc import Collection
from typing import Any, cast

from openai import APIConnectionError, APIStatusError, OpenAI, OpenAIError, omit
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionMessageFunctionToolCall,
    ChatCompletionMessageParam,
    ChatCompletionToolUnionParam,
)

from agent import replies
from agent.brains.base import BrainStep, BrainUnavailable, BrainView
from agent.brains.offline_compose import compose
from agent.brains.openai_messages import build_messages
from agent.state import Outgoing, ToolCall
from quita.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

# The client's own retries multiply the debtor's wait (each try may last QUITA_LLM_TIMEOUT)
# while the offline brain is a good answer at once; so none by default.
DEFAULT_MAX_RETRIES = 0
# After the endpoint failed (timeout, connection, 429, 5xx), steps skip it for this long, so
# a turn of several steps, and the other threads, wait for the timeout once, not every step.
DEFAULT_COOLDOWN_SECONDS = 30.0
# Tool results the offline phrasebook already turns into the exact reply (codes, files, the
# hand-off): when a turn produced only these, no second LLM call is made.
FINISH_OFFLINE = frozenset(
    {"create_pix_charge", "issue_second_copy_boleto", "escalate_to_human", "opt_out"}
)
# Statuses that refuse one request (too long, malformed) and say nothing of the endpoint.
REQUEST_REFUSED = frozenset({400, 413, 422})
MAX_CALLS_PER_STEP = 4
# Local servers often need no key, but the client refuses to start without one.
KEYLESS_PLACEHOLDER = "no-key"
INTERACTIVE_BODY_LIMIT = 1024


class OpenAIBrain:
    """A brain backed by an OpenAI-compatible chat-completions endpoint.

    Settings used: openai_base_url, openai_api_key (sent as a Bearer token), llm_model and
    llm_timeout (seconds per HTTP attempt). Raises SettingsError when neither a key nor a
    base URL is configured. Call `close()` (or use it as a context manager) to free the
    client's connections.
    """

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        cooldown: float = DEFAULT_COOLDOWN_SECONDS,
        finish_offline: Collection[str] = FINISH_OFFLINE,
        parallel_tool_calls: bool = True,
        history_lines: int = 30,
    ) -> None:
        self.model = settings.llm_model
        self._client = _client(settings, max_retries)
        self._cooldown = cooldown
        self._finish_offline = frozenset(finish_offline)
        self._parallel_tool_calls = parallel_tool_calls
        self._history_lines = history_lines
        self._unavailable_until = 0.0

    def step(self, view: BrainView) -> BrainStep:
        """One chat-completions call: tool calls to run, or the replies that end the turn."""
        results = view.state.get("results") or []
        if results and all(result.get("tool") in self._finish_offline for result in results):
            return BrainStep(replies=compose(view, results), updates={"expecting": None})
        if time.monotonic() < self._unavailable_until:
            raise BrainUnavailable("endpoint failed recently; cooling down")

        completion = self._complete(build_messages(view, self._history_lines), view)
        tokens = _tokens(completion)
        calls, content = _read(completion, {spec.name for spec in view.tools})
        if calls:
            logger.info(
                "openai brain asked for %d tool call(s)",
                len(calls),
                extra={"llm_model": self.model, "llm_tokens": tokens},
            )
            return BrainStep(calls=calls, updates={"expecting": None}, llm_calls=1, tokens=tokens)
        logger.info("openai brain replied", extra={"llm_model": self.model, "llm_tokens": tokens})
        logger.debug("openai brain reply: %s", content)
        return BrainStep(
            replies=_replies(content, results),
            updates={"expecting": None},
            llm_calls=1,
            tokens=tokens,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "OpenAIBrain":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _complete(
        self, messages: list[ChatCompletionMessageParam], view: BrainView
    ) -> ChatCompletion:
        tools = cast("list[ChatCompletionToolUnionParam]", [t.openai_schema() for t in view.tools])
        try:
            # OpenAI refuses an empty tool list, and the tool options without one.
            return self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                tools=tools or omit,
                tool_choice="auto" if tools else omit,
                parallel_tool_calls=self._parallel_tool_calls if tools else omit,
            )
        except (APIConnectionError, APIStatusError) as error:
            if _endpoint_failed(error):
                self._unavailable_until = time.monotonic() + self._cooldown
            raise BrainUnavailable(f"LLM endpoint failed: {_describe(error)}") from error
        except (OpenAIError, ValueError) as error:
            # The client hands back a body it cannot read as raised JSON errors, or as a str.
            raise BrainUnavailable(f"LLM answer unusable: {type(error).__name__}") from error


def _client(settings: Settings, max_retries: int) -> OpenAI:
    secret = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    if not secret and not settings.openai_base_url:
        raise SettingsError(
            "QUITA_BRAIN=openai needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local "
            "OpenAI-compatible server that takes no key"
        )
    return OpenAI(
        base_url=settings.openai_base_url,
        api_key=secret or KEYLESS_PLACEHOLDER,
        timeout=settings.llm_timeout,
        max_retries=max_retries,
    )


def _endpoint_failed(error: APIConnectionError | APIStatusError) -> bool:
    """Whether the endpoint itself is in trouble (timeouts, refused connections, 429, 5xx,
    a bad key) rather than this one request being refused (400, 413, 422)."""
    return not isinstance(error, APIStatusError) or error.status_code not in REQUEST_REFUSED


def _describe(error: OpenAIError) -> str:
    if isinstance(error, APIStatusError):
        return f"HTTP {error.status_code}"
    return type(error).__name__


def _tokens(completion: object) -> int:
    usage = getattr(completion, "usage", None)
    return int(getattr(usage, "total_tokens", 0) or 0)


def _read(completion: object, tool_names: set[str]) -> tuple[list[ToolCall], str]:
    """The tool calls asked for, or the reply text; BrainUnavailable for anything else,
    including a body that is not a chat completion (the client does not validate it)."""
    if not isinstance(completion, ChatCompletion):
        raise BrainUnavailable("LLM answer is not a chat completion")
    try:
        return _parse(completion, tool_names)
    except (AttributeError, TypeError) as error:
        raise BrainUnavailable("LLM answer is not a well-formed chat completion") from error


def _parse(completion: ChatCompletion, tool_names: set[str]) -> tuple[list[ToolCall], str]:
    if not completion.choices or completion.choices[0].message is None:
        raise BrainUnavailable("LLM answer has no message")
    choice = completion.choices[0]
    message = choice.message
    if message.tool_calls:
        calls = [
            _tool_call(call, tool_names, index) for index, call in enumerate(message.tool_calls)
        ]
        return _distinct(calls)[:MAX_CALLS_PER_STEP], ""
    content = (message.content or "").strip()
    if not content:
        raise BrainUnavailable("LLM answer has neither text nor tool calls")
    if choice.finish_reason == "length":
        raise BrainUnavailable("LLM reply was cut at the token limit")
    return [], content


def _tool_call(call: object, tool_names: set[str], index: int) -> ToolCall:
    if not isinstance(call, ChatCompletionMessageFunctionToolCall):
        raise BrainUnavailable("LLM asked for a tool call that is not a function")
    name = call.function.name
    if name not in tool_names:
        raise BrainUnavailable(f"LLM asked for an unknown tool: {name[:60]!r}")
    raw = call.function.arguments or "{}"
    try:
        args = json.loads(raw)
    except json.JSONDecodeError:
        raise BrainUnavailable(f"LLM sent arguments for {name} that are not JSON") from None
    if not isinstance(args, dict):
        raise BrainUnavailable(f"LLM sent arguments for {name} that are not a JSON object")
    return ToolCall(id=call.id or f"call-{index}-{name}", name=name, args=args)


def _distinct(calls: list[ToolCall]) -> list[ToolCall]:
    """The calls without repeats: a model asking twice for the same thing gets it once."""
    seen: set[str] = set()
    kept: list[ToolCall] = []
    for call in calls:
        key = call["name"] + json.dumps(call["args"], sort_keys=True)
        if key not in seen:
            seen.add(key)
            kept.append(call)
    return kept


def _replies(content: str, results: list[dict[str, Any]]) -> list[Outgoing]:
    """The model's text, then the codes and files this turn's tools produced, written from
    the tool data itself (a model copying a Pix code could garble it)."""
    artifacts: list[Outgoing] = []
    for result in results:
        if result.get("ok") and result.get("tool") == "create_pix_charge":
            artifacts += replies.pix(result["data"])
        if result.get("ok") and result.get("tool") == "issue_second_copy_boleto":
            artifacts += replies.boleto(result["data"])
    if not artifacts and _showed_balance(results) and len(content) <= INTERACTIVE_BODY_LIMIT:
        return [{"kind": "buttons", "body": content, "buttons": list(replies.PAY_BUTTONS)}]
    return [replies.text(content), *artifacts]


def _showed_balance(results: list[dict[str, Any]]) -> bool:
    return any(
        result.get("ok") and result.get("tool") == "get_balance" and result["data"].get("invoices")
        for result in results
    )
