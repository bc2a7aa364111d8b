"""The chat page at `/` in a real browser (headless Chromium) against a live TaoGate and
MockUpstream: what a person using the page sees.

The mock answers deterministically and echoes the user's words, so the tests compare what the
page shows with what the gateway itself reports (GET /api/conversations, GET /api/models, its
error bodies) rather than with hard-coded answers."""

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request

import pytest

from conftest import CLIENT_KEY, skip_or_fail, start_stack, stop

try:
    import selenium  # noqa: F401
except ImportError:
    skip_or_fail("selenium is not installed: pip install -r Tests/sdk/requirements.txt")

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    skip_or_fail(f"the chat page tests need {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)")


# --- Browser and page helpers ------------------------------------------------------------------


@pytest.fixture
def browser():
    """Launches headless Chromium (a fresh profile, so fresh localStorage) in a given language."""
    drivers = []

    def launch(language: str = "en-US"):
        options = Options()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--window-size=1200,800",
            f"--lang={language}",
        ):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # Chromium's own temporary files (its profile's singleton socket folder) go to a folder
        # removed after the test, not to /tmp, where they would stay.
        temp_dir = tempfile.mkdtemp(prefix="taogate-chromium-")
        service = Service(CHROMEDRIVER, env={**os.environ, "TMPDIR": temp_dir})
        driver = webdriver.Chrome(service=service, options=options)
        driver.temp_dir = temp_dir
        drivers.append(driver)
        return driver

    yield launch
    for driver in drivers:
        driver.quit()
        shutil.rmtree(driver.temp_dir, ignore_errors=True)


@pytest.fixture
def gateway(open_stack):
    """The keyless gateway, with no mock faults left over before or after the test."""
    open_stack.clear_faults()
    yield open_stack
    open_stack.clear_faults()


@pytest.fixture
def keyed_gateway(stack):
    stack.clear_faults()
    yield stack
    stack.clear_faults()


def wait(driver, seconds: float = 10):
    return WebDriverWait(driver, seconds, poll_frequency=0.05)


def open_page(driver, stack) -> None:
    driver.get(stack.gateway + "/")
    wait_until_ready(driver)


def wait_until_ready(driver) -> None:
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.state") == "ready")


def type_message(driver, text: str) -> None:
    """Types `text` into the message box, with Shift+Enter between lines (Enter would send)."""
    box = driver.find_element(By.ID, "message")
    box.click()
    for index, line in enumerate(text.split("\n")):
        if index:
            ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
        if line:
            box.send_keys(line)


def send(driver, text: str) -> None:
    type_message(driver, text)
    driver.find_element(By.ID, "message").send_keys(Keys.ENTER)


def last_assistant(driver):
    """(text, aria-busy) of the last assistant message, or ("", None)."""
    return driver.execute_script(
        "const all = document.querySelectorAll('#messages .message.assistant');"
        "const last = all[all.length - 1];"
        "return last ? [last.querySelector('.content').textContent, last.getAttribute('aria-busy')] : ['', null];"
    )


def wait_for_answer(driver, seconds: float = 15) -> str:
    """Waits until the page has finished streaming a non-empty answer; returns its text."""
    wait(driver, seconds).until(
        lambda d: d.execute_script("return document.body.dataset.streaming") == "false" and last_assistant(d)[0]
    )
    return last_assistant(driver)[0]


def shown_messages(driver) -> list:
    return driver.execute_script(
        "return [...document.querySelectorAll('#messages .message')].map(m =>"
        " [m.classList.contains('user') ? 'user' : 'assistant', m.querySelector('.content').textContent]);"
    )


def user_id(driver) -> str:
    return driver.execute_script("return localStorage.getItem('taogate.userId')")


def model_options(driver) -> list:
    return [option.get_attribute("value") for option in Select(driver.find_element(By.ID, "model")).options]


def error_banner(driver):
    return driver.find_element(By.ID, "error")


def wait_for_error(driver, seconds: float = 10):
    wait(driver, seconds).until(lambda d: error_banner(d).is_displayed())
    return error_banner(driver)


# --- Gateway helpers ---------------------------------------------------------------------------


def call(stack, method: str, path: str, body=None, headers=None):
    """(status, headers, parsed JSON body) of a direct call to the gateway."""
    request = urllib.request.Request(
        stack.gateway + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def stored_conversation(stack, user: str, key: str | None = None) -> list:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    status, _, body = call(stack, "GET", f"/api/conversations/{user}", headers=headers)
    assert status == 200, body
    return [[message["role"], message["content"]] for message in body["messages"]]


# --- Chatting ----------------------------------------------------------------------------------


def test_the_page_runs_under_its_content_security_policy_without_console_errors(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    send(driver, "hello under the policy")
    wait_for_answer(driver)
    problems = [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert problems == []


def test_a_sent_message_shows_the_streamed_answer(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    gateway.inject(dripMs=120)  # one piece every 120 ms, so the answer is seen growing
    message = "hello from the chat page test"
    send(driver, message)

    seen_while_streaming = []

    def finished(d):
        text, busy = last_assistant(d)
        if busy == "true" and text:
            seen_while_streaming.append(len(text))
        return busy == "false" and text

    wait(driver, 20).until(finished)
    assert len(set(seen_while_streaming)) >= 2, "the answer should appear piece by piece"
    assert seen_while_streaming == sorted(seen_while_streaming)
    # What the page shows is exactly what the gateway streamed and stored.
    assert shown_messages(driver) == stored_conversation(gateway, user_id(driver))
    assert shown_messages(driver)[0] == ["user", message]
    assert driver.find_element(By.ID, "message").get_attribute("value") == ""


def test_send_is_disabled_while_streaming_and_stop_aborts_the_stream(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    gateway.inject(hangAfterChunks=3, hangMs=20000)  # three pieces, then 20 s of silence
    send(driver, "please stop me")
    wait(driver).until(lambda d: last_assistant(d)[0] and d.find_element(By.ID, "stop").is_displayed())
    assert not driver.find_element(By.ID, "send").is_enabled()

    driver.find_element(By.ID, "stop").click()
    # Idle again long before the mock's silence ends: the request really was aborted.
    wait(driver, 5).until(lambda d: d.find_element(By.ID, "send").is_enabled())
    assert not driver.find_element(By.ID, "stop").is_displayed()
    reply = driver.find_elements(By.CSS_SELECTOR, "#messages .message.assistant")[-1]
    assert reply.find_element(By.CSS_SELECTOR, ".content").text, "the partial answer stays"
    assert reply.find_element(By.CSS_SELECTOR, ".note").get_attribute("data-i18n") == "stopped"
    assert not error_banner(driver).is_displayed()


def test_history_survives_a_reload(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    send(driver, "remember this exchange")
    wait_for_answer(driver)
    before = shown_messages(driver)
    assert len(before) == 2

    driver.refresh()
    wait_until_ready(driver)
    wait(driver).until(lambda d: len(shown_messages(d)) == 2)
    assert shown_messages(driver) == before


def test_clear_history_empties_the_conversation(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    send(driver, "forget me soon")
    wait_for_answer(driver)
    user = user_id(driver)
    assert len(stored_conversation(gateway, user)) == 2

    driver.find_element(By.ID, "clear").click()
    wait(driver).until(lambda d: shown_messages(d) == [])
    assert stored_conversation(gateway, user) == [], "the gateway forgot it too"
    assert driver.find_element(By.ID, "empty").is_displayed()

    driver.refresh()
    wait_until_ready(driver)
    assert shown_messages(driver) == []


# --- Models ------------------------------------------------------------------------------------


def test_model_picker_lists_the_gateways_models(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    status, _, body = call(gateway, "GET", "/api/models")
    assert status == 200
    options = model_options(driver)
    assert options[0] == "", "the first choice leaves the model to the gateway"
    assert options[1:] == body["models"]


def test_the_chosen_model_is_sent_and_remembered(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    chosen = model_options(driver)[-1]
    Select(driver.find_element(By.ID, "model")).select_by_value(chosen)
    send(driver, "which model is this")
    wait_for_answer(driver)
    assert gateway.last_upstream_body()["model"] == chosen

    driver.refresh()
    wait_until_ready(driver)
    assert Select(driver.find_element(By.ID, "model")).first_selected_option.get_attribute("value") == chosen


# --- Client keys -------------------------------------------------------------------------------


def test_key_field_is_hidden_when_keys_are_not_required(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    assert not driver.find_element(By.ID, "api-key").is_displayed()
    assert not error_banner(driver).is_displayed()


def test_key_field_appears_when_keys_are_required_and_the_key_unlocks_chat(keyed_gateway, browser):
    driver = browser()
    open_page(driver, keyed_gateway)
    key_field = driver.find_element(By.ID, "api-key")
    assert key_field.is_displayed()
    assert wait_for_error(driver).get_attribute("data-code") == "unauthorized"
    assert model_options(driver) == [""], "nothing is listed without a key"

    key_field.send_keys(CLIENT_KEY, Keys.ENTER)
    wait(driver).until(lambda d: len(model_options(d)) > 1)
    assert not key_field.is_displayed()
    assert not error_banner(driver).is_displayed()
    _, _, body = call(keyed_gateway, "GET", "/api/models", headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert model_options(driver)[1:] == body["models"]

    send(driver, "hello with a key")
    wait_for_answer(driver)
    assert shown_messages(driver) == stored_conversation(keyed_gateway, user_id(driver), key=CLIENT_KEY)

    driver.refresh()  # the key is remembered
    wait_until_ready(driver)
    assert not driver.find_element(By.ID, "api-key").is_displayed()
    assert len(shown_messages(driver)) == 2


# --- Errors ------------------------------------------------------------------------------------


def test_upstream_error_is_shown_clearly(gateway, browser):
    # What the gateway says when the provider fails (it retries once, so fail twice).
    gateway.inject(status=503, times=2)
    status, _, expected = call(gateway, "POST", "/api/chat/stream", {"message": "direct"})
    assert status == 502 and expected["code"] == "upstream_unavailable"
    gateway.clear_faults()

    driver = browser()
    open_page(driver, gateway)
    gateway.inject(status=503, times=2)
    send(driver, "this will fail upstream")
    banner = wait_for_error(driver)
    assert banner.get_attribute("data-code") == expected["code"]
    assert expected["error"] in banner.text
    assert driver.find_element(By.ID, "error-title").text, "the page says what kind of failure it is"
    # Nothing was answered: the exchange is not shown and the text is back, ready to retry.
    assert shown_messages(driver) == []
    assert driver.find_element(By.ID, "message").get_attribute("value") == "this will fail upstream"
    assert driver.find_element(By.ID, "send").is_enabled()


def test_rate_limit_is_shown_clearly(browser):
    # The page's history read on load counts against the limit too: two allow one message.
    limited, processes = start_stack({"RATE_LIMIT_MAX": "2"})
    try:
        driver = browser()
        open_page(driver, limited)
        send(driver, "the one allowed message")
        wait_for_answer(driver)
        send(driver, "one too many")
        banner = wait_for_error(driver)
        assert banner.get_attribute("data-code") == "rate_limited"
        shown_seconds = int(banner.get_attribute("data-retry-after"))
        assert str(shown_seconds) in banner.text, "the wait is shown"

        status, headers, _ = call(limited, "POST", "/api/chat/stream", {"message": "direct"})
        assert status == 429
        assert abs(int(headers["Retry-After"]) - shown_seconds) <= 2
        assert driver.find_element(By.ID, "message").get_attribute("value") == "one too many"
    finally:
        stop(processes)


def test_network_failure_is_shown_clearly(browser):
    doomed, processes = start_stack({})
    try:
        driver = browser()
        open_page(driver, doomed)
        stop(processes)  # the gateway goes down under the open page
        send(driver, "is anybody there")
        banner = wait_for_error(driver)
        assert banner.get_attribute("data-code") == "network"
        assert driver.find_element(By.ID, "error-title").text
        assert driver.find_element(By.ID, "message").get_attribute("value") == "is anybody there"
    finally:
        stop(processes)


# --- Languages ---------------------------------------------------------------------------------


def test_chinese_is_used_when_the_browser_prefers_it(gateway, browser):
    driver = browser("zh-CN")
    open_page(driver, gateway)
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"
    assert driver.find_element(By.ID, "send").text == "发送"
    assert driver.find_element(By.ID, "lang").text == "English"


def test_chosen_language_is_remembered_and_server_errors_follow_it(keyed_gateway, browser):
    _, _, english = call(keyed_gateway, "GET", "/api/models", headers={"Accept-Language": "en"})
    _, _, chinese = call(keyed_gateway, "GET", "/api/models", headers={"Accept-Language": "zh-CN"})
    assert english["error"] != chinese["error"]

    driver = browser("en-US")
    open_page(driver, keyed_gateway)  # no key: the gateway answers 401
    assert wait_for_error(driver).find_element(By.ID, "error-detail").text == english["error"]
    assert driver.find_element(By.ID, "send").text == "Send"

    driver.find_element(By.ID, "lang").click()
    assert driver.find_element(By.ID, "send").text == "发送"
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"

    driver.refresh()
    wait_until_ready(driver)
    assert driver.find_element(By.ID, "send").text == "发送", "the choice is remembered"
    assert wait_for_error(driver).find_element(By.ID, "error-detail").text == chinese["error"]


# --- Markdown and escaping ---------------------------------------------------------------------


def test_markdown_is_rendered_and_html_is_escaped(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    hostile = "<img src=x onerror=window.__xss=1>"
    message = "\n".join(
        [
            "intro",
            "## Heading from the page",
            "",
            "- first item",
            "- second item",
            "",
            "1. one",
            "2. two",
            "",
            "```",
            "<b>inside code</b>",
            "```",
            "",
            f"**strong words** and *leaning words* and `x < y` and [a link](https://example.com/docs)"
            f" and [bad link](javascript:window.__xss=2) and {hostile}",
        ]
    )
    send(driver, message)
    wait_for_answer(driver)

    user, reply = driver.find_elements(By.CSS_SELECTOR, "#messages .message .content")
    # The user's text is shown as typed (newlines from Shift+Enter included), as text.
    assert user.get_attribute("textContent") == message
    assert user.find_elements(By.XPATH, "./*") == []

    # The mock's answer echoes the message: the page renders its Markdown.
    assert reply.find_element(By.TAG_NAME, "h2").text == "Heading from the page"
    assert [li.text for li in reply.find_elements(By.CSS_SELECTOR, "ul > li")] == ["first item", "second item"]
    assert [li.text for li in reply.find_elements(By.CSS_SELECTOR, "ol > li")] == ["one", "two"]
    assert reply.find_element(By.CSS_SELECTOR, "pre code").get_attribute("textContent") == "<b>inside code</b>"
    assert reply.find_element(By.TAG_NAME, "strong").text == "strong words"
    assert reply.find_element(By.TAG_NAME, "em").text == "leaning words"
    assert reply.find_element(By.CSS_SELECTOR, "p code").text == "x < y"
    links = reply.find_elements(By.TAG_NAME, "a")
    assert [(a.get_attribute("href"), a.text) for a in links] == [("https://example.com/docs", "a link")]
    assert links[0].get_attribute("target") == "_blank"
    assert set(links[0].get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    # Everything else stays text.
    assert "[bad link](javascript:window.__xss=2)" in reply.text
    assert hostile in reply.text
    assert reply.find_elements(By.TAG_NAME, "b") == []
    assert driver.find_elements(By.CSS_SELECTOR, "#messages img") == []
    assert driver.execute_script("return window.__xss === undefined")


def test_markdown_renderer_never_emits_unsafe_markup(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    hostile_inputs = [
        "<script>window.__xss = 1</script>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        '[x](https://a.example/"onmouseover="alert(1))',
        "[x](https://a.example/'onmouseover='alert(1))",
        "https://a.example/<img src=x onerror=alert(1)>",
        '```"><img src=x onerror=alert(1)>\ncode\n```',
        "`<img src=x onerror=alert(1)>`",
        "**<img src=x onerror=alert(1)>**",
        "# <svg onload=alert(1)>",
        "> <iframe src=javascript:alert(1)>",
        "- <style>body { display: none }</style>",
        "\u0000 0 \u00000\u0000 [x](https://a.example/\u00001\u0000)",
        ">" * 2000 + " deep",
        "- " * 500 + "deep",
    ]
    problems = driver.execute_script(
        """
        const allowedTags = new Set(['P','BR','STRONG','EM','DEL','CODE','PRE','A','H1','H2','H3','H4','H5','H6',
                                     'UL','OL','LI','BLOCKQUOTE','HR']);
        const problems = [];
        for (const input of arguments[0]) {
          const template = document.createElement('template');  // parses without running or loading anything
          template.innerHTML = window.TaoGateMarkdown.render(input);
          for (const element of template.content.querySelectorAll('*')) {
            if (!allowedTags.has(element.tagName)) problems.push([input, element.tagName]);
            for (const attribute of element.attributes) {
              const ok = (attribute.name === 'href' && /^https?:\\/\\//i.test(attribute.value))
                || (attribute.name === 'target' && attribute.value === '_blank')
                || (attribute.name === 'rel' && attribute.value === 'noopener noreferrer')
                || (attribute.name === 'start' && /^\\d+$/.test(attribute.value))
                || (attribute.name === 'class' && /^language-[\\w+#.-]+$/.test(attribute.value));
              if (!ok) problems.push([input, element.tagName, attribute.name, attribute.value]);
            }
          }
        }
        return problems;
        """,
        hostile_inputs,
    )
    assert problems == []
    assert driver.execute_script("return window.__xss === undefined")
    # Escaped, not dropped: the text survives as text.
    rendered_text = driver.execute_script(
        "const t = document.createElement('template');"
        "t.innerHTML = window.TaoGateMarkdown.render(arguments[0]); return t.content.textContent;",
        "<b>x</b> & <i>y</i>",
    )
    assert rendered_text == "<b>x</b> & <i>y</i>"


def test_event_stream_parser_handles_split_joined_and_crlf_events(gateway, browser):
    driver = browser()
    open_page(driver, gateway)
    pieces = [
        'data: {"content":"a"}\r',  # CRLF split between two reads
        '\n\r\n: a comment\n\ndata: {"con',  # an event split mid-line
        'tent":"b"}\n\ndata: {"content":"c"}\n\ndata: {"content":"d"}\r\r',  # two in one read, CR only
        "event: error\r\ndata: line one\r",  # CRLF split inside an event of two data lines
        "\ndata: line two\r\n\r\n",
        "data: [DONE]\n\ndata: cut off",  # the last one never ends
    ]
    events = driver.execute_script(
        "const events = [];"
        "const parser = window.TaoGateSSE.createParser(e => events.push([e.event, e.data]));"
        "for (const piece of arguments[0]) parser.push(piece);"
        "parser.end(); return events;",
        pieces,
    )
    assert events == [
        ["message", '{"content":"a"}'],
        ["message", '{"content":"b"}'],
        ["message", '{"content":"c"}'],
        ["message", '{"content":"d"}'],
        ["error", "line one\nline two"],
        ["message", "[DONE]"],
    ]
