"""A local OpenAI-compatible chat-completions server that answers from a script.

`OpenAIStandIn` serves ``POST /v1/chat/completions`` (and ``GET /v1/models``) over real HTTP
on 127.0.0.1, on a free port, from a background thread. Each request takes the next step of
the script: a tool call, a final text, an HTTP error, a raw body, a stall until the test
releases it, or a callable that receives the request body and returns one of those (so an
eval can drive a whole conversation). Every request is recorded with its headers. Requests
are checked the way OpenAI checks them (model, messages, tool messages answering the
assistant's calls, the bearer key when one is set) and answered in the real wire format,
with `usage`.

Anything the script did not foresee (no step left, a callable that raised, a request OpenAI
would refuse) is answered with an OpenAI error body and listed in `problems`, so a test that
falls back to the offline brain for that reason can still fail loudly.

    with OpenAIStandIn(tool_call("get_balance"), text("Seu saldo...")) as llm:
        settings = Settings(openai_base_url=llm.base_url, ...)
"""

import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

import anyio.to_thread
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

DEFAULT_MODEL_ID = "quita-standin"
START_TIMEOUT_SECONDS = 10.0
# A stall never outlives this, so a test that forgets to release one still ends.
MAX_STALL_SECONDS = 10.0


@dataclass(frozen=True)
class ScriptedCall:
    """One tool call: `arguments` is a dict (sent as JSON) or a raw string sent as is."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class Text:
    content: str
    finish_reason: str = "stop"


@dataclass(frozen=True)
class ToolCalls:
    calls: tuple[ScriptedCall, ...]
    content: str | None = None


@dataclass(frozen=True)
class HttpError:
    status: int
    message: str = "The server had an error while processing your request."
    type: str = "server_error"


@dataclass(frozen=True)
class Raw:
    """A body sent as is, to see how a client copes with what no real server should send."""

    body: str
    content_type: str = "application/json"
    status: int = 200


@dataclass(frozen=True)
class Stall:
    """Hold the request until `release` is set (or MAX_STALL_SECONDS), then answer `then`."""

    release: threading.Event
    then: "Reply | None" = None


Reply = Text | ToolCalls | HttpError | Raw | Stall
Responder = Callable[[dict[str, Any]], Reply]
Step = Reply | Responder


def text(content: str, finish_reason: str = "stop") -> Text:
    return Text(content, finish_reason)


def tool_call(
    name: str, arguments: dict[str, Any] | str | None = None, call_id: str | None = None
) -> ToolCalls:
    return ToolCalls((ScriptedCall(name, {} if arguments is None else arguments, call_id),))


def tool_calls(*calls: ScriptedCall) -> ToolCalls:
    return ToolCalls(tuple(calls))


def http_error(status: int, message: str = "") -> HttpError:
    kind = "rate_limit_exceeded" if status == 429 else "server_error"
    if status < 500 and status != 429:
        kind = "invalid_request_error"
    return HttpError(status, message or f"stand-in error {status}", kind)


def raw(body: str, content_type: str = "application/json", status: int = 200) -> Raw:
    return Raw(body, content_type, status)


def stall(release: threading.Event, then: Reply | None = None) -> Stall:
    return Stall(release, then)


@dataclass(frozen=True)
class RecordedRequest:
    """A request as it arrived: the JSON body and the headers (names lower-case)."""

    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def tools(self) -> list[dict[str, Any]]:
        return list(self.body.get("tools") or [])

    @property
    def tool_names(self) -> list[str]:
        return [tool["function"]["name"] for tool in self.tools]

    @property
    def system_prompt(self) -> str:
        first = self.messages[0] if self.messages else {}
        return str(first.get("content") or "") if first.get("role") == "system" else ""

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    def raw(self) -> str:
        """The whole body as one string, for "never appears" assertions."""
        return json.dumps(self.body, ensure_ascii=False)


class OpenAIStandIn:
    """The server. Use it as a context manager (or `start()`/`stop()`); `base_url` ends in
    /v1 as OpenAI clients expect. `responder`, if given, answers once the script is empty.
    With `api_key`, requests must carry `Authorization: Bearer <api_key>` or get a 401."""

    def __init__(
        self, *script: Step, responder: Responder | None = None, api_key: str | None = None
    ) -> None:
        self._script: deque[Step] = deque(script)
        self._responder = responder
        self._api_key = api_key
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._completions: list[dict[str, Any]] = []
        self._problems: list[str] = []
        self._stalls: list[threading.Event] = []
        self._ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def completions(self) -> list[dict[str, Any]]:
        """Every chat completion answered (bodies as sent), oldest first."""
        with self._lock:
            return list(self._completions)

    @property
    def problems(self) -> list[str]:
        with self._lock:
            return list(self._problems)

    @property
    def pending(self) -> int:
        """Script steps not used yet."""
        with self._lock:
            return len(self._script)

    def reset(self, *script: Step, responder: Responder | None = None) -> None:
        """Start over with a new script: forget requests, answers and problems, and let any
        stalled request go. Lets one running server serve many tests."""
        with self._lock:
            for release in self._stalls:
                release.set()
            self._stalls.clear()
            self._script = deque(script)
            self._responder = responder
            self._requests.clear()
            self._completions.clear()
            self._problems.clear()

    def push(self, *steps: Step) -> None:
        with self._lock:
            self._script.extend(steps)

    def app(self) -> FastAPI:
        app = FastAPI(title="OpenAI stand-in", openapi_url=None, docs_url=None, redoc_url=None)
        app.add_api_route("/v1/chat/completions", self._complete, methods=["POST"])
        app.add_api_route("/v1/models", self._models, methods=["GET"])
        return app

    def start(self) -> Self:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        # Listening now queues early connections in the backlog until uvicorn serves them.
        sock.listen(64)
        self._socket, self.port = sock, sock.getsockname()[1]
        ready = threading.Event()
        config = uvicorn.Config(
            self.app(), log_level="warning", access_log=False, lifespan="off", ws="none"
        )
        self._server = _Server(config, ready)
        self._thread = threading.Thread(
            target=self._serve, args=(self._server, sock, ready), name="openai-standin", daemon=True
        )
        self._thread.start()
        if not ready.wait(START_TIMEOUT_SECONDS) or not self._server.started:
            self.stop()
            raise RuntimeError("the OpenAI stand-in did not start")
        return self

    def stop(self) -> None:
        with self._lock:
            for release in self._stalls:
                release.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_SECONDS)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @staticmethod
    def _serve(server: uvicorn.Server, sock: socket.socket, ready: threading.Event) -> None:
        try:
            server.run(sockets=[sock])
        finally:
            ready.set()  # never leave start() waiting when the server died early

    async def _models(self) -> JSONResponse:
        model = {"id": DEFAULT_MODEL_ID, "object": "model", "created": 0, "owned_by": "quita"}
        return JSONResponse({"object": "list", "data": [model]})

    async def _complete(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except json.JSONDecodeError:
            return self._refuse(400, "We could not parse the JSON body of your request.")
        headers = {name.lower(): value for name, value in request.headers.items()}
        with self._lock:
            self._requests.append(RecordedRequest(body if isinstance(body, dict) else {}, headers))
        if self._api_key is not None and headers.get("authorization") != f"Bearer {self._api_key}":
            return _error(
                401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
        invalid = _invalid(body)
        if invalid:
            return self._refuse(400, invalid)
        reply = self._next(body)
        while isinstance(reply, Stall):
            await anyio.to_thread.run_sync(reply.release.wait, MAX_STALL_SECONDS)
            reply = reply.then or Text("(resposta atrasada)")
        if isinstance(reply, HttpError):
            return _error(reply.status, reply.message, reply.type)
        if isinstance(reply, Raw):
            return Response(reply.body, reply.status, media_type=reply.content_type)
        completion = self._completion(body, reply)
        with self._lock:
            self._completions.append(completion)
        return JSONResponse(completion)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            step = self._script.popleft() if self._script else self._responder
        if step is None:
            self._note("a request arrived after the script ended")
            return HttpError(500, "stand-in script exhausted")
        if isinstance(step, Text | ToolCalls | HttpError | Raw | Stall):
            return self._registered(step)
        try:
            return self._registered(step(body))
        except Exception as error:
            self._note(f"the scripted responder raised {error!r}")
            return HttpError(500, "stand-in responder failed")

    def _registered(self, reply: Reply) -> Reply:
        if isinstance(reply, Stall):
            with self._lock:
                self._stalls.append(reply.release)
        return reply

    def _refuse(self, status: int, message: str) -> JSONResponse:
        self._note(f"refused a request: {message}")
        return _error(status, message, "invalid_request_error")

    def _note(self, problem: str) -> None:
        with self._lock:
            self._problems.append(problem)

    def _completion(self, body: dict[str, Any], reply: Text | ToolCalls) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if isinstance(reply, Text):
            message["content"] = reply.content
            finish_reason, produced = reply.finish_reason, reply.content
        else:
            message["content"] = reply.content
            message["tool_calls"] = [self._call(call) for call in reply.calls]
            finish_reason, produced = "tool_calls", json.dumps(message["tool_calls"])
        prompt_tokens = _tokens(json.dumps(body.get("messages"), ensure_ascii=False))
        completion_tokens = _tokens(produced)
        return {
            "id": f"chatcmpl-standin-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model")),
            "system_fingerprint": "fp_standin",
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _call(self, call: ScriptedCall) -> dict[str, Any]:
        arguments = call.arguments
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
        call_id = call.id or f"call_standin_{next(self._ids)}"
        return {
            "id": call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": raw},
        }


class _Server(uvicorn.Server):
    """uvicorn's server, telling the starting thread when it listens (no polling)."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._ready.set()


def _invalid(body: Any) -> str | None:
    """Why OpenAI would refuse this body, or None."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    return _unanswered_calls(messages)


def _unanswered_calls(messages: list[Any]) -> str | None:
    """Tool messages must answer the calls of the assistant message just before them."""
    open_calls: set[str] = set()
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("system", "developer", "user", "assistant", "tool"):
            return f"messages[{index}]: invalid role {role!r}"
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in open_calls:
                return (
                    f"messages[{index}]: messages with role 'tool' must be a response to a "
                    "preceding message with 'tool_calls'"
                )
            open_calls.discard(call_id)
            continue
        if open_calls:
            return (
                "An assistant message with 'tool_calls' must be followed by tool messages "
                f"responding to each 'tool_call_id'. Missing: {sorted(open_calls)}"
            )
        if role == "assistant":
            open_calls = {call.get("id") for call in message.get("tool_calls") or []}
            if message.get("content") is None and not open_calls:
                return f"messages[{index}]: an assistant message needs content or tool_calls"
    if open_calls:
        return f"tool calls left without a tool message: {sorted(open_calls)}"
    return None


def _error(status: int, message: str, kind: str, code: str | None = None) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


def _tokens(text: str) -> int:
    """A stable stand-in for a tokenizer: about four characters a token."""
    return max(1, len(text) // 4)
