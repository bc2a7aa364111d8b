"""The official Anthropic Python SDK against a live TaoGate's `/v1/messages`, in both modes:
NATIVE (the provider speaks Anthropic's API: the body goes upstream as sent) and TRANSLATED (the
provider speaks only chat completions: the gateway translates both ways).

Expected texts never come from what the mock was told to say: they come from what the client sent
(the mock quotes the last user text and tool results) or from what the mock received."""

import json

import anthropic
import jsonschema
import pytest
from anthropic import Anthropic

from conftest import CLIENT_KEY, UPSTREAM_KEY

MODEL = "claude-sonnet-4-6"

# A tool whose schema leaves the mock something to get right: required members of several
# types, bounds, and an enum.
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "The weather forecast for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "minLength": 3},
            "days": {"type": "integer", "minimum": 2, "maximum": 10},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "days", "unit"],
    },
}

# anthropic>=0.50 raises OverloadedError for 529; older versions raise InternalServerError.
OVERLOADED_ERROR = getattr(anthropic, "OverloadedError", anthropic.InternalServerError)


def client_for(stack, **options) -> Anthropic:
    options.setdefault("api_key", CLIENT_KEY)
    return Anthropic(base_url=stack.gateway, max_retries=0, timeout=30, **options)


@pytest.fixture
def client(mode_stack) -> Anthropic:
    return client_for(mode_stack)


@pytest.fixture
def no_ambient_anthropic_key(monkeypatch):
    """The SDK falls back to ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN; keep the test's own key alone."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)


def ask(text: str) -> list:
    return [{"role": "user", "content": text}]


def text_of(message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def call_weather_tool(client):
    """Asks with the weather tool on offer; returns (the question, the answer)."""
    question = ask("What will the weather be in Lisbon?")
    return question, client.messages.create(model=MODEL, max_tokens=200, tools=[WEATHER_TOOL], messages=question)


def tool_result_turns(question: list, answer, tool_use, result: str) -> list:
    return question + [
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in answer.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": result}]},
    ]


# MARK: - Messages


def test_a_plain_message_answers_text_with_usage_and_end_turn(client):
    message = client.messages.create(model=MODEL, max_tokens=200, messages=ask("hello from the anthropic sdk"))
    assert message.type == "message" and message.role == "assistant"
    assert "hello from the anthropic sdk" in text_of(message)
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 0
    assert message.stop_reason == "end_turn"


def test_a_streamed_message_gives_the_same_text_as_the_plain_one_and_usage(client):
    plain = client.messages.create(model=MODEL, max_tokens=200, messages=ask("stream me please"))
    with client.messages.stream(model=MODEL, max_tokens=200, messages=ask("stream me please")) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert streamed == text_of(plain)
    assert text_of(final) == streamed
    assert final.stop_reason == "end_turn"
    assert final.usage is not None and final.usage.output_tokens > 0


def test_a_stream_cut_by_the_upstream_ends_in_an_error_not_a_short_message(mode_stack, client):
    mode_stack.inject(cutAfterChunks=2)
    with pytest.raises(anthropic.APIStatusError) as raised:
        with client.messages.stream(model=MODEL, max_tokens=200, messages=ask("one two three four five six")) as stream:
            "".join(stream.text_stream)
            stream.get_final_message()
    assert raised.value.body["type"] == "error"
    assert raised.value.body["error"]["type"] == "api_error"


def test_the_beta_query_and_the_beta_endpoint_are_accepted(client):
    message = client.beta.messages.create(
        model=MODEL,
        max_tokens=200,
        betas=["interleaved-thinking-2025-05-14"],
        messages=ask("a beta question"),
        extra_query={"beta": "true"},
    )
    assert "a beta question" in "".join(block.text for block in message.content if block.type == "text")


# MARK: - Tools


def test_a_tool_on_offer_is_called_with_input_that_satisfies_its_schema(client):
    _, answer = call_weather_tool(client)
    assert answer.stop_reason == "tool_use"
    tool_uses = [block for block in answer.content if block.type == "tool_use"]
    assert len(tool_uses) == 1
    assert tool_uses[0].name == WEATHER_TOOL["name"]
    assert tool_uses[0].id
    jsonschema.validate(tool_uses[0].input, WEATHER_TOOL["input_schema"])


def test_a_streamed_tool_call_arrives_whole_and_satisfies_its_schema(client):
    question = ask("Stream the weather in Porto")
    with client.messages.stream(model=MODEL, max_tokens=200, tools=[WEATHER_TOOL], messages=question) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    (tool_use,) = [block for block in final.content if block.type == "tool_use"]
    jsonschema.validate(tool_use.input, WEATHER_TOOL["input_schema"])


def test_a_tool_result_sent_back_with_the_call_id_is_quoted_in_the_answer(client):
    question, answer = call_weather_tool(client)
    (tool_use,) = [block for block in answer.content if block.type == "tool_use"]
    result = f"{tool_use.input['city']}: sunny for {tool_use.input['days']} days"
    reply = client.messages.create(
        model=MODEL, max_tokens=200, tools=[WEATHER_TOOL], messages=tool_result_turns(question, answer, tool_use, result)
    )
    assert reply.stop_reason == "end_turn"
    assert result in text_of(reply)


def test_a_translated_tool_round_trip_reaches_chat_as_a_tool_call_and_a_tool_message_with_one_id(translated_stack):
    client = client_for(translated_stack)
    question, answer = call_weather_tool(client)
    (tool_use,) = [block for block in answer.content if block.type == "tool_use"]
    mark = translated_stack.upstream_request_count()
    client.messages.create(
        model=MODEL, max_tokens=200, tools=[WEATHER_TOOL], messages=tool_result_turns(question, answer, tool_use, "sunny")
    )
    (sent,) = translated_stack.upstream_requests_since(mark)
    assert sent["path"] == "/v1/chat/completions"
    messages = sent["json"]["messages"]
    calls = [call for message in messages if message["role"] == "assistant" for call in message.get("tool_calls") or []]
    assert [call["id"] for call in calls] == [tool_use.id]
    assert calls[0]["function"]["name"] == WEATHER_TOOL["name"]
    assert json.loads(calls[0]["function"]["arguments"]) == tool_use.input
    tool_messages = [message for message in messages if message["role"] == "tool"]
    assert [message["tool_call_id"] for message in tool_messages] == [tool_use.id]
    assert messages.index(tool_messages[0]) > messages.index(next(m for m in messages if m.get("tool_calls")))


# MARK: - count_tokens


def test_count_tokens_returns_a_positive_input_token_count(client):
    count = client.messages.count_tokens(model=MODEL, messages=ask("how many tokens is this sentence"))
    assert count.input_tokens > 0


# MARK: - Errors


def test_an_unknown_model_raises_not_found_error(client):
    with pytest.raises(anthropic.NotFoundError) as raised:
        client.messages.create(model="no-such-model", max_tokens=20, messages=ask("hi"))
    assert raised.value.body["error"]["type"] == "not_found_error"
    assert "no-such-model" in raised.value.body["error"]["message"]


def test_a_request_without_messages_raises_bad_request_error_and_is_not_forwarded(mode_stack, client):
    mark = mode_stack.upstream_request_count()
    with pytest.raises(anthropic.BadRequestError) as raised:
        client.messages.create(model=MODEL, max_tokens=20, messages=[])
    assert raised.value.body["error"]["type"] == "invalid_request_error"
    assert mode_stack.upstream_request_count() == mark


def test_a_body_over_the_size_limit_is_refused_with_413_request_too_large(mode_stack, client):
    mark = mode_stack.upstream_request_count()
    with pytest.raises(anthropic.APIStatusError) as raised:
        client.messages.create(model=MODEL, max_tokens=20, messages=ask("x" * (1_048_576 + 1)))
    assert raised.value.status_code == 413
    assert raised.value.body["error"]["type"] == "request_too_large"
    assert mode_stack.upstream_request_count() == mark


def test_an_upstream_outage_raises_internal_server_error_with_502_api_error(mode_stack, client):
    mode_stack.inject(status=503, times=5)
    with pytest.raises(anthropic.InternalServerError) as raised:
        client.messages.create(model=MODEL, max_tokens=20, messages=ask("hi"))
    assert raised.value.status_code == 502
    assert raised.value.body["error"]["type"] == "api_error"


def test_a_wrong_client_key_raises_authentication_error(mode_stack):
    with pytest.raises(anthropic.AuthenticationError) as raised:
        client_for(mode_stack, api_key="tg-not-a-real-key").messages.create(model=MODEL, max_tokens=20, messages=ask("hi"))
    assert raised.value.body["error"]["type"] == "authentication_error"


def test_a_missing_client_key_raises_authentication_error(mode_stack, no_ambient_anthropic_key):
    keyless = client_for(mode_stack, api_key=None, default_headers={"Authorization": anthropic.Omit()})
    with pytest.raises(anthropic.AuthenticationError):
        keyless.messages.create(model=MODEL, max_tokens=20, messages=ask("hi"))


def test_an_upstream_429_raises_rate_limit_error_with_retry_after(mode_stack, client):
    mode_stack.inject(status=429, retryAfter="1", times=5)
    with pytest.raises(anthropic.RateLimitError) as raised:
        client.messages.create(model=MODEL, max_tokens=20, messages=ask("hi"))
    assert raised.value.body["error"]["type"] == "rate_limit_error"
    assert raised.value.response.headers.get("retry-after", "").isdigit()


def test_an_upstream_529_in_native_mode_raises_overloaded_error(native_stack):
    native_stack.clear_faults()
    native_stack.inject(status=529, times=5)
    try:
        with pytest.raises(OVERLOADED_ERROR) as raised:
            client_for(native_stack).messages.create(model=MODEL, max_tokens=20, messages=ask("hi"))
    finally:
        native_stack.clear_faults()
    assert raised.value.status_code == 529
    assert raised.value.body["error"]["type"] == "overloaded_error"


def test_a_server_tool_in_translated_mode_raises_bad_request_error_naming_it(translated_stack):
    mark = translated_stack.upstream_request_count()
    with pytest.raises(anthropic.BadRequestError) as raised:
        client_for(translated_stack).messages.create(
            model=MODEL,
            max_tokens=20,
            tools=[{"type": "web_search_20250305", "name": "web_search"}],
            messages=ask("search the web"),
        )
    assert raised.value.body["error"]["type"] == "invalid_request_error"
    assert "web_search_20250305" in raised.value.body["error"]["message"]
    assert translated_stack.upstream_request_count() == mark, "a refused request must not be forwarded"


# MARK: - Client keys


def test_the_client_key_is_accepted_as_api_key(mode_stack, no_ambient_anthropic_key):
    message = client_for(mode_stack, api_key=CLIENT_KEY).messages.create(model=MODEL, max_tokens=50, messages=ask("by api_key"))
    assert "by api_key" in text_of(message)


def test_the_client_key_is_accepted_as_auth_token_bearer(mode_stack, no_ambient_anthropic_key):
    bearer = client_for(mode_stack, api_key=None, auth_token=CLIENT_KEY)
    raw = bearer.messages.with_raw_response.create(model=MODEL, max_tokens=50, messages=ask("by auth_token"))
    assert raw.http_request.headers["authorization"] == f"Bearer {CLIENT_KEY}"
    assert "x-api-key" not in raw.http_request.headers
    assert "by auth_token" in text_of(raw.parse())


def test_the_client_key_is_accepted_as_an_x_api_key_header(mode_stack, no_ambient_anthropic_key):
    # Recent SDKs send `api_key=` as a Bearer token; Claude Code's ANTHROPIC_API_KEY and older
    # SDKs send it as x-api-key, so that header is set explicitly here.
    keyed = client_for(mode_stack, api_key=None, default_headers={"x-api-key": CLIENT_KEY})
    raw = keyed.messages.with_raw_response.create(model=MODEL, max_tokens=50, messages=ask("by x-api-key"))
    assert raw.http_request.headers["x-api-key"] == CLIENT_KEY
    assert "authorization" not in raw.http_request.headers
    assert "by x-api-key" in text_of(raw.parse())


# MARK: - What goes upstream in native mode


def test_native_requests_carry_the_sdks_anthropic_headers_to_the_provider(native_stack):
    mark = native_stack.upstream_request_count()
    raw = client_for(native_stack).beta.messages.with_raw_response.create(
        model=MODEL, max_tokens=50, betas=["interleaved-thinking-2025-05-14"], messages=ask("headers please")
    )
    sent_by_sdk = raw.http_request.headers
    (received,) = native_stack.upstream_requests_since(mark)
    assert received["path"] == "/v1/messages"
    assert received["headers"]["anthropic-version"] == sent_by_sdk["anthropic-version"]
    assert received["headers"]["anthropic-beta"] == sent_by_sdk["anthropic-beta"]
    assert received["json"]["messages"] == ask("headers please")


def test_native_requests_never_carry_the_client_key_upstream(native_stack, no_ambient_anthropic_key):
    mark = native_stack.upstream_request_count()
    client_for(native_stack, api_key=CLIENT_KEY).messages.create(model=MODEL, max_tokens=50, messages=ask("key one"))
    client_for(native_stack, api_key=None, default_headers={"x-api-key": CLIENT_KEY}).messages.create(
        model=MODEL, max_tokens=50, messages=ask("key two")
    )
    received = native_stack.upstream_requests_since(mark)
    assert len(received) == 2
    for request in received:
        assert request["headers"].get("authorization") == f"Bearer {UPSTREAM_KEY}"
        assert "x-api-key" not in request["headers"]
        assert all(CLIENT_KEY not in value for value in request["headers"].values())
        assert CLIENT_KEY not in request["body"]
