"""The official OpenAI Python SDK against a live TaoGate's `/v1/embeddings`. Embeddings are
passed through only: the native stack's provider lists `embeddings` in `apis:`, the translated
stack's does not, so there the gateway answers 404.

MockUpstream answers every input with a unit vector that depends only on the text (8 numbers, or
`dimensions`), as floats or, with `encoding_format: base64`, as little-endian float32."""

import base64
import math

import openai
import pytest
from openai import OpenAI

from conftest import CLIENT_KEY

# The mock's provider serves these names for every API it speaks.
MODEL = "qwen-plus"


def client_for(stack, **options) -> OpenAI:
    options.setdefault("api_key", CLIENT_KEY)
    return OpenAI(base_url=stack.gateway + "/v1", max_retries=0, timeout=30, **options)


@pytest.fixture
def client(native_stack) -> OpenAI:
    native_stack.clear_faults()
    yield client_for(native_stack)
    native_stack.clear_faults()


def vectors(embeddings) -> list:
    return [item.embedding for item in sorted(embeddings.data, key=lambda item: item.index)]


def test_two_inputs_get_two_vectors_of_one_length_and_usage(client):
    # The SDK asks for base64 unless told otherwise, and decodes it into floats.
    embeddings = client.embeddings.create(model=MODEL, input=["a", "b"])
    assert embeddings.object == "list"
    assert [item.index for item in embeddings.data] == [0, 1]
    first, second = vectors(embeddings)
    assert len(first) == len(second) > 0
    assert all(isinstance(number, float) for number in first + second)
    assert first != second
    assert embeddings.usage.prompt_tokens > 0


def test_the_sdk_asks_for_base64_and_it_reaches_the_provider_as_sent(native_stack, client):
    mark = native_stack.upstream_request_count()
    client.embeddings.create(model=MODEL, input=["a", "b"])
    (received,) = native_stack.upstream_requests_since(mark)
    assert received["path"] == "/v1/embeddings"
    assert received["json"] == {"model": MODEL, "input": ["a", "b"], "encoding_format": "base64"}


def test_base64_and_float_give_the_same_vectors(client):
    decoded = vectors(client.embeddings.create(model=MODEL, input=["same text", "other text"]))
    floats = vectors(client.embeddings.create(model=MODEL, input=["same text", "other text"], encoding_format="float"))
    assert len(decoded) == len(floats) == 2
    for from_base64, from_floats in zip(decoded, floats):
        assert from_base64 == pytest.approx(from_floats, rel=1e-6, abs=1e-7)


def test_float_vectors_are_unit_length(client):
    for vector in vectors(client.embeddings.create(model=MODEL, input=["a", "b"], encoding_format="float")):
        assert math.fsum(number * number for number in vector) == pytest.approx(1, abs=1e-5)


def test_base64_asked_for_explicitly_comes_back_as_base64_text(client):
    embeddings = client.embeddings.create(model=MODEL, input=["a", "b"], encoding_format="base64")
    floats = vectors(client.embeddings.create(model=MODEL, input=["a", "b"], encoding_format="float"))
    # The SDK leaves a format that was asked for alone: four bytes per float32.
    for encoded, vector in zip(vectors(embeddings), floats):
        assert isinstance(encoded, str)
        assert len(base64.b64decode(encoded)) == 4 * len(vector)


def test_dimensions_sets_the_length_of_every_vector(client):
    embeddings = client.embeddings.create(model=MODEL, input=["a", "b"], dimensions=16)
    assert [len(vector) for vector in vectors(embeddings)] == [16, 16]


def test_dimensions_with_float_sets_the_length_of_every_vector(client):
    embeddings = client.embeddings.create(model=MODEL, input=["a", "b"], dimensions=16, encoding_format="float")
    assert [len(vector) for vector in vectors(embeddings)] == [16, 16]


def test_one_text_gets_the_same_vector_every_time(client):
    first = vectors(client.embeddings.create(model=MODEL, input="a stable text"))
    again = vectors(client.embeddings.create(model=MODEL, input="a stable text"))
    assert len(first) == 1
    assert first == again


def test_a_provider_without_embeddings_raises_not_found_error_and_is_not_asked(translated_stack):
    mark = translated_stack.upstream_request_count()
    with pytest.raises(openai.NotFoundError) as raised:
        client_for(translated_stack).embeddings.create(model=MODEL, input=["a", "b"])
    assert raised.value.body["type"] == "invalid_request_error"
    assert "embeddings" in raised.value.body["message"]
    assert translated_stack.upstream_request_count() == mark


def test_an_unknown_model_raises_not_found_error(client):
    with pytest.raises(openai.NotFoundError) as raised:
        client.embeddings.create(model="no-such-model", input="hi")
    assert raised.value.body["code"] == "model_not_found"


def test_a_request_without_input_raises_bad_request_error(native_stack, client):
    mark = native_stack.upstream_request_count()
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model=MODEL, input=openai.omit)
    assert native_stack.upstream_request_count() == mark


def test_a_wrong_client_key_raises_authentication_error(native_stack):
    with pytest.raises(openai.AuthenticationError):
        client_for(native_stack, api_key="tg-not-a-real-key").embeddings.create(model=MODEL, input="hi")


def test_an_upstream_429_raises_rate_limit_error(native_stack, client):
    native_stack.inject(status=429, retryAfter="1", times=5)
    with pytest.raises(openai.RateLimitError):
        client.embeddings.create(model=MODEL, input="hi")
