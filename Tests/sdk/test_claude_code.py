"""Claude Code itself (`claude -p`) against a live TaoGate, in both modes: NATIVE (the provider
speaks Anthropic's API) and TRANSLATED (chat completions upstream).

The `claude` binary ships inside PyPI's `claude-agent-sdk` wheel as
`claude_agent_sdk/_bundled/claude`. It is kept in `.build/agents/` (or TAOGATE_AGENTS_DIR), and
downloaded there with pip when missing. CLAUDE_BIN names another binary.

Claude Code runs with a fresh HOME and working folder, a minimal environment, no stdin and a
bounded time. MockUpstream answers a request that offers tools by calling the first one (or a
scripted one), and answers a tool result with text that quotes it."""

import glob
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CLIENT_KEY, MODES, ROOT, UPSTREAM_KEY, skip_or_fail

MODEL = "claude-sonnet-4-6"
WHEEL = "claude-agent-sdk"
MEMBER = "claude_agent_sdk/_bundled/claude"
AGENTS = Path(os.environ.get("TAOGATE_AGENTS_DIR") or ROOT / ".build" / "agents")
RUN_SECONDS = 120
# The sum is computed by the shell Claude Code runs; it shows up only if the command really ran
# and its output went through the gateway (as the tool result) and back (quoted in the answer).
BASH_COMMAND = "echo $((1234+4321))"
BASH_OUTPUT = str(1234 + 4321)


def obtain_claude() -> str:
    """The cached binary, or the one in a freshly downloaded wheel (only that member is unpacked)."""
    cached = AGENTS / MEMBER
    if os.access(cached, os.X_OK):
        return str(cached)
    with tempfile.TemporaryDirectory(prefix="claude-agent-sdk-") as download:
        try:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "-d", download, WHEEL],
                check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=900,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            detail = (getattr(error, "stderr", None) or b"").decode(errors="replace")[-500:]
            raise LookupError(f"`pip download {WHEEL}` failed: {error} {detail}") from error
        wheels = glob.glob(os.path.join(download, "claude_agent_sdk-*.whl"))
        if not wheels:
            raise LookupError(f"`pip download {WHEEL}` gave no wheel")
        cached.parent.mkdir(parents=True, exist_ok=True)
        # Unpacked next to the cache (one file system), then moved in whole, even if runs race.
        with tempfile.TemporaryDirectory(prefix=".unpacking-", dir=AGENTS) as unpacking, zipfile.ZipFile(wheels[0]) as wheel:
            if MEMBER not in wheel.namelist():
                raise LookupError(f"{os.path.basename(wheels[0])} has no {MEMBER} (no binary for this platform?)")
            unpacked = wheel.extract(MEMBER, path=unpacking)
            os.chmod(unpacked, os.stat(unpacked).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            os.replace(unpacked, cached)
    return str(cached)


@pytest.fixture(scope="session")
def claude() -> str:
    binary = os.environ.get("CLAUDE_BIN")
    try:
        binary = binary or obtain_claude()
        with tempfile.TemporaryDirectory(prefix="claude-home-", ignore_cleanup_errors=True) as home:
            version = subprocess.run(
                [binary, "--version"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TERM": "dumb"},
            )
    except (LookupError, OSError, subprocess.TimeoutExpired) as error:
        skip_or_fail(f"Claude Code cannot be obtained: {error}")
    if version.returncode != 0:
        skip_or_fail(f"{binary} --version failed: {version.stderr[-500:]}")
    return binary


@dataclass
class ClaudeRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    # The model requests the mock received during the run (path, headers, body, json).
    requests: list

    def describe(self) -> str:
        paths = [request["path"] for request in self.requests]
        return (
            f"rc={self.returncode} in {self.seconds:.1f}s, upstream requests {paths}\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"
        )


def run_claude(binary: str, stack, prompt: str, *arguments: str) -> ClaudeRun:
    """`claude -p <prompt>` pointed at the gateway with the client key as a Bearer token, in a
    fresh HOME and working folder (both removed afterwards). On timeout its whole process group
    (the shells it started too) is killed."""
    mark = stack.upstream_request_count()
    with tempfile.TemporaryDirectory(prefix="claude-home-", ignore_cleanup_errors=True) as home, \
            tempfile.TemporaryDirectory(prefix="claude-work-", ignore_cleanup_errors=True) as work:
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "TERM": "dumb",
            "ANTHROPIC_BASE_URL": stack.gateway,
            "ANTHROPIC_AUTH_TOKEN": CLIENT_KEY,
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
            "CLAUDE_CODE_MAX_RETRIES": "2",
        }
        started = time.monotonic()
        process = subprocess.Popen(
            [binary, "-p", prompt, "--model", MODEL, *arguments],
            cwd=work, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=RUN_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            stderr = f"timed out after {RUN_SECONDS}s\n{stderr}"
        seconds = time.monotonic() - started
    return ClaudeRun(process.returncode, stdout, stderr, seconds, stack.upstream_requests_since(mark))


@pytest.fixture(scope="module", params=MODES)
def agent_stack(request):
    """The native or the translated stack; each mode's runs below happen once per module."""
    running = request.getfixturevalue(f"{request.param}_stack")
    running.clear_faults()
    yield running
    running.clear_faults()


@pytest.fixture(scope="module")
def plain_run(claude, agent_stack) -> ClaudeRun:
    """A plain prompt with Claude Code's default tools: the mock calls the first tool on offer,
    Claude Code runs (or refuses) it, and the mock answers the tool result with text."""
    return run_claude(claude, agent_stack, "say hi")


TOOLLESS_PROMPT = "which gateway is this"


@pytest.fixture(scope="module")
def toolless_run(claude, agent_stack) -> ClaudeRun:
    """A prompt with no tools on offer (`--tools ""`): one request, answered with text."""
    return run_claude(claude, agent_stack, TOOLLESS_PROMPT, "--tools", "")


@pytest.fixture(scope="module")
def bash_run(claude, agent_stack) -> ClaudeRun:
    """The mock asks for a Bash call; Claude Code may run it (`--allowedTools Bash`)."""
    agent_stack.clear_faults()
    agent_stack.inject(callTool={"name": "Bash", "arguments": {"command": BASH_COMMAND}})
    try:
        return run_claude(claude, agent_stack, "add 1234 and 4321 with the shell", "--allowedTools", "Bash")
    finally:
        agent_stack.clear_faults()


# MARK: - A plain prompt


def test_a_plain_prompt_gets_an_answer_on_stdout_and_exit_code_0(plain_run):
    assert plain_run.returncode == 0, plain_run.describe()
    assert f"Simulated reply from {MODEL}" in plain_run.stdout, plain_run.describe()


def test_a_plain_prompt_reaches_the_upstream_api_of_the_mode(plain_run, agent_stack):
    assert plain_run.requests, plain_run.describe()
    assert {request["path"] for request in plain_run.requests} == {agent_stack.upstream_path}, plain_run.describe()


def test_a_prompt_without_tools_is_answered_with_the_reply_to_that_prompt(toolless_run, agent_stack):
    assert toolless_run.returncode == 0, toolless_run.describe()
    assert len(toolless_run.requests) == 1, toolless_run.describe()
    assert toolless_run.requests[0]["path"] == agent_stack.upstream_path
    # The mock quotes the last user text, which ends with the prompt.
    assert f'Simulated reply from {MODEL} to "' in toolless_run.stdout, toolless_run.describe()
    assert f'{TOOLLESS_PROMPT}" (' in toolless_run.stdout, toolless_run.describe()


def test_the_provider_gets_its_own_key_and_never_claude_codes(toolless_run):
    (received,) = toolless_run.requests
    assert received["headers"].get("authorization") == f"Bearer {UPSTREAM_KEY}"
    assert all(CLIENT_KEY not in value for value in received["headers"].values())
    assert CLIENT_KEY not in received["body"]


def test_anthropic_headers_reach_a_native_provider_and_not_a_chat_one(toolless_run, agent_stack):
    (received,) = toolless_run.requests
    anthropic_headers = {name: value for name, value in received["headers"].items() if name.startswith("anthropic-")}
    if agent_stack.mode == "native":
        assert anthropic_headers.get("anthropic-version"), received["headers"]
        assert anthropic_headers.get("anthropic-beta"), received["headers"]
    else:
        assert anthropic_headers == {}


# MARK: - A Bash tool round trip


def test_a_bash_call_runs_and_its_output_comes_back_in_the_answer(bash_run):
    assert bash_run.returncode == 0, bash_run.describe()
    assert BASH_OUTPUT in bash_run.stdout, bash_run.describe()


def test_every_turn_is_streamed_once_without_a_non_streaming_fallback(toolless_run, bash_run):
    # Claude Code silently retries without streaming (a second request per turn) when it cannot
    # read the gateway's stream, so the counts show that both turns were understood.
    assert [request["json"].get("stream") for request in toolless_run.requests] == [True], toolless_run.describe()
    assert [request["json"].get("stream") for request in bash_run.requests] == [True, True], bash_run.describe()


def test_the_bash_result_goes_upstream_with_the_id_of_the_call(bash_run, agent_stack):
    assert len(bash_run.requests) >= 2, bash_run.describe()
    assert {request["path"] for request in bash_run.requests} == {agent_stack.upstream_path}, bash_run.describe()
    second = bash_run.requests[1]["json"]
    if agent_stack.mode == "native":
        calls = [
            block
            for message in second["messages"]
            if message["role"] == "assistant" and isinstance(message["content"], list)
            for block in message["content"]
            if block.get("type") == "tool_use" and block.get("name") == "Bash"
        ]
        results = [
            block
            for message in second["messages"]
            if message["role"] == "user" and isinstance(message["content"], list)
            for block in message["content"]
            if block.get("type") == "tool_result"
        ]
        assert len(calls) == 1 and len(results) == 1, json.dumps(second["messages"][1:])[:3000]
        assert results[0]["tool_use_id"] == calls[0]["id"]
        assert BASH_OUTPUT in json.dumps(results[0]["content"])
    else:
        calls = [
            call
            for message in second["messages"]
            if message["role"] == "assistant"
            for call in message.get("tool_calls") or []
            if call["function"]["name"] == "Bash"
        ]
        results = [message for message in second["messages"] if message["role"] == "tool"]
        assert len(calls) == 1 and len(results) == 1, json.dumps(second["messages"][1:])[:3000]
        assert results[0]["tool_call_id"] == calls[0]["id"]
        assert BASH_OUTPUT in json.dumps(results[0]["content"])
