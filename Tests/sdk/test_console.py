"""The operator console at `/admin/` in a real browser (headless Chromium) against a live TaoGate
and MockUpstream: what an operator using the page sees.

Every check compares what the page shows with what the admin API itself answers (GET
/admin/keys, /admin/usage, /admin/requests, /admin/providers, /admin/pricing, its error bodies),
never with hard-coded numbers. Chart bars carry `data-label` (the API's group) and `data-value`."""

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from conftest import CLIENT_KEY, skip_or_fail, start_stack, stop

try:
    import selenium  # noqa: F401
except ImportError:
    skip_or_fail("selenium is not installed: pip install -r Tests/sdk/requirements.txt")

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    skip_or_fail(f"the console tests need {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)")

ADMIN_KEY = "tg-console-admin-key-0123456789"
CONSOLE_ENVIRONMENT = {"TAOGATE_ADMIN_KEY": ADMIN_KEY, "TAOGATE_API_KEYS": CLIENT_KEY}
# gpt-4o is priced in CNY (the shared table), qwen-* in USD (the mock provider's own); the other
# models have no price, so their calls are unpriced.
SHARED_PRICING = {"currency": "CNY", "models": {"gpt-4o": {"input": 2.5, "output": 10, "cached_input": 1.25}}}
PROVIDER_PRICING = {"currency": "USD", "models": {"qwen-*": {"input": 0.4, "output": 1.2}}}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


# --- Gateways ----------------------------------------------------------------------------------


def start_console_stack(extra_environment: dict | None = None):
    return start_stack(
        {**CONSOLE_ENVIRONMENT, **(extra_environment or {})}, pricing=SHARED_PRICING, provider_pricing=PROVIDER_PRICING
    )


@pytest.fixture(scope="module")
def gateway():
    """A gateway with the admin API, prices and a SQLite database (in its work folder)."""
    running, processes = start_console_stack()
    try:
        yield running
    finally:
        stop(processes)


@pytest.fixture
def fresh_gateway():
    """A gateway of its own, on an empty database."""
    running, processes = start_console_stack()
    try:
        yield running
    finally:
        stop(processes)


def database_file(stack) -> Path:
    """The gateway's SQLite file (the default DATABASE_URL, sqlite:./data/taogate.sqlite)."""
    path = Path(stack.workdir) / "data" / "taogate.sqlite"
    assert path.exists(), stack.gateway_log()
    return path


def psql(server: str, command: str) -> None:
    subprocess.run(
        ["psql", server, "-v", "ON_ERROR_STOP=1", "-q", "-c", command],
        check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
    )


# --- Browser and page helpers ------------------------------------------------------------------


@pytest.fixture
def browser():
    """Launches headless Chromium (a fresh profile, so fresh session and local storage) in a
    given language, downloading into a folder of its own (`driver.download_dir`)."""
    drivers = []

    def launch(language: str = "en-US"):
        options = Options()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            f"--lang={language}",
        ):
            options.add_argument(argument)
        download_dir = tempfile.mkdtemp(prefix="taogate-console-downloads-")
        options.add_experimental_option(
            "prefs",
            {"intl.accept_languages": language, "download.default_directory": download_dir, "download.prompt_for_download": False},
        )
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # Chromium's own temporary files (its profile's singleton socket folder) go to a folder
        # removed after the test, not to /tmp, where they would stay.
        temp_dir = tempfile.mkdtemp(prefix="taogate-chromium-")
        service = Service(CHROMEDRIVER, env={**os.environ, "TMPDIR": temp_dir})
        driver = webdriver.Chrome(service=service, options=options)
        driver.temp_dir = temp_dir
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
        driver.download_dir = download_dir
        drivers.append(driver)
        return driver

    yield launch
    for driver in drivers:
        driver.quit()
        shutil.rmtree(driver.download_dir, ignore_errors=True)
        shutil.rmtree(driver.temp_dir, ignore_errors=True)


def wait(driver, seconds: float = 10):
    return WebDriverWait(driver, seconds, poll_frequency=0.05)


def by_id(driver, name: str):
    return driver.find_element(By.ID, name)


def open_console(driver, stack, tab: str = "") -> None:
    driver.get(stack.gateway + "/admin/" + (f"#{tab}" if tab else ""))
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.state") in ("signed-out", "signed-in"))


def panel_loads(driver, panel: str) -> int:
    return int(by_id(driver, f"panel-{panel}").get_attribute("data-loads"))


def wait_loaded(driver, panel: str, after: int, seconds: float = 10) -> str:
    """Waits until `panel` has finished a load after its `after`-th; returns its data-state."""
    section = by_id(driver, f"panel-{panel}")
    wait(driver, seconds).until(
        lambda d: int(section.get_attribute("data-loads")) > after and section.get_attribute("data-state") != "loading"
    )
    return section.get_attribute("data-state")


def reloads(driver, panel: str, action, seconds: float = 10) -> str:
    """Does `action` and waits for the load of `panel` it causes; returns the panel's state."""
    before = panel_loads(driver, panel)
    action()
    return wait_loaded(driver, panel, before, seconds)


def sign_in(driver, stack, key: str = ADMIN_KEY, tab: str = "keys") -> None:
    """Opens the console on `tab`, signs in with `key` and waits for the tab's first load."""
    open_console(driver, stack, tab)
    by_id(driver, "admin-key").send_keys(key, Keys.ENTER)
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.state") == "signed-in")
    assert wait_loaded(driver, tab, 0) == "ready", banner_text(driver)


def open_tab(driver, tab: str) -> str:
    return reloads(driver, tab, lambda: by_id(driver, f"tab-{tab}").click())


def banner_text(driver) -> str:
    banner = by_id(driver, "banner")
    return banner.text if banner.is_displayed() else ""


def key_row(driver, key_id: str):
    return driver.find_element(By.CSS_SELECTOR, f'#keys-body tr[data-key-id="{key_id}"]')


def shown_key_ids(driver) -> list:
    return driver.execute_script("return [...document.querySelectorAll('#keys-body tr')].map(r => r.dataset.keyId)")


def bars(driver, chart: str, currency: str | None = None) -> list:
    """(label, value, others) of each bar of a usage chart, in the order drawn."""
    selector = f'#usage-charts figure[data-chart="{chart}"]' + (f'[data-currency="{currency}"]' if currency else "")
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' rect.bar')]"
        ".map(b => [b.dataset.label, Number(b.dataset.value), b.dataset.others ? Number(b.dataset.others) : null]);",
        selector,
    )


def chart_currencies(driver) -> list:
    return driver.execute_script(
        "return [...document.querySelectorAll('#usage-charts figure[data-chart=cost]')].map(f => f.dataset.currency)"
    )


def shown_total(driver, name: str) -> float:
    return float(driver.find_element(By.CSS_SELECTOR, f'#usage-summary [data-total="{name}"]').get_attribute("data-value"))


def select_grouping(driver, grouping: str) -> None:
    state = reloads(driver, "usage", lambda: driver.find_element(By.CSS_SELECTOR, f'#usage-group [data-group="{grouping}"]').click())
    assert state == "ready", banner_text(driver)


def session_and_local_storage(driver) -> tuple:
    return driver.execute_script(
        "const all = s => Object.fromEntries([...Array(s.length).keys()].map(i => [s.key(i), s.getItem(s.key(i))]));"
        "return [all(sessionStorage), all(localStorage)];"
    )


def severe_browser_messages(driver) -> list:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


# --- Gateway helpers ---------------------------------------------------------------------------


def call(stack, method: str, path: str, body=None, headers=None, raw: bool = False):
    """(status, headers, body) of a direct call: the body parsed as JSON unless `raw`."""
    request = urllib.request.Request(
        stack.gateway + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            data = response.read()
            return response.status, response.headers, data.decode() if raw else json.loads(data or b"null")
    except urllib.error.HTTPError as error:
        data = error.read()
        return error.code, error.headers, data.decode() if raw else json.loads(data or b"null")


def admin(stack, method: str, path: str, body=None, headers=None):
    status, _, answer = call(stack, method, path, body, {"Authorization": f"Bearer {ADMIN_KEY}", **(headers or {})})
    return status, answer


def admin_ok(stack, method: str, path: str, body=None):
    status, answer = admin(stack, method, path, body)
    assert status in (200, 201), (status, answer)
    return answer


def create_key(stack, name: str, **fields) -> tuple:
    """(key, secret) of a new key made through the API."""
    answer = admin_ok(stack, "POST", "/admin/keys", {"name": name, **fields})
    return answer["key"], answer["secret"]


def chat(stack, key: str, model: str = "gpt-4o", text: str = "hello") -> int:
    status, _, _ = call(
        stack, "POST", "/v1/chat/completions",
        {"model": model, "messages": [{"role": "user", "content": text}]},
        {"Authorization": f"Bearer {key}"},
    )
    return status


def usage_requests(stack, query: str = "") -> int:
    return admin_ok(stack, "GET", "/admin/usage" + query)["total"]["requests"]


def wait_for_usage(stack, at_least: int, query: str = "", seconds: float = 10) -> None:
    """Usage rows are written in batches: waits until the API counts `at_least` requests."""
    deadline = time.monotonic() + seconds
    while usage_requests(stack, query) < at_least:
        assert time.monotonic() < deadline, f"the usage log did not reach {at_least} requests"
        time.sleep(0.1)


def page_usage(stack, driver, grouping: str, **filters) -> dict:
    """The API's usage for the range the page has just shown (its data-from and data-to)."""
    panel = by_id(driver, "panel-usage")
    query = {"from": panel.get_attribute("data-from"), "to": panel.get_attribute("data-to"), "group_by": grouping}
    query.update({name: value for name, value in filters.items() if value})
    return admin_ok(stack, "GET", "/admin/usage?" + urlencode(query))


def utc_days(first: str, last: str) -> int:
    """How many calendar days (UTC) the range from `first` to `last` touches."""
    start = datetime.fromisoformat(first.replace("Z", "+00:00")).date()
    end = (datetime.fromisoformat(last.replace("Z", "+00:00")) - timedelta(microseconds=1)).date()
    return (end - start).days + 1


def assert_series_match(shown: list, expected: dict, time_based: bool) -> None:
    """The bars of one chart against the API's value per group."""
    total = sum(expected.values())
    assert sum(value for _, value, _ in shown) == pytest.approx(total, rel=1e-9, abs=1e-12)
    if time_based:
        labels = [label for label, _, _ in shown]
        assert labels == sorted(set(labels)), "one bar per bucket, in time order"
        values = {label: value for label, value, _ in shown}
        for group, value in expected.items():
            assert values.get(group) == pytest.approx(value, rel=1e-9, abs=1e-12), group
        assert all(values[label] == 0 for label in labels if label not in expected), "the buckets without usage are 0"
        return
    named = {label: value for label, value, others in shown if others is None}
    for group, value in named.items():
        assert value == pytest.approx(expected[group], rel=1e-9, abs=1e-12), group
    rest = [(others, value) for _, value, others in shown if others is not None]
    if rest:
        (count, value), = rest
        missing = set(expected) - set(named)
        assert count == len(missing)
        assert value == pytest.approx(sum(expected[group] for group in missing), rel=1e-9, abs=1e-12)
        assert min(named.values()) >= max(expected[group] for group in missing), "the biggest groups get bars"
    else:
        assert set(named) == set(expected)


def assert_charts_match_api(driver, stack, grouping: str, **filters) -> dict:
    """Every chart, the summary and the table of the usage panel against the API's totals for
    the same range, grouping and filters; returns the API's answer."""
    answer = page_usage(stack, driver, grouping, **filters)
    assert by_id(driver, "panel-usage").get_attribute("data-grouping") == grouping
    time_based = grouping in ("day", "hour")
    tokens = {entry["group"]: entry["prompt_tokens"] + entry["completion_tokens"] for entry in answer["totals"]}
    assert_series_match(bars(driver, "tokens"), tokens, time_based)
    currencies = sorted(answer["total"]["cost"])
    assert chart_currencies(driver) == currencies
    for currency in currencies:
        # Per day or hour every bucket (0 without a cost); per model or key the groups priced in it.
        costs = {entry["group"]: entry["cost"][currency] for entry in answer["totals"] if currency in entry["cost"]}
        assert_series_match(bars(driver, "cost", currency), costs, time_based)
        assert shown_total(driver, f"cost:{currency}") == pytest.approx(answer["total"]["cost"][currency])
    total = answer["total"]
    assert shown_total(driver, "requests") == total["requests"]
    assert shown_total(driver, "tokens") == total["prompt_tokens"] + total["completion_tokens"]
    assert shown_total(driver, "unpriced_requests") == total["unpriced_requests"]
    shown_groups = driver.execute_script("return [...document.querySelectorAll('#usage-body tr')].map(r => r.dataset.group)")
    assert sorted(shown_groups) == sorted(tokens)
    if grouping == "day":
        assert len(bars(driver, "tokens")) == utc_days(answer["from"], answer["to"]), "every day of the range has a bar"
    return answer


# --- The page itself ---------------------------------------------------------------------------


def test_the_console_is_served_with_a_strict_policy_and_runs_without_console_errors(gateway, browser):
    for path, kind in (("/admin/", "text/html"), ("/admin", "text/html"), ("/admin/console.js", "text/javascript"), ("/admin/console.css", "text/css")):
        status, headers, body = call(gateway, "GET", path, raw=True)
        assert status == 200, (path, status)
        assert headers["Content-Type"].startswith(kind), path
        if kind == "text/html":  # the policy of the document governs its scripts and styles
            assert headers["Content-Security-Policy"] == CSP, path
        assert body
    _, _, page = call(gateway, "GET", "/admin/", raw=True)
    assert "<script>" not in page and not re.search(r"\son[a-z]+\s*=", page), "no inline scripts or handlers"

    driver = browser()
    sign_in(driver, gateway)
    for tab in ("usage", "requests", "providers", "pricing", "keys"):
        assert open_tab(driver, tab) == "ready", banner_text(driver)
    by_id(driver, "keys-new").click()
    assert by_id(driver, "key-form").is_displayed()
    assert severe_browser_messages(driver) == []


# --- Signing in and out ------------------------------------------------------------------------


def test_a_wrong_admin_key_shows_an_error_and_no_data(gateway, browser):
    status, _, refused = call(gateway, "GET", "/admin/keys", headers={"Authorization": "Bearer not-the-admin-key", "Accept-Language": "en"})
    assert status == 401

    driver = browser()
    open_console(driver, gateway)
    assert by_id(driver, "signin").is_displayed()
    by_id(driver, "admin-key").send_keys("not-the-admin-key", Keys.ENTER)
    error = by_id(driver, "signin-error")
    wait(driver).until(lambda d: error.is_displayed())
    assert error.get_attribute("data-code") == refused["code"]
    assert refused["error"] in error.text
    assert driver.execute_script("return document.body.dataset.state") == "signed-out"
    assert not by_id(driver, "console").is_displayed()
    assert not by_id(driver, "tabs").is_displayed()
    assert shown_key_ids(driver) == []
    session, local = session_and_local_storage(driver)
    assert session == {} and "not-the-admin-key" not in json.dumps(local)


def test_the_right_key_opens_the_console_and_lives_in_session_storage_until_sign_out(gateway, browser):
    driver = browser()
    sign_in(driver, gateway)
    assert by_id(driver, "console").is_displayed()
    assert not by_id(driver, "signin").is_displayed()
    assert shown_key_ids(driver) == [key["id"] for key in admin_ok(gateway, "GET", "/admin/keys")["keys"]]
    session, local = session_and_local_storage(driver)
    assert ADMIN_KEY in session.values()
    assert ADMIN_KEY not in json.dumps(local), "never in localStorage"

    driver.refresh()  # the same tab keeps it
    assert wait_loaded(driver, "keys", 0) == "ready"
    assert by_id(driver, "console").is_displayed()

    by_id(driver, "sign-out").click()
    wait(driver).until(lambda d: by_id(d, "signin").is_displayed())
    assert not by_id(driver, "console").is_displayed()
    assert shown_key_ids(driver) == [], "what was shown with the key is gone"
    session, local = session_and_local_storage(driver)
    assert ADMIN_KEY not in json.dumps(session) + json.dumps(local)
    driver.refresh()
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.state") == "signed-out")
    assert by_id(driver, "signin").is_displayed()


def test_a_key_that_stops_working_returns_to_the_sign_in_form(gateway, browser):
    driver = browser()
    sign_in(driver, gateway)
    # As if the gateway's admin key had changed since: the next call is refused.
    driver.execute_script("sessionStorage.setItem(Object.keys(sessionStorage)[0], 'an-admin-key-changed-since')")
    driver.refresh()
    error = by_id(driver, "signin-error")
    wait(driver).until(lambda d: error.is_displayed())
    assert error.get_attribute("data-code") == "unauthorized"
    assert not by_id(driver, "console").is_displayed()
    assert session_and_local_storage(driver)[0] == {}


# --- Keys --------------------------------------------------------------------------------------


def test_a_created_key_shows_its_secret_once_and_the_secret_works(gateway, browser):
    driver = browser()
    sign_in(driver, gateway)
    driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": gateway.gateway, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    name = "console-created-" + uuid.uuid4().hex[:6]
    by_id(driver, "keys-new").click()
    by_id(driver, "kf-name").send_keys(name)
    by_id(driver, "kf-owner").send_keys("team console")
    by_id(driver, "kf-note").send_keys("made by the browser test")
    reloads(driver, "keys", lambda: by_id(driver, "kf-submit").click())

    panel = by_id(driver, "secret-panel")
    assert panel.is_displayed()
    secret = by_id(driver, "secret-value").text
    by_id(driver, "secret-copy").click()
    wait(driver).until(lambda d: by_id(d, "secret-copy").get_attribute("data-copied") is not None)
    assert by_id(driver, "secret-copy").get_attribute("data-copied") == "true"
    copied = driver.execute_async_script("navigator.clipboard.readText().then(arguments[0], e => arguments[0]('failed: ' + e))")
    assert copied == secret

    listed = [key for key in admin_ok(gateway, "GET", "/admin/keys")["keys"] if key["name"] == name]
    assert len(listed) == 1
    key = listed[0]
    assert panel.get_attribute("data-key-id") == key["id"]
    assert (key["owner"], key["note"], key["status"]) == ("team console", "made by the browser test", "active")
    assert secret.startswith(key["prefix"])
    assert key_row(driver, key["id"]).get_attribute("data-status") == "active"
    assert chat(gateway, copied) == 200, "the copied secret is the key"
    assert secret not in json.dumps(admin_ok(gateway, "GET", "/admin/keys")), "the API never shows it again"

    driver.refresh()
    wait_loaded(driver, "keys", 0)
    assert not by_id(driver, "secret-panel").is_displayed()
    assert secret not in driver.page_source
    assert key_row(driver, key["id"])


def test_editing_a_key_changes_what_the_api_reports_and_validation_errors_are_shown(gateway, browser):
    key, _ = create_key(gateway, "console-edited-" + uuid.uuid4().hex[:6])
    driver = browser()
    sign_in(driver, gateway)

    def edit():
        key_row(driver, key["id"]).find_element(By.CSS_SELECTOR, '[data-action="edit"]').click()
        assert by_id(driver, "key-form").get_attribute("data-mode") == "edit"

    def set_field(name: str, value: str):
        field = by_id(driver, name)
        field.clear()
        if value:
            field.send_keys(value)

    def add_budget(period: str, unit: str, amount: str):
        by_id(driver, "kf-add-budget").click()
        row = driver.find_elements(By.CSS_SELECTOR, "#kf-budget-rows .budget-row")[-1]
        Select(row.find_element(By.CLASS_NAME, "budget-period")).select_by_value(period)
        Select(row.find_element(By.CLASS_NAME, "budget-unit")).select_by_value(unit)
        row.find_element(By.CLASS_NAME, "budget-amount").send_keys(amount)

    def save():
        assert reloads(driver, "keys", lambda: by_id(driver, "kf-submit").click()) == "ready"
        assert not by_id(driver, "key-form").is_displayed()

    edit()
    set_field("kf-owner", "ops")
    set_field("kf-rate-limit", "7")
    set_field("kf-max-concurrent", "2")
    set_field("kf-models", "gpt-4o\nqwen-*")
    set_field("kf-expires", "2031-01-01T00:00:00Z")
    add_budget("daily", "tokens", "5000")
    add_budget("monthly", "CNY", "3.5")
    save()
    stored = admin_ok(gateway, "GET", f"/admin/keys/{key['id']}")["key"]
    assert stored["owner"] == "ops"
    assert (stored["rate_limit"], stored["max_concurrent"]) == (7, 2)
    assert stored["allowed_models"] == ["gpt-4o", "qwen-*"]
    assert datetime.fromisoformat(stored["expires_at"].replace("Z", "+00:00")) == datetime(2031, 1, 1, tzinfo=timezone.utc)
    assert stored["budgets"] == [{"period": "daily", "tokens": 5000}, {"period": "monthly", "amount": 3.5, "currency": "CNY"}]
    row = key_row(driver, key["id"])
    assert row.find_element(By.CSS_SELECTOR, '[data-field="models"]').text == "gpt-4o, qwen-*"
    assert len(row.find_elements(By.CSS_SELECTOR, '[data-field="budgets"] div')) == 2

    # The form shows each budget's use, as the API reports it.
    edit()
    wait(driver).until(lambda d: by_id(d, "kf-usage").is_displayed())
    shown_usage = driver.execute_script(
        "return [...document.querySelectorAll('#kf-usage-list li')].map(li => [li.dataset.period, Number(li.dataset.used), Number(li.dataset.remaining)])"
    )
    assert shown_usage == [[entry["period"], entry["used"], entry["remaining"]] for entry in stored["budget_usage"]]

    # Clearing fields clears them; what is left alone stays.
    set_field("kf-max-concurrent", "")
    set_field("kf-models", "")
    driver.find_elements(By.CSS_SELECTOR, "#kf-budget-rows .budget-remove")[0].click()
    save()
    stored = admin_ok(gateway, "GET", f"/admin/keys/{key['id']}")["key"]
    assert (stored["rate_limit"], stored["max_concurrent"], stored["allowed_models"]) == (7, None, None)
    assert stored["budgets"] == [{"period": "monthly", "amount": 3.5, "currency": "CNY"}]
    assert stored["owner"] == "ops" and stored["expires_at"] is not None

    # A model pattern the gateway refuses: its message is shown next to the form.
    status, refused = admin(gateway, "PATCH", f"/admin/keys/{key['id']}", {"allowed_models": ["a*b"]})
    assert status == 400
    edit()
    set_field("kf-models", "a*b")
    by_id(driver, "kf-submit").click()
    error = by_id(driver, "kf-error")
    wait(driver).until(lambda d: error.is_displayed())
    assert error.text == refused["error"]
    assert error.get_attribute("data-code") == refused["code"]
    assert by_id(driver, "key-form").is_displayed(), "the form stays, to be corrected"
    assert by_id(driver, "kf-models").get_attribute("aria-invalid") == "true"
    assert not by_id(driver, "banner").is_displayed()
    assert admin_ok(gateway, "GET", f"/admin/keys/{key['id']}")["key"]["allowed_models"] is None


def test_revoking_a_key_needs_a_confirmation_and_then_the_key_is_refused(gateway, browser):
    key, secret = create_key(gateway, "console-revoked-" + uuid.uuid4().hex[:6])
    assert chat(gateway, secret) == 200
    driver = browser()
    sign_in(driver, gateway)
    dialog = by_id(driver, "confirm")

    key_row(driver, key["id"]).find_element(By.CSS_SELECTOR, '[data-action="revoke"]').click()
    assert dialog.is_displayed()
    assert key["name"] in by_id(driver, "confirm-text").text
    by_id(driver, "confirm-cancel").click()
    assert not dialog.is_displayed()
    assert admin_ok(gateway, "GET", f"/admin/keys/{key['id']}")["key"]["status"] == "active", "nothing happens without the confirmation"
    assert chat(gateway, secret) == 200

    key_row(driver, key["id"]).find_element(By.CSS_SELECTOR, '[data-action="revoke"]').click()
    assert reloads(driver, "keys", lambda: by_id(driver, "confirm-ok").click()) == "ready"
    stored = admin_ok(gateway, "GET", f"/admin/keys/{key['id']}")["key"]
    assert stored["status"] == "revoked" and stored["revoked_at"]
    row = key_row(driver, key["id"])
    assert row.get_attribute("data-status") == "revoked"
    assert row.find_elements(By.CSS_SELECTOR, "[data-action]") == [], "a revoked key has nothing left to do"
    assert chat(gateway, secret) == 401


# --- Usage charts ------------------------------------------------------------------------------


def test_usage_charts_per_day_model_and_key_match_the_api(gateway, browser):
    first, first_secret = create_key(gateway, "charts-first-" + uuid.uuid4().hex[:6])
    second, second_secret = create_key(gateway, "charts-second-" + uuid.uuid4().hex[:6])
    calls = [
        (first_secret, "gpt-4o", "one"),
        (first_secret, "gpt-4o", "two words here"),
        (first_secret, "qwen-plus", "three"),
        (first_secret, "deepseek-v3", "unpriced, so counted apart"),
        (second_secret, "gpt-4o", "four"),
        (second_secret, "qwen-plus", "five five"),
        (second_secret, "qwen-plus", "six six six six"),
    ]
    for secret, model, text in calls:
        assert chat(gateway, secret, model, text) == 200
    # Counted per key: rows of earlier tests still in a batch could make a total count arrive
    # before these calls' rows.
    wait_for_usage(gateway, 4, query=f"?key={first['id']}")
    wait_for_usage(gateway, 3, query=f"?key={second['id']}")

    driver = browser()
    sign_in(driver, gateway, tab="usage")
    per_day = assert_charts_match_api(driver, gateway, "day")
    assert set(per_day["total"]["cost"]) == {"CNY", "USD"}, "both priced currencies are charted"
    assert per_day["total"]["unpriced_requests"] >= 1
    assert by_id(driver, "usage-unpriced").is_displayed()
    assert not by_id(driver, "usage-empty").is_displayed()

    select_grouping(driver, "model")
    per_model = assert_charts_match_api(driver, gateway, "model")
    assert {"gpt-4o", "qwen-plus", "deepseek-v3"} <= {entry["group"] for entry in per_model["totals"]}

    select_grouping(driver, "key")
    per_key = assert_charts_match_api(driver, gateway, "key")
    assert {first["id"], second["id"]} <= {entry["group"] for entry in per_key["totals"]}
    # The bars of a key are named after it.
    names = driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#usage-body tr')].map(r => [r.dataset.group, r.cells[0].textContent]))"
    )
    assert (names[first["id"]], names[second["id"]]) == (first["name"], second["name"])

    # One key only: the charts follow the filter.
    assert reloads(driver, "usage", lambda: Select(by_id(driver, "usage-key")).select_by_value(first["id"])) == "ready"
    only_first = assert_charts_match_api(driver, gateway, "key", key=first["id"])
    assert [entry["group"] for entry in only_first["totals"]] == [first["id"]]

    select_grouping(driver, "hour")
    assert_charts_match_api(driver, gateway, "hour", key=first["id"])

    # The CSV is the API's, for what is shown.
    by_id(driver, "usage-csv").click()
    saved = Path(driver.download_dir) / "taogate-usage-hour.csv"
    wait(driver).until(lambda d: saved.exists() and saved.stat().st_size > 0)
    _, _, expected_csv = call(
        gateway, "GET", "/admin/usage?" + urlencode({"group_by": "hour", "key": first["id"], "from": by_id(driver, "panel-usage").get_attribute("data-from")}),
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Accept": "text/csv"}, raw=True,
    )
    assert saved.read_bytes().decode() == expected_csv
    assert expected_csv.startswith("hour,requests,")


def test_the_usage_charts_have_an_empty_state_on_an_empty_database(fresh_gateway, browser):
    assert usage_requests(fresh_gateway) == 0
    driver = browser()
    sign_in(driver, fresh_gateway, tab="usage")
    for grouping in ("day", "model", "key"):
        if grouping != "day":
            select_grouping(driver, grouping)
        empty = by_id(driver, "usage-empty")
        assert empty.is_displayed()
        assert empty.text == "No usage in this range."
        assert bars(driver, "tokens") == [] and chart_currencies(driver) == []
        answer = page_usage(fresh_gateway, driver, grouping)
        assert answer["totals"] == [] and shown_total(driver, "requests") == answer["total"]["requests"] == 0
        assert not by_id(driver, "usage-table").is_displayed()
    assert not by_id(driver, "banner").is_displayed()


def test_charts_stay_right_and_quick_with_100000_usage_rows(fresh_gateway, browser):
    """Rows written straight into the gateway's SQLite file: the page draws what the API
    aggregates, in bounded time, and never reads raw rows for its charts."""
    random_rows = random.Random(20261201)
    now = time.time()
    keys = [f"ck_bulk{index:05d}" for index in range(30)] + [None]  # more keys than bars, and anonymous calls
    models = ["gpt-4o", "qwen-plus", "deepseek-v3", "claude-sonnet-4-6"]
    rows = []
    for _ in range(100_000):
        model = random_rows.choice(models)
        prompt, completion = random_rows.randint(1, 4000), random_rows.randint(1, 2000)
        cost, currency = {
            "gpt-4o": (prompt * 2.5e-6 + completion * 10e-6, "CNY"),
            "qwen-plus": (prompt * 0.4e-6 + completion * 1.2e-6, "USD"),
        }.get(model, (None, None))
        rows.append((
            now - random_rows.uniform(60, 27 * 86400), random_rows.choice(keys), "mock", model,
            random_rows.choice([200] * 19 + [500]), prompt, completion, random_rows.randint(0, prompt // 2), 0,
            random_rows.randint(0, completion // 4), random_rows.uniform(5, 900), random_rows.randint(0, 1), 0,
            uuid.uuid4().hex[:16], random_rows.uniform(10, 5000), cost, currency,
        ))
    with sqlite3.connect(database_file(fresh_gateway), timeout=30) as database:
        database.executemany(
            "INSERT INTO usage_records (at, client_key, provider, model, status, prompt_tokens, completion_tokens,"
            " cache_read_tokens, cache_write_tokens, reasoning_tokens, latency_ms, streamed, cancelled, request_id,"
            " duration_ms, cost, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    assert usage_requests(fresh_gateway) == 100_000

    driver = browser()
    started = time.monotonic()
    sign_in(driver, fresh_gateway, tab="usage")
    assert time.monotonic() - started < 10, "the usage tab is shown in bounded time"
    per_day = assert_charts_match_api(driver, fresh_gateway, "day")
    assert per_day["total"]["requests"] == 100_000
    for grouping in ("model", "key", "hour"):
        started = time.monotonic()
        select_grouping(driver, grouping)
        assert time.monotonic() - started < 8, grouping
        assert_charts_match_api(driver, fresh_gateway, grouping)
        if grouping == "key":
            shown = bars(driver, "tokens")
            assert len(shown) <= 20 and shown[-1][2] is not None, "the smallest keys share one bar"
        if grouping == "hour":
            assert len(bars(driver, "tokens")) <= 31 * 24 + 1
    fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert not [url for url in fetched if "/admin/requests" in url], "no raw rows for the charts"
    assert [url for url in fetched if "/admin/usage" in url], fetched
    assert severe_browser_messages(driver) == []


# --- Recent requests ---------------------------------------------------------------------------


def shown_requests(driver) -> list:
    return driver.execute_script(
        "return [...document.querySelectorAll('#requests-body tr')].map(r => [Number(r.dataset.requestId), Number(r.dataset.status),"
        " r.querySelector('[data-field=model]').textContent, r.querySelector('[data-field=key]').dataset.value,"
        " r.querySelector('[data-field=prompt_tokens]').textContent])"
    )


def expected_requests(answer: dict) -> list:
    return [[row["id"], row["status"], row["model"] or "—", row["key"] or "", f"{row['prompt_tokens']:,}"] for row in answer["requests"]]


def test_recent_requests_match_the_api_and_page_with_older(gateway, browser):
    before = usage_requests(gateway)
    for index in range(12):
        assert chat(gateway, CLIENT_KEY, ["gpt-4o", "qwen-plus"][index % 2], "request number " + "x" * index) == 200
    gateway.inject(status=500, times=2)  # fails, and so does its one retry
    try:
        assert chat(gateway, CLIENT_KEY, "gpt-4o", "this one fails") == 502
    finally:
        gateway.clear_faults()
    wait_for_usage(gateway, before + 13)  # one row per request (its last attempt)

    driver = browser()
    sign_in(driver, gateway, tab="requests")
    assert reloads(driver, "requests", lambda: Select(by_id(driver, "requests-limit")).select_by_value("10")) == "ready"
    first_page = admin_ok(gateway, "GET", "/admin/requests?limit=10")
    assert shown_requests(driver) == expected_requests(first_page)
    assert first_page["next_before"] is not None and by_id(driver, "requests-older").is_enabled()
    assert not by_id(driver, "requests-newer").is_enabled()

    assert reloads(driver, "requests", lambda: by_id(driver, "requests-older").click()) == "ready"
    second_page = admin_ok(gateway, "GET", f"/admin/requests?limit=10&before={first_page['next_before']}")
    assert shown_requests(driver) == expected_requests(second_page)
    assert by_id(driver, "panel-requests").get_attribute("data-page") == "2"
    assert max(row[0] for row in shown_requests(driver)) < min(row["id"] for row in first_page["requests"]), "older rows"

    assert reloads(driver, "requests", lambda: by_id(driver, "requests-newer").click()) == "ready"
    assert shown_requests(driver) == expected_requests(first_page)

    assert reloads(driver, "requests", lambda: Select(by_id(driver, "requests-status")).select_by_value("error")) == "ready"
    failed = admin_ok(gateway, "GET", "/admin/requests?limit=10&status=error")
    assert failed["requests"] and shown_requests(driver) == expected_requests(failed)
    assert all(row[1] >= 400 for row in shown_requests(driver))


# --- Providers and prices ----------------------------------------------------------------------


def test_provider_health_shows_each_provider_key_with_its_circuit(browser):
    stack, processes = start_console_stack({"CIRCUIT_BREAKER_FAILURES": "2", "CIRCUIT_BREAKER_COOLDOWN_MS": "60000"})
    try:
        assert chat(stack, CLIENT_KEY) == 200
        stack.inject(status=500, times=10)
        for _ in range(2):
            chat(stack, CLIENT_KEY)
        health = admin_ok(stack, "GET", "/admin/providers")
        assert any(key["circuit"] == "open" for provider in health["providers"] for key in provider["keys"]), health

        driver = browser()
        sign_in(driver, stack, tab="providers")
        health = admin_ok(stack, "GET", "/admin/providers")
        shown = driver.execute_script(
            "return [...document.querySelectorAll('#providers-body tr')].map(r => [r.dataset.provider, r.dataset.keyId,"
            " r.querySelector('[data-field=circuit] .badge').dataset.circuit, Number(r.querySelector('[data-field=calls]').dataset.value),"
            " Number(r.querySelector('[data-field=errors]').dataset.value), r.querySelector('[data-field=error_rate]').dataset.value])"
        )
        expected = [
            [provider["name"], key["id"], key["circuit"], key["recent"]["calls"], key["recent"]["errors"],
             "" if key["recent"]["error_rate"] is None else str(key["recent"]["error_rate"])]
            for provider in health["providers"] for key in provider["keys"]
        ]
        assert shown == expected
        badge = driver.find_element(By.CSS_SELECTOR, '#providers-body [data-circuit="open"] .badge')
        assert badge.text == "open"
    finally:
        stop(processes)


def test_prices_are_shown_and_reloaded(gateway, browser):
    driver = browser()
    sign_in(driver, gateway, tab="pricing")
    pricing = admin_ok(gateway, "GET", "/admin/pricing")
    shown = driver.execute_script(
        "return [...document.querySelectorAll('#pricing-content .price-table')].map(t => [t.dataset.scope, t.dataset.currency,"
        " [...t.querySelectorAll('tbody tr')].map(r => r.dataset.pattern)])"
    )
    expected = ([["shared", pricing["shared"]["currency"], sorted(pricing["shared"]["models"])]] if pricing["shared"] else []) + [
        [f"provider:{name}", table["currency"], sorted(table["models"])] for name, table in sorted(pricing["providers"].items())
    ]
    assert shown == expected

    reloaded = admin_ok(gateway, "POST", "/admin/pricing/reload")
    assert reloads(driver, "pricing", lambda: by_id(driver, "pricing-reload").click()) == "ready"
    status = by_id(driver, "pricing-status")
    assert status.get_attribute("data-priced-models") == str(reloaded["priced_models"])
    assert str(reloaded["priced_models"]) in status.text


# --- The database away -------------------------------------------------------------------------


def test_the_database_going_away_shows_the_servers_message(browser):
    server = os.environ.get("TAOGATE_TEST_POSTGRES_URL")
    if not server:
        skip_or_fail("TAOGATE_TEST_POSTGRES_URL is not set (scripts/test sets it when PostgreSQL is installed)")
    name = "taogate_console_" + uuid.uuid4().hex[:16]
    psql(server, f"CREATE DATABASE {name}")
    database_url = urlunsplit(urlsplit(server)._replace(path="/" + name))
    dropped = False
    stack, processes = start_console_stack({"DATABASE_URL": database_url})
    try:
        driver = browser()
        sign_in(driver, stack)
        assert not by_id(driver, "banner").is_displayed()

        psql(server, f"DROP DATABASE {name} WITH (FORCE)")
        dropped = True
        # The page and a direct call ask at once (each waits for the gateway's database timeout).
        before = panel_loads(driver, "keys")
        by_id(driver, "keys-refresh").click()
        status, answer = admin(stack, "GET", "/admin/keys", headers={"Accept-Language": "en"})
        assert (status, answer["code"]) == (503, "database_unavailable"), answer
        assert wait_loaded(driver, "keys", before, seconds=20) == "error"
        banner = by_id(driver, "banner")
        assert banner.is_displayed()
        assert banner.get_attribute("data-code") == "database_unavailable"
        assert banner.get_attribute("data-status") == "503"
        assert answer["error"] in by_id(driver, "banner-detail").text
        assert by_id(driver, "banner-title").text
        assert by_id(driver, "console").is_displayed(), "still signed in: the key was fine"

        # The usage tab says the same.
        by_id(driver, "banner-close").click()
        assert reloads(driver, "usage", lambda: by_id(driver, "tab-usage").click(), seconds=20) == "error"
        assert by_id(driver, "banner").get_attribute("data-code") == "database_unavailable"
    finally:
        stop(processes)
        if not dropped:
            psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- Languages ---------------------------------------------------------------------------------


def test_a_chinese_browser_gets_chinese_labels(gateway, browser):
    status, _, refused = call(gateway, "GET", "/admin/keys", headers={"Authorization": "Bearer wrong-admin-key", "Accept-Language": "zh-CN"})
    assert status == 401
    driver = browser("zh-CN")
    open_console(driver, gateway)
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"
    assert by_id(driver, "signin-submit").text == "登录"
    assert by_id(driver, "lang").text == "English"

    by_id(driver, "admin-key").send_keys("wrong-admin-key", Keys.ENTER)
    error = by_id(driver, "signin-error")
    wait(driver).until(lambda d: error.is_displayed())
    assert "管理密钥未被接受" in error.text and refused["error"] in error.text, "the server's message is in Chinese too"

    by_id(driver, "admin-key").clear()
    by_id(driver, "admin-key").send_keys(ADMIN_KEY, Keys.ENTER)
    wait(driver).until(lambda d: d.execute_script("return document.body.dataset.state") == "signed-in")
    wait_loaded(driver, "keys", 0)
    assert [by_id(driver, f"tab-{tab}").text for tab in ("keys", "usage", "requests", "providers", "pricing")] == [
        "密钥", "用量", "请求", "服务商", "价格",
    ]
    assert by_id(driver, "sign-out").text == "退出登录"
    assert by_id(driver, "keys-new").text == "新建密钥"
    open_tab(driver, "usage")
    assert driver.find_element(By.CSS_SELECTOR, '#usage-group [data-group="day"]').text == "按天"
    assert driver.find_element(By.CSS_SELECTOR, '#usage-summary [data-total="requests"] .stat-label').text == "请求数"

    by_id(driver, "lang").click()  # and back to English
    assert by_id(driver, "sign-out").text == "Sign out"
    assert by_id(driver, "tab-usage").text == "Usage"
    assert driver.execute_script("return document.documentElement.lang") == "en"
