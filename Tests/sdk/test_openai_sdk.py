"""The official OpenAI Python SDK against a live TaoGate: what an application sees."""

import asyncio

import openai
import pytest
from openai import AsyncOpenAI, OpenAI

pytestmark = pytest.mark.usefixtures("no_faults_left")

from conftest import CLIENT_KEY, MODELS


@pytest.fixture
def client(stack) -> OpenAI:
    return OpenAI(base_url=stack.gateway + "/v1", api_key=CLIENT_KEY, max_retries=0, timeout=30)


def ask(text: str) -> list:
    return [{"role": "user", "content": text}]


def test_plain_completion_answers_with_usage(client):
    completion = client.chat.completions.create(model="gpt-4o", messages=ask("hello from the sdk"))
    assert completion.object == "chat.completion"
    assert "hello from the sdk" in completion.choices[0].message.content
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens > 0


def test_streamed_completion_gives_the_same_text_and_usage_when_asked(client):
    plain = client.chat.completions.create(model="gpt-4o", messages=ask("stream me"))
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o", messages=ask("stream me"), stream=True, stream_options={"include_usage": True}
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_streamed_completion_without_usage_request_has_no_usage_chunk(client):
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=ask("no usage"), stream=True))
    assert chunks
    assert all(chunk.usage is None for chunk in chunks)


def test_models_lists_every_configured_model(client):
    assert [model.id for model in client.models.list()] == MODELS


def test_unknown_model_raises_not_found_error(client):
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="no-such-model", messages=ask("hi"))


def test_bad_request_raises_bad_request_error(client):
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o", messages=[])


def test_wrong_client_key_raises_authentication_error(stack):
    wrong = OpenAI(base_url=stack.gateway + "/v1", api_key="tg-not-a-real-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        wrong.chat.completions.create(model="gpt-4o", messages=ask("hi"))


def test_upstream_rate_limit_raises_rate_limit_error(stack, client):
    stack.inject(status=429, times=5)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="gpt-4o", messages=ask("hi"))


def test_upstream_outage_raises_internal_server_error(stack, client):
    stack.inject(status=503, times=5)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o", messages=ask("hi"))


def test_tools_response_format_and_extra_fields_pass_through_untouched(stack, client):
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}]
    client.chat.completions.create(
        model="gpt-4o",
        messages=ask("use the tool"),
        tools=tools,
        response_format={"type": "json_object"},
        seed=7,
        extra_body={"vendor_option": {"depth": 3}},
    )
    sent = stack.last_upstream_body()
    assert sent["tools"] == tools
    assert sent["response_format"] == {"type": "json_object"}
    assert sent["seed"] == 7
    assert sent["vendor_option"] == {"depth": 3}
    assert "temperature" not in sent and "max_tokens" not in sent


def test_fifty_concurrent_requests_each_get_their_own_answer(stack):
    async def run() -> list:
        client = AsyncOpenAI(base_url=stack.gateway + "/v1", api_key=CLIENT_KEY, max_retries=0, timeout=60)
        try:
            return await asyncio.gather(
                *(client.chat.completions.create(model="qwen-plus", messages=ask(f"question {i}")) for i in range(50))
            )
        finally:
            await client.close()

    answers = asyncio.run(run())
    for index, answer in enumerate(answers):
        assert f'"question {index}"' in answer.choices[0].message.content
