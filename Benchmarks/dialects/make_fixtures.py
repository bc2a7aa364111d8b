"""Writes the dialect benchmark's upstream answers from the peer harness's chat fixtures: the same
99-word answer as an Anthropic message and as a Responses response, whole and streamed in the same
48 pieces, so that every dialect's row moves the same text."""

import json
import sys
from pathlib import Path

source, target = Path(sys.argv[1]), Path(sys.argv[2])
target.mkdir(parents=True, exist_ok=True)
chat = json.loads((source / "chat.json").read_text())
text = chat["choices"][0]["message"]["content"]
usage = chat["usage"]
pieces = [json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
          for line in (source / "stream.sse").read_text().splitlines()
          if line.startswith("data: {")]
pieces = [piece for piece in pieces if piece]
assert "".join(pieces) == text, "the stream fixture must spell the answer"

(target / "chat.json").write_text((source / "chat.json").read_text())
(target / "stream.sse").write_text((source / "stream.sse").read_text())


def sse(events):
    return "".join(f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n" for name, data in events)


message_usage = {"input_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"],
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
message = {"id": "msg_bench0mock0upstream01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
           "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None, "usage": message_usage}
(target / "messages.json").write_text(json.dumps(message, separators=(",", ":")))
start = dict(message, content=[], stop_reason=None, usage=dict(message_usage, output_tokens=1))
events = [("message_start", {"type": "message_start", "message": start}),
          ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})]
events += [("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}) for piece in pieces]
events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
           ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                              "usage": {"output_tokens": usage["completion_tokens"]}}),
           ("message_stop", {"type": "message_stop"})]
(target / "messages.sse").write_text(sse(events))

responses_usage = {"input_tokens": usage["prompt_tokens"], "input_tokens_details": {"cached_tokens": 0},
                   "output_tokens": usage["completion_tokens"], "output_tokens_details": {"reasoning_tokens": 0},
                   "total_tokens": usage["total_tokens"]}
item = {"type": "message", "id": "msg_bench01", "role": "assistant", "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]}
response = {"id": "resp_bench0mock0upstream01", "object": "response", "created_at": 1732650000, "status": "completed",
            "model": "gpt-4o", "output": [item], "usage": responses_usage, "parallel_tool_calls": True,
            "tool_choice": "auto", "tools": [], "store": False, "error": None, "incomplete_details": None}
(target / "responses.json").write_text(json.dumps(response, separators=(",", ":")))
started = dict(response, status="in_progress", output=[], usage=None)
events = [("response.created", {"type": "response.created", "response": started}),
          ("response.in_progress", {"type": "response.in_progress", "response": started}),
          ("response.output_item.added", {"type": "response.output_item.added", "output_index": 0, "item": dict(item, status="in_progress", content=[])}),
          ("response.content_part.added", {"type": "response.content_part.added", "item_id": "msg_bench01", "output_index": 0, "content_index": 0,
                                           "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}})]
events += [("response.output_text.delta", {"type": "response.output_text.delta", "item_id": "msg_bench01", "output_index": 0,
                                           "content_index": 0, "delta": piece, "logprobs": []}) for piece in pieces]
events += [("response.output_text.done", {"type": "response.output_text.done", "item_id": "msg_bench01", "output_index": 0, "content_index": 0, "text": text, "logprobs": []}),
           ("response.content_part.done", {"type": "response.content_part.done", "item_id": "msg_bench01", "output_index": 0, "content_index": 0,
                                           "part": {"type": "output_text", "text": text, "annotations": [], "logprobs": []}}),
           ("response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item}),
           ("response.completed", {"type": "response.completed", "response": response})]
events = [(name, dict(data, sequence_number=number)) for number, (name, data) in enumerate(events)]
(target / "responses.sse").write_text(sse(events))
