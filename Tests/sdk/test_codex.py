"""Codex CLI itself (`codex exec`) against a live TaoGate's Responses API, in both modes: NATIVE
(the provider speaks the Responses API) and TRANSLATED (chat completions upstream).

The `codex` binary ships inside PyPI's `openai-codex-cli-bin` wheel as `codex_cli_bin/bin/codex`,
beside the folders it looks for next to it (`codex-path/` with rg, `codex-resources/` with
bwrap). That whole folder is kept in `.build/agents/` (or TAOGATE_AGENTS_DIR), and downloaded
there with pip when missing. CODEX_BIN names another binary.

Codex runs with a CODEX_HOME whose config.toml points its model provider at the gateway
(`wire_api = "responses"`, no retries), a fresh HOME and working folder, a minimal environment,
stdin from /dev/null (with an open pipe it waits for input forever) and a bounded time.
MockUpstream answers a request that offers tools by calling the first one (Codex offers
exec_command first), or a scripted one, and answers a tool output with text that quotes it."""

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

MODEL = "gpt-4o"
WHEEL = "openai-codex-cli-bin"
PACKAGE = "codex_cli_bin"
MEMBER = f"{PACKAGE}/bin/codex"
AGENTS = Path(os.environ.get("TAOGATE_AGENTS_DIR") or ROOT / ".build" / "agents")
RUN_SECONDS = 120
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
# The sum is computed by the shell Codex runs; it shows up only if the command really ran and its
# output went through the gateway (as the function call output) and back (quoted in the answer).
SHELL_COMMAND = "echo $((1234+4321))"
SHELL_OUTPUT = str(1234 + 4321)


def unpack_codex(wheel_path: str, cached: Path) -> None:
    """Unpacks the wheel's `codex_cli_bin/` folder (binaries executable) into `cached`: next to
    the cache first (one file system), then moved in whole, so racing runs never see half of it."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".unpacking-", dir=cached.parent) as unpacking, zipfile.ZipFile(wheel_path) as wheel:
        members = [info for info in wheel.infolist() if info.filename.startswith(PACKAGE + "/")]
        if MEMBER not in {info.filename for info in members}:
            raise LookupError(f"{os.path.basename(wheel_path)} has no {MEMBER} (no binary for this platform?)")
        for info in members:
            unpacked = wheel.extract(info, path=unpacking)
            if info.filename.startswith((f"{PACKAGE}/bin/", f"{PACKAGE}/codex-path/", f"{PACKAGE}/codex-resources/")):
                os.chmod(unpacked, os.stat(unpacked).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        try:
            os.replace(os.path.join(unpacking, PACKAGE), cached)
        except OSError:
            if not os.access(cached / "bin" / "codex", os.X_OK):  # not another run's complete copy
                raise


def obtain_codex() -> str:
    """The cached binary, or the one in a freshly downloaded wheel."""
    cached = AGENTS / PACKAGE
    if os.access(cached / "bin" / "codex", os.X_OK):
        return str(cached / "bin" / "codex")
    with tempfile.TemporaryDirectory(prefix="codex-cli-bin-") as download:
        try:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "-d", download, WHEEL],
                check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=900,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            detail = (getattr(error, "stderr", None) or b"").decode(errors="replace")[-500:]
            raise LookupError(f"`pip download {WHEEL}` failed: {error} {detail}") from error
        wheels = glob.glob(os.path.join(download, "openai_codex_cli_bin-*.whl"))
        if not wheels:
            raise LookupError(f"`pip download {WHEEL}` gave no wheel")
        unpack_codex(wheels[0], cached)
    return str(cached / "bin" / "codex")


def search_path(binary: str) -> str:
    """PATH for Codex: the wheel's `codex-path/` (rg) when it is beside the binary's folder."""
    tools = Path(binary).resolve().parent.parent / "codex-path"
    return f"{tools}:{BASE_PATH}" if tools.is_dir() else BASE_PATH


@pytest.fixture(scope="session")
def codex() -> str:
    binary = os.environ.get("CODEX_BIN")
    try:
        binary = binary or obtain_codex()
        with tempfile.TemporaryDirectory(prefix="codex-home-") as home:
            version = subprocess.run(
                [binary, "--version"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                env={"PATH": search_path(binary), "HOME": home, "CODEX_HOME": home, "TERM": "dumb"},
            )
    except (LookupError, OSError, subprocess.TimeoutExpired) as error:
        skip_or_fail(f"Codex cannot be obtained: {error}")
    if version.returncode != 0:
        skip_or_fail(f"{binary} --version failed: {version.stderr[-500:]}")
    return binary


@dataclass
class CodexRun:
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


def codex_config(stack) -> str:
    """config.toml: the gateway as Codex's model provider, with Codex's retries off so that a
    failure shows at once (and in the request count)."""
    return (
        'model_provider = "taogate"\n'
        f'model = "{MODEL}"\n'
        "\n"
        "[model_providers.taogate]\n"
        'name = "TaoGate"\n'
        f'base_url = "{stack.gateway}/v1"\n'
        'env_key = "TAOGATE_KEY"\n'
        'wire_api = "responses"\n'
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n"
    )


def run_codex(binary: str, stack, prompt: str, *arguments: str) -> CodexRun:
    """`codex exec <prompt>` pointed at the gateway with the client key, in a fresh CODEX_HOME,
    HOME and working folder (all removed afterwards). On timeout its whole process group (the
    shells it started too) is killed."""
    mark = stack.upstream_request_count()
    with tempfile.TemporaryDirectory(prefix="codex-home-", ignore_cleanup_errors=True) as codex_home, \
            tempfile.TemporaryDirectory(prefix="codex-user-", ignore_cleanup_errors=True) as home, \
            tempfile.TemporaryDirectory(prefix="codex-work-", ignore_cleanup_errors=True) as work:
        Path(codex_home, "config.toml").write_text(codex_config(stack))
        environment = {
            "PATH": search_path(binary),
            "HOME": home,
            "TERM": "dumb",
            "CODEX_HOME": codex_home,
            "TAOGATE_KEY": CLIENT_KEY,
        }
        started = time.monotonic()
        process = subprocess.Popen(
            [binary, "exec", "--skip-git-repo-check", *arguments, prompt],
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
    return CodexRun(process.returncode, stdout, stderr, seconds, stack.upstream_requests_since(mark))


@pytest.fixture(scope="module", params=MODES)
def agent_stack(request):
    """The native or the translated stack; each mode's runs below happen once per module."""
    running = request.getfixturevalue(f"{request.param}_stack")
    running.clear_faults()
    yield running
    running.clear_faults()


PLAIN_PROMPT = "say hi"


@pytest.fixture(scope="module")
def plain_run(codex, agent_stack) -> CodexRun:
    """A plain prompt with Codex's default tools: the mock calls the first one on offer
    (exec_command, with a made-up command), Codex runs it in its sandbox, and the mock answers
    the output with text."""
    return run_codex(codex, agent_stack, PLAIN_PROMPT)


@pytest.fixture(scope="module")
def shell_run(codex, agent_stack) -> CodexRun:
    """The mock asks for an exec_command call that adds two numbers; Codex runs it unsandboxed."""
    agent_stack.clear_faults()
    agent_stack.inject(callTool={"name": "exec_command", "arguments": {"cmd": SHELL_COMMAND}})
    try:
        return run_codex(codex, agent_stack, "add 1234 and 4321 with the shell", "--dangerously-bypass-approvals-and-sandbox")
    finally:
        agent_stack.clear_faults()


def function_items(request: dict, kind: str) -> list:
    return [item for item in request["json"]["input"] if isinstance(item, dict) and item.get("type") == kind]


# MARK: - A plain prompt


def test_a_plain_prompt_gets_an_answer_on_stdout_and_exit_code_0(plain_run):
    assert plain_run.returncode == 0, plain_run.describe()
    assert f"Simulated reply from {MODEL}" in plain_run.stdout, plain_run.describe()


def test_a_plain_prompt_reaches_the_upstream_api_of_the_mode(plain_run, agent_stack):
    assert plain_run.requests, plain_run.describe()
    assert {request["path"] for request in plain_run.requests} == {agent_stack.responses_upstream_path}, plain_run.describe()


def test_a_plain_prompt_takes_one_streamed_request_per_turn(plain_run):
    # The first turn is answered with a call of exec_command, the second with text; Codex's
    # retries are off, so a turn it could not read would end the run instead of repeating.
    assert [request["json"].get("stream") for request in plain_run.requests] == [True, True], plain_run.describe()


def test_the_prompt_reaches_the_provider_as_the_last_user_text(plain_run, agent_stack):
    first = plain_run.requests[0]["json"]
    if agent_stack.mode == "native":
        users = [item for item in first["input"] if item.get("type") == "message" and item.get("role") == "user"]
        assert PLAIN_PROMPT in json.dumps(users[-1]["content"]), plain_run.describe()
    else:
        users = [message for message in first["messages"] if message["role"] == "user"]
        assert PLAIN_PROMPT in json.dumps(users[-1]["content"]), plain_run.describe()


def test_the_provider_gets_its_own_key_and_never_codexs(plain_run):
    for received in plain_run.requests:
        assert received["headers"].get("authorization") == f"Bearer {UPSTREAM_KEY}"
        assert all(CLIENT_KEY not in value for value in received["headers"].values())
        assert CLIENT_KEY not in received["body"]


# MARK: - A shell tool round trip


def test_a_shell_call_runs_and_its_output_comes_back_in_the_answer(shell_run):
    assert shell_run.returncode == 0, shell_run.describe()
    assert SHELL_OUTPUT in shell_run.stdout, shell_run.describe()


def test_the_shell_output_goes_upstream_with_the_id_of_the_call(shell_run, agent_stack):
    assert len(shell_run.requests) == 2, shell_run.describe()
    assert {request["path"] for request in shell_run.requests} == {agent_stack.responses_upstream_path}, shell_run.describe()
    second = shell_run.requests[1]
    if agent_stack.mode == "native":
        calls = [call for call in function_items(second, "function_call") if call.get("name") == "exec_command"]
        outputs = function_items(second, "function_call_output")
        assert len(calls) == 1 and len(outputs) == 1, json.dumps(second["json"]["input"][-3:])[:3000]
        assert outputs[0]["call_id"] == calls[0]["call_id"]
        assert SHELL_OUTPUT in json.dumps(outputs[0]["output"])
    else:
        messages = second["json"]["messages"]
        calls = [
            call
            for message in messages
            if message["role"] == "assistant"
            for call in message.get("tool_calls") or []
            if call["function"]["name"] == "exec_command"
        ]
        results = [message for message in messages if message["role"] == "tool"]
        assert len(calls) == 1 and len(results) == 1, json.dumps(messages[-3:])[:3000]
        assert results[0]["tool_call_id"] == calls[0]["id"]
        assert SHELL_OUTPUT in json.dumps(results[0]["content"])
        assert messages.index(results[0]) > next(i for i, m in enumerate(messages) if m.get("tool_calls"))
