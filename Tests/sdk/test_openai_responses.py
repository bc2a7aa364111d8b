"""The official OpenAI Python SDK against a live TaoGate's Responses API (`/v1/responses`), in
both modes: NATIVE (the provider speaks the Responses API: the body goes upstream as sent, and the
provider keeps the responses) and TRANSLATED (the provider speaks only chat completions: the
gateway translates both ways and keeps the responses itself, per client key).

Expected texts never come from what the mock was told to say: they come from what the client sent
(the mock quotes the last user text and tool outputs, and counts the items in context) or from
what the mock received."""

import json
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import jsonschema
import openai
import pytest
from openai import OpenAI

from conftest import (
    CLIENT_KEY,
    OTHER_CLIENT_KEY,
    MODES,
    Stack,
    gateway_environment,
    skip_or_fail,
    start_gateway,
    start_mode_stack,
    stop,
)

MODEL = "gpt-4o"

# A function tool whose schema leaves the mock something to get right: required members of
# several types, bounds, and an enum.
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather forecast for a city.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "minLength": 3},
            "days": {"type": "integer", "minimum": 2, "maximum": 10},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "days", "unit"],
        "additionalProperties": False,
    },
}


def client_for(stack, **options) -> OpenAI:
    options.setdefault("api_key", CLIENT_KEY)
    return OpenAI(base_url=stack.gateway + "/v1", max_retries=0, timeout=30, **options)


@pytest.fixture
def client(mode_stack) -> OpenAI:
    return client_for(mode_stack)


def ask(text: str) -> list:
    return [{"role": "user", "content": text}]


def function_calls(response) -> list:
    return [item for item in response.output if item.type == "function_call"]


def call_weather_tool(client, **options):
    """Asks with the weather tool on offer; returns (the question, the response)."""
    question = ask("What will the weather be in Lisbon?")
    return question, client.responses.create(model=MODEL, input=question, tools=[WEATHER_TOOL], **options)


def function_output_input(question: list, response, call, output: str) -> list:
    """The whole conversation again, as Codex sends it with `store: false`: the question, the
    response's items, and the call's output."""
    return question + [item.model_dump(exclude_none=True) for item in response.output] + [
        {"type": "function_call_output", "call_id": call.call_id, "output": output}
    ]


def raw_events(client, **request) -> list:
    """The events of a streamed response as the SDK parses them, without its stream helper."""
    return list(client.responses.create(stream=True, **request))


# MARK: - Responses


def test_a_plain_response_answers_the_prompt_with_usage_and_status_completed(client):
    response = client.responses.create(model=MODEL, input="hello from the responses api")
    assert response.object == "response"
    assert response.status == "completed"
    assert "hello from the responses api" in response.output_text
    assert response.usage.input_tokens > 0
    assert response.usage.output_tokens > 0
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens


def test_a_streamed_response_gives_the_same_text_as_the_plain_one_and_usage(client):
    plain = client.responses.create(model=MODEL, input="stream me please")
    with client.responses.stream(model=MODEL, input="stream me please") as stream:
        streamed = "".join(event.delta for event in stream if event.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert streamed == plain.output_text
    assert final.output_text == streamed
    assert final.status == "completed"
    assert final.usage is not None and final.usage.output_tokens > 0
    assert final.usage.input_tokens_details.cached_tokens is not None
    assert final.usage.output_tokens_details.reasoning_tokens is not None


def test_a_stream_has_the_events_of_the_api_in_order_with_rising_sequence_numbers(client):
    events = raw_events(client, model=MODEL, input="every event please")
    types = [event.type for event in events]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed"
    for expected in ["response.output_item.added", "response.content_part.added", "response.output_text.delta",
                     "response.output_text.done", "response.content_part.done", "response.output_item.done"]:
        assert expected in types, types
    assert types.index("response.output_item.added") < types.index("response.output_text.delta")
    assert types.index("response.output_text.done") < types.index("response.output_item.done")
    numbers = [event.sequence_number for event in events]
    assert numbers == sorted(set(numbers)), numbers
    assert {event.response.id for event in events if hasattr(event, "response")} == {events[0].response.id}


def test_a_stream_cut_by_the_upstream_ends_in_response_failed_for_the_same_response(mode_stack, client):
    mode_stack.inject(cutAfterChunks=2)
    events = raw_events(client, model=MODEL, input="one two three four five six")
    types = [event.type for event in events]
    assert types[0] == "response.created"
    assert types[-1] == "response.failed", types
    assert "response.completed" not in types
    failed = events[-1]
    assert failed.response.status == "failed"
    assert failed.response.error is not None
    # The SDK's stream helper refuses an event whose response id is not the one created.
    assert failed.response.id == events[0].response.id
    numbers = [event.sequence_number for event in events]
    assert None not in numbers and numbers == sorted(set(numbers)), numbers


# MARK: - Function tools


def test_a_function_tool_on_offer_is_called_with_arguments_that_satisfy_its_schema(client):
    _, response = call_weather_tool(client)
    (call,) = function_calls(response)
    assert call.name == WEATHER_TOOL["name"]
    assert call.call_id
    jsonschema.validate(json.loads(call.arguments), WEATHER_TOOL["parameters"])


def test_a_streamed_function_call_arrives_whole_and_satisfies_its_schema(client):
    question = ask("Stream the weather in Porto")
    with client.responses.stream(model=MODEL, input=question, tools=[WEATHER_TOOL]) as stream:
        arguments = "".join(event.delta for event in stream if event.type == "response.function_call_arguments.delta")
        final = stream.get_final_response()
    (call,) = function_calls(final)
    assert call.arguments == arguments
    jsonschema.validate(json.loads(call.arguments), WEATHER_TOOL["parameters"])


def test_a_function_output_sent_back_with_the_call_id_is_quoted_in_the_answer(client):
    question, response = call_weather_tool(client, store=False)
    (call,) = function_calls(response)
    output = f"{json.loads(call.arguments)['city']}: sunny for {json.loads(call.arguments)['days']} days"
    answer = client.responses.create(
        model=MODEL, input=function_output_input(question, response, call, output), tools=[WEATHER_TOOL], store=False
    )
    assert answer.status == "completed"
    assert not function_calls(answer)
    assert output in answer.output_text


def test_a_translated_function_round_trip_reaches_chat_as_a_tool_call_and_a_tool_message_with_one_id(translated_stack):
    client = client_for(translated_stack)
    question, response = call_weather_tool(client, store=False)
    (call,) = function_calls(response)
    mark = translated_stack.upstream_request_count()
    client.responses.create(
        model=MODEL, input=function_output_input(question, response, call, "sunny"), tools=[WEATHER_TOOL], store=False
    )
    (sent,) = translated_stack.upstream_requests_since(mark)
    assert sent["path"] == "/v1/chat/completions"
    messages = sent["json"]["messages"]
    calls = [tool_call for message in messages if message["role"] == "assistant" for tool_call in message.get("tool_calls") or []]
    assert [tool_call["id"] for tool_call in calls] == [call.call_id]
    assert calls[0]["function"]["name"] == WEATHER_TOOL["name"]
    assert json.loads(calls[0]["function"]["arguments"]) == json.loads(call.arguments)
    tool_messages = [message for message in messages if message["role"] == "tool"]
    assert [message["tool_call_id"] for message in tool_messages] == [call.call_id]
    assert messages.index(tool_messages[0]) > messages.index(next(m for m in messages if m.get("tool_calls")))


def test_a_native_function_round_trip_reaches_the_provider_as_sent(native_stack):
    client = client_for(native_stack)
    question, response = call_weather_tool(client, store=False)
    (call,) = function_calls(response)
    sent_input = function_output_input(question, response, call, "sunny")
    mark = native_stack.upstream_request_count()
    client.responses.create(model=MODEL, input=sent_input, tools=[WEATHER_TOOL], store=False)
    (received,) = native_stack.upstream_requests_since(mark)
    assert received["path"] == "/v1/responses"
    assert received["json"]["input"] == sent_input
    assert received["json"]["store"] is False


# MARK: - Stored responses


def test_previous_response_id_carries_the_whole_conversation_into_the_next_call(client):
    first = client.responses.create(model=MODEL, input="my first question")
    second = client.responses.create(model=MODEL, input="my second question", previous_response_id=first.id)
    # The mock counts the items in context: the first call held one, the second holds the first
    # question, the first answer and the new question, though it sent only the last.
    assert "(1 messages in context)" in first.output_text
    assert '"my second question" (3 messages in context)' in second.output_text
    assert second.previous_response_id == first.id


def test_previous_response_id_chains_over_three_calls(client):
    first = client.responses.create(model=MODEL, input="one")
    second = client.responses.create(model=MODEL, input="two", previous_response_id=first.id)
    third = client.responses.create(model=MODEL, input="three", previous_response_id=second.id)
    assert '"three" (5 messages in context)' in third.output_text


def test_a_streamed_response_can_be_continued_with_previous_response_id(client):
    with client.responses.stream(model=MODEL, input="a streamed start") as stream:
        first = stream.get_final_response()
    second = client.responses.create(model=MODEL, input="and a plain follow-up", previous_response_id=first.id)
    assert '"and a plain follow-up" (3 messages in context)' in second.output_text


def test_a_translated_previous_response_id_reaches_chat_as_the_whole_conversation(translated_stack):
    client = client_for(translated_stack)
    first = client.responses.create(model=MODEL, input="the first turn")
    mark = translated_stack.upstream_request_count()
    client.responses.create(model=MODEL, input="the second turn", previous_response_id=first.id)
    (sent,) = translated_stack.upstream_requests_since(mark)
    assert sent["path"] == "/v1/chat/completions"
    assert "previous_response_id" not in sent["json"]
    assert [message["role"] for message in sent["json"]["messages"]] == ["user", "assistant", "user"]
    assert sent["json"]["messages"][0]["content"] == "the first turn"
    assert sent["json"]["messages"][1]["content"] == first.output_text
    assert sent["json"]["messages"][2]["content"] == "the second turn"


def test_a_native_previous_response_id_goes_to_the_provider_as_sent(native_stack):
    client = client_for(native_stack)
    first = client.responses.create(model=MODEL, input="the first turn")
    mark = native_stack.upstream_request_count()
    client.responses.create(model=MODEL, input="the second turn", previous_response_id=first.id)
    (received,) = native_stack.upstream_requests_since(mark)
    assert received["path"] == "/v1/responses"
    assert received["json"]["previous_response_id"] == first.id
    assert received["json"]["input"] == "the second turn"


def test_an_unknown_previous_response_id_raises_bad_request_error(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="hi", previous_response_id="resp_" + uuid.uuid4().hex)
    assert raised.value.body["type"] == "invalid_request_error"


def test_an_unknown_previous_response_id_in_translated_mode_is_previous_response_not_found(translated_stack):
    mark = translated_stack.upstream_request_count()
    with pytest.raises(openai.BadRequestError) as raised:
        client_for(translated_stack).responses.create(model=MODEL, input="hi", previous_response_id="resp_" + uuid.uuid4().hex)
    assert raised.value.body["code"] == "previous_response_not_found"
    assert raised.value.body["param"] == "previous_response_id"
    assert translated_stack.upstream_request_count() == mark, "a refused request must not be forwarded"


def test_a_stored_response_can_be_retrieved_by_id(client):
    created = client.responses.create(model=MODEL, input="keep this one")
    retrieved = client.responses.retrieve(created.id)
    assert retrieved.id == created.id
    assert retrieved.status == "completed"
    assert retrieved.output_text == created.output_text


def test_a_deleted_response_can_no_longer_be_retrieved(client):
    created = client.responses.create(model=MODEL, input="delete this one")
    client.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)


def test_a_response_made_with_store_false_cannot_be_retrieved(client):
    created = client.responses.create(model=MODEL, input="do not keep this", store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)


def test_an_unknown_response_id_raises_not_found_error(client):
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve("resp_" + uuid.uuid4().hex)


# MARK: - Two client keys


@pytest.fixture(scope="module", params=MODES)
def two_key_stack(request):
    """A gateway that accepts CLIENT_KEY and OTHER_CLIENT_KEY, in the native or translated mode."""
    running, processes = start_mode_stack(request.param, keys=(CLIENT_KEY, OTHER_CLIENT_KEY))
    try:
        yield running
    finally:
        stop(processes)


def test_a_response_of_one_client_key_cannot_be_retrieved_with_another(two_key_stack):
    created = client_for(two_key_stack).responses.create(model=MODEL, input="mine alone")
    with pytest.raises(openai.NotFoundError):
        client_for(two_key_stack, api_key=OTHER_CLIENT_KEY).responses.retrieve(created.id)
    assert client_for(two_key_stack).responses.retrieve(created.id).id == created.id


def test_a_response_of_one_client_key_cannot_be_deleted_with_another(two_key_stack):
    created = client_for(two_key_stack).responses.create(model=MODEL, input="mine to delete")
    with pytest.raises(openai.NotFoundError):
        client_for(two_key_stack, api_key=OTHER_CLIENT_KEY).responses.delete(created.id)
    assert client_for(two_key_stack).responses.retrieve(created.id).id == created.id


def test_a_response_of_one_client_key_cannot_be_continued_with_another(two_key_stack):
    created = client_for(two_key_stack).responses.create(model=MODEL, input="my conversation")
    with pytest.raises(openai.BadRequestError):
        client_for(two_key_stack, api_key=OTHER_CLIENT_KEY).responses.create(
            model=MODEL, input="let me in", previous_response_id=created.id
        )


# MARK: - Hosted tools in translated mode


def test_a_hosted_tool_beside_a_function_tool_is_left_out_of_a_translated_request(translated_stack):
    mark = translated_stack.upstream_request_count()
    response = client_for(translated_stack).responses.create(
        model=MODEL, input=ask("look it up"), tools=[{"type": "web_search"}, WEATHER_TOOL]
    )
    (call,) = function_calls(response)
    assert call.name == WEATHER_TOOL["name"]
    (sent,) = translated_stack.upstream_requests_since(mark)
    assert [tool["function"]["name"] for tool in sent["json"]["tools"]] == [WEATHER_TOOL["name"]]
    assert "web_search" not in sent["body"]


def test_a_hosted_tool_alone_in_translated_mode_still_gets_a_text_answer(translated_stack):
    response = client_for(translated_stack).responses.create(
        model=MODEL, input="search the web for swift nio", tools=[{"type": "web_search"}]
    )
    assert response.status == "completed"
    assert "search the web for swift nio" in response.output_text


def test_a_tool_choice_forcing_a_hosted_tool_in_translated_mode_raises_bad_request_error(translated_stack):
    mark = translated_stack.upstream_request_count()
    with pytest.raises(openai.BadRequestError) as raised:
        client_for(translated_stack).responses.create(
            model=MODEL, input="search", tools=[{"type": "web_search"}, WEATHER_TOOL], tool_choice={"type": "web_search"}
        )
    assert raised.value.body["type"] == "invalid_request_error"
    assert "web_search" in raised.value.body["message"]
    assert translated_stack.upstream_request_count() == mark, "a refused request must not be forwarded"


# MARK: - Errors


def test_an_unknown_model_raises_not_found_error(client):
    with pytest.raises(openai.NotFoundError) as raised:
        client.responses.create(model="no-such-model", input="hi")
    assert raised.value.body["code"] == "model_not_found"
    assert "no-such-model" in raised.value.body["message"]


def test_a_request_without_input_raises_bad_request_error_and_is_not_forwarded(mode_stack, client):
    mark = mode_stack.upstream_request_count()
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL)
    assert raised.value.body["type"] == "invalid_request_error"
    assert mode_stack.upstream_request_count() == mark


def test_a_missing_client_key_raises_authentication_error(mode_stack):
    keyless = client_for(mode_stack, api_key="not-sent")
    with pytest.raises(openai.AuthenticationError) as raised:
        keyless.responses.create(model=MODEL, input="hi", extra_headers={"Authorization": openai.Omit()})
    assert "authorization" not in raised.value.request.headers
    assert raised.value.body["type"] == "authentication_error"


def test_a_wrong_client_key_raises_authentication_error(mode_stack):
    with pytest.raises(openai.AuthenticationError):
        client_for(mode_stack, api_key="tg-not-a-real-key").responses.create(model=MODEL, input="hi")


def test_an_upstream_429_raises_rate_limit_error_with_retry_after(mode_stack, client):
    mode_stack.inject(status=429, retryAfter="1", times=5)
    with pytest.raises(openai.RateLimitError) as raised:
        client.responses.create(model=MODEL, input="hi")
    assert raised.value.body["type"] == "rate_limit_error"
    assert raised.value.response.headers.get("retry-after", "").isdigit()


def test_an_upstream_429_on_a_stream_raises_rate_limit_error_before_any_event(mode_stack, client):
    mode_stack.inject(status=429, retryAfter="1", times=5)
    with pytest.raises(openai.RateLimitError):
        raw_events(client, model=MODEL, input="hi")


def test_an_upstream_outage_raises_internal_server_error(mode_stack, client):
    mode_stack.inject(status=503, times=5)
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model=MODEL, input="hi")


# MARK: - Two gateways on one PostgreSQL database


def psql(server: str, command: str) -> None:
    subprocess.run(
        ["psql", server, "-v", "ON_ERROR_STOP=1", "-q", "-c", command],
        check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
    )


@pytest.fixture(scope="module")
def postgres_database():
    """A new, empty database on TAOGATE_TEST_POSTGRES_URL's server (as TestPostgres.swift makes
    them): its URL. Dropped afterwards."""
    server = os.environ.get("TAOGATE_TEST_POSTGRES_URL")
    if not server:
        skip_or_fail("TAOGATE_TEST_POSTGRES_URL is not set (scripts/test sets it when PostgreSQL is installed)")
    name = "taogate_sdk_" + uuid.uuid4().hex[:16]
    try:
        psql(server, f"CREATE DATABASE {name}")
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        skip_or_fail(f"cannot create a database with psql: {error} {getattr(error, 'stderr', b'')!r}")
    yield urlunsplit(urlsplit(server)._replace(path="/" + name))
    psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def postgres_pair(postgres_database):
    """Two translated gateways (A, then B: its log is gateway-b.log) on one PostgreSQL database,
    in front of one mock."""
    first, processes = start_mode_stack("translated", extra_environment={"DATABASE_URL": postgres_database})
    try:
        environment = gateway_environment({"TAOGATE_API_KEYS": CLIENT_KEY, "DATABASE_URL": postgres_database})
        url, second_process = start_gateway(first.workdir, Path(first.workdir) / "providers.yaml", environment, "gateway-b.log")
        processes = (*processes, second_process)
        yield first, Stack(url, first.mock, mode="translated", workdir=first.workdir, log_name="gateway-b.log")
    finally:
        stop(processes)


def test_a_response_made_on_one_gateway_is_continued_on_another_sharing_postgres(postgres_pair):
    first_gateway, second_gateway = postgres_pair
    first = client_for(first_gateway).responses.create(model=MODEL, input="asked on gateway A")
    second = client_for(second_gateway).responses.create(model=MODEL, input="continued on gateway B", previous_response_id=first.id)
    assert '"continued on gateway B" (3 messages in context)' in second.output_text
    assert client_for(second_gateway).responses.retrieve(first.id).output_text == first.output_text
