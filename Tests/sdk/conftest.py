"""Starts a live TaoGate and a MockUpstream (the built `taogate` binary) on 127.0.0.1 for the
official SDKs and agents to talk to.

Two modes for the APIs a provider may speak besides chat (Anthropic's `/v1/messages`, OpenAI's
`/v1/responses` and `/v1/embeddings`): NATIVE, where the mock provider is configured with
`apis: [chat, messages, responses, embeddings]` and the gateway forwards the body as sent, and
TRANSLATED, where it has `apis: [chat]` and the gateway turns a messages or responses request into
a chat completion (embeddings cannot be translated: there the gateway answers 404)."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENT_KEY = "tg-sdk-client-key-0123456789abcdef"  # the gateway wants 32 characters or more
# A second client of the same gateway (see `start_mode_stack(keys=…)`).
OTHER_CLIENT_KEY = "tg-sdk-other-client-key-fedcba9876543210"
UPSTREAM_KEY = "sk-mock-upstream-key"
MODELS = ["claude-sonnet-4-6", "gpt-4o", "qwen-plus", "deepseek-v3"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def skip_or_fail(reason: str) -> None:
    """Skips what cannot run here, unless REQUIRE_ALL_SUITES=1 (CI), where a skip would hide a gap."""
    if os.environ.get("REQUIRE_ALL_SUITES") == "1":
        pytest.fail(f"REQUIRE_ALL_SUITES=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def taogate_binary() -> str:
    binary = os.environ.get("TAOGATE_BIN") or str(ROOT / ".build" / "debug" / "taogate")
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"{binary} is missing: run `swift build` first")
    return binary


MODES = ["native", "translated"]
# What the mock provider speaks in each mode, and the upstream path a /v1/messages request reaches.
MODE_APIS = {"native": ["chat", "messages", "responses", "embeddings"], "translated": ["chat"]}
MODE_UPSTREAM_PATH = {"native": "/v1/messages", "translated": "/v1/chat/completions"}
# The upstream path a /v1/responses request reaches.
MODE_RESPONSES_UPSTREAM_PATH = {"native": "/v1/responses", "translated": "/v1/chat/completions"}


class Stack:
    def __init__(self, gateway: str, mock: str, mode: str = "translated", workdir: str = "", log_name: str = "gateway.log"):
        self.gateway = gateway
        self.mock = mock
        self.mode = mode
        self.workdir = workdir
        self.log_name = log_name

    @property
    def upstream_path(self) -> str:
        """Where the mock receives what a client sent to the gateway's /v1/messages."""
        return MODE_UPSTREAM_PATH[self.mode]

    @property
    def responses_upstream_path(self) -> str:
        """Where the mock receives what a client sent to the gateway's /v1/responses."""
        return MODE_RESPONSES_UPSTREAM_PATH[self.mode]

    def inject(self, **fault) -> None:
        request = urllib.request.Request(
            self.mock + "/mock/faults",
            data=json.dumps(fault).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=5).close()

    def clear_faults(self) -> None:
        request = urllib.request.Request(self.mock + "/mock/faults", method="DELETE")
        urllib.request.urlopen(request, timeout=5).close()

    def last_upstream_body(self) -> dict:
        with urllib.request.urlopen(self.mock + "/mock/requests/last", timeout=5) as response:
            return json.load(response)

    def upstream_requests(self) -> list:
        """Every model request the mock received (`GET /mock/requests`), oldest first: each a
        dict with `path`, `headers` (lowercased names) and `body` (the JSON text as received)."""
        with urllib.request.urlopen(self.mock + "/mock/requests", timeout=10) as response:
            return json.load(response)

    def upstream_requests_since(self, mark: int) -> list:
        """The model requests received after the first `mark` (see `upstream_request_count`),
        with `json` added: the body parsed."""
        received = self.upstream_requests()[mark:]
        for entry in received:
            entry["json"] = json.loads(entry["body"]) if entry["body"] else None
        return received

    def upstream_request_count(self) -> int:
        return len(self.upstream_requests())

    def gateway_log(self) -> str:
        """What `taogate serve` has written so far (for failure messages)."""
        path = Path(self.workdir) / self.log_name
        return path.read_text(errors="replace") if path.exists() else ""


def gateway_environment(extra_environment: dict) -> dict:
    """The environment `taogate serve` runs with: none of the caller's gateway settings, fast
    upstream retries, and `extra_environment`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TAOTOKEN_API_KEY", "TAOGATE_CONFIG", "TAOGATE_API_KEYS", "PORT", "HOST", "DATABASE_URL"}
    }
    environment.update(
        MOCK_UPSTREAM_KEY=UPSTREAM_KEY,
        RATE_LIMIT_MAX="0",
        UPSTREAM_RETRY_BASE_MS="1",
        UPSTREAM_MAX_RETRIES="1",
        LOG_LEVEL="warning",
    )
    environment.update(extra_environment)
    return environment


def write_providers_file(
    workdir: str, mock_port: int, apis: list | None, pricing: dict | None = None, provider_pricing: dict | None = None
) -> Path:
    """One provider, the mock, serving MODELS; `apis` is written as its `apis:` (none: the
    gateway's default, `[chat]`). `pricing` is written as the file's shared `pricing:` table and
    `provider_pricing` as the mock provider's own (e.g. `{"currency": "CNY", "models":
    {"gpt-4o": {"input": 2.5, "output": 10}}}`); none: no prices."""
    providers = Path(workdir) / "providers.yaml"
    providers.write_text(
        "providers:\n"
        "  - name: mock\n"
        f"    base_url: http://127.0.0.1:{mock_port}/v1\n"
        "    keys: [{ env: MOCK_UPSTREAM_KEY }]\n"
        f"    models: [{', '.join(MODELS)}]\n"
        + (f"    apis: [{', '.join(apis)}]\n" if apis else "")
        + (f"    pricing: {json.dumps(provider_pricing)}\n" if provider_pricing else "")
        + (f"pricing: {json.dumps(pricing)}\n" if pricing else "")  # JSON is YAML
    )
    return providers


def start_gateway(workdir: str, providers: Path, environment: dict, log_name: str = "gateway.log"):
    """Starts `taogate serve` (its output going to `log_name` in `workdir`) and waits until it
    answers /healthz; returns (its URL, its process). Nothing is left running when it fails."""
    gateway_port = free_port()
    with open(Path(workdir) / log_name, "wb") as log:
        process = subprocess.Popen(
            [taogate_binary(), "serve", "--port", str(gateway_port), "--config", str(providers)],
            cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/healthz")
    except BaseException as error:
        stop([process])
        said = (Path(workdir) / log_name).read_text(errors="replace").strip()
        if isinstance(error, RuntimeError) and said:
            raise RuntimeError(f"{error}; the gateway said: {said[-1000:]}") from error
        raise
    return f"http://127.0.0.1:{gateway_port}", process


WORK_FOLDERS: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def remove_work_folders(request):
    """The stacks' work folders (their logs, providers files and databases) go when the session
    ends, unless a test failed: then they stay to be read."""
    yield
    if request.session.testsfailed == 0:
        for folder in WORK_FOLDERS:
            shutil.rmtree(folder, ignore_errors=True)


def start_stack(
    extra_environment: dict,
    apis: list | None = None,
    mode: str = "translated",
    pricing: dict | None = None,
    provider_pricing: dict | None = None,
):
    """Starts `taogate mock-upstream` and `taogate serve` in front of it; returns (Stack, processes).

    `apis` is written as the mock provider's `apis:` (none: the gateway's default, `[chat]`);
    `pricing` and `provider_pricing` as the providers file's prices (see `write_providers_file`).
    The gateway's output goes to `gateway.log` in the stack's work folder."""
    binary = taogate_binary()
    mock_port = free_port()
    workdir = tempfile.mkdtemp(prefix="taogate-sdk-")
    WORK_FOLDERS.append(workdir)
    providers = write_providers_file(workdir, mock_port, apis, pricing=pricing, provider_pricing=provider_pricing)
    environment = gateway_environment(extra_environment)
    started = []
    try:
        started.append(subprocess.Popen(
            [binary, "mock-upstream", "--port", str(mock_port), "--api-key", UPSTREAM_KEY],
            cwd=workdir, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
        wait_until_up(f"http://127.0.0.1:{mock_port}/mock/stats")
        gateway_url, gateway = start_gateway(workdir, providers, environment)
        started.insert(0, gateway)
    except BaseException:
        stop(started)  # nothing is left running when a start fails
        raise
    mock = started[1]
    running = Stack(gateway_url, f"http://127.0.0.1:{mock_port}", mode=mode, workdir=workdir)
    return running, (gateway, mock)


def stop(processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def stack():
    """A gateway that requires CLIENT_KEY."""
    running, processes = start_stack({"TAOGATE_API_KEYS": CLIENT_KEY})
    try:
        yield running
    finally:
        stop(processes)


@pytest.fixture(scope="session")
def open_stack():
    """A gateway without client keys, for tools that do not authenticate."""
    running, processes = start_stack({})
    try:
        yield running
    finally:
        stop(processes)


@pytest.fixture
def no_faults_left(stack):
    stack.clear_faults()
    yield
    stack.clear_faults()


def start_mode_stack(mode: str, keys: tuple = (CLIENT_KEY,), extra_environment: dict | None = None):
    """A gateway that requires one of `keys` (CLIENT_KEY alone by default), in front of a mock
    provider that speaks the APIs of `mode` (see MODES)."""
    environment = {"TAOGATE_API_KEYS": ",".join(keys), **(extra_environment or {})}
    return start_stack(environment, apis=MODE_APIS[mode], mode=mode)


@pytest.fixture(scope="session")
def native_stack():
    """/v1/messages, /v1/responses and /v1/embeddings go to the mock's as sent."""
    running, processes = start_mode_stack("native")
    try:
        yield running
    finally:
        stop(processes)


@pytest.fixture(scope="session")
def translated_stack():
    """/v1/messages and /v1/responses are translated to the mock's /v1/chat/completions; the
    mock's provider serves no embeddings."""
    running, processes = start_mode_stack("translated")
    try:
        yield running
    finally:
        stop(processes)


@pytest.fixture(params=MODES)
def mode_stack(request):
    """The native or the translated stack (each started once per session), without faults
    before and after the test."""
    running = request.getfixturevalue(f"{request.param}_stack")
    running.clear_faults()
    yield running
    running.clear_faults()
