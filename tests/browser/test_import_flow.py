"""An admin imports leads from a file whose headers the suggestion does not know: uploads it, maps the
phone and name columns, sees the preview with the two rejected rows and their reasons in Russian,
applies it on a real Celery worker and watches the bar reach 100%, then downloads the error report."""

from __future__ import annotations

import csv
import io
import os
import re
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from app.db import write_session
from app.demo import load_demo
from app.main import create_app
from app.migrations import upgrade
from settings import Settings
from settings import settings as default_settings
from tasks.celery_app import celery_app, make_celery
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.test_csp import watch
from tests.browser.test_login_flow import log_in
from tests.conftest import make_settings
from tests.serving import served_app
from tests.workers import own_redis_url

pytestmark = pytest.mark.browser

REDIS_URL = own_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
GOOD_ROWS = 16_000  # eight chunks of the engine's 2000 rows: the bar stops in between while it is applied
HEADERS = ["Контакт", "Покупатель", "Источник"]  # phone and name under names the suggestion does not know
NOT_A_PHONE = "позвонить вечером"
DUPLICATE_LINE = 4  # the file's lines (the header is line 1) of the bad rows; line 4 repeats line 2's phone
NOT_A_PHONE_LINE = 11


def leads_file() -> tuple[bytes, str]:
    """A leads CSV of GOOD_ROWS good rows and two bad ones (a non-phone, a repeated phone); the
    repeated phone's text as the file has it."""
    rows = [[f"+99890{1_000_000 + i}", f"Клиент {i}", "выставка"] for i in range(GOOD_ROWS)]
    duplicate = ["+998901000000", "Тот же номер", "звонок"]  # line 2's phone again
    rows.insert(DUPLICATE_LINE - 2, duplicate)
    rows.insert(NOT_A_PHONE_LINE - 2, [NOT_A_PHONE, "Без номера", "сайт"])
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return text.getvalue().encode(), duplicate[0]


@pytest.fixture
def worker_server(tmp_path) -> Iterator[str]:
    """The app served with a Redis broker, and a Celery worker in this process running its imports
    from a queue of this test's own (no other worker on the same Redis database takes its jobs)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed at {REDIS_URL} (TEST_REDIS_URL): {exc}")
    url = f"sqlite:///{tmp_path / 'imports.db'}"
    upgrade(url)
    with write_session(url) as db:
        load_demo(db, DEMO_PASSWORD)
    config = make_settings(url, tmp_path, demo_password=DEMO_PASSWORD, broker_url=REDIS_URL)
    patch = pytest.MonkeyPatch()
    patch.setattr(default_settings, "database_url", url)  # what the job reads (tasks.imports)
    patch.setattr(default_settings, "data_dir", tmp_path)
    worker_app = make_celery(Settings(broker_url=REDIS_URL))
    worker_app.conf.task_default_queue = f"import-flow-{uuid.uuid4().hex}"  # the web app sends there too
    worker_app.loader.import_module("celery.contrib.testing.tasks")
    try:
        with (
            start_worker(worker_app, pool="solo", perform_ping_check=True, shutdown_timeout=10),
            served_app(create_app(config)) as base,
        ):
            yield base
    finally:
        celery_app.set_default()
        patch.undo()


READ_PROGRESS = """() => {
  const s = document.querySelector('[data-testid="import-status"]');
  const b = document.querySelector('[data-testid="progress-bar"]');
  return s && b ? [s.textContent.trim(), Number(b.getAttribute('value'))] : null;
}"""


def watch_progress(page: Page, timeout: float = 90) -> list[tuple[str, int]]:
    """Read the status and the bar while the import runs, until it shows "Импортирован"; what was seen
    (status, bar value) in order."""
    seen: list[tuple[str, int]] = []
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:  # one read of both; the page reloads itself when the import finishes
            state = page.evaluate(READ_PROGRESS)
        except PlaywrightError:  # read during that reload
            state = None
        if state and (not seen or seen[-1] != tuple(state)):
            seen.append(tuple(state))
        if state and state[0] == "Импортирован":
            return seen
        page.wait_for_timeout(100)
    raise AssertionError(f"the import did not finish in {timeout} s: {seen}")


def test_admin_maps_previews_applies_and_downloads_the_errors(page: Page, worker_server: str):
    problems = watch(page)
    base = f"{worker_server}/dashboard/admin"
    log_in(page, worker_server, "admin")
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/imports")

    body, duplicate_phone = leads_file()
    page.select_option("#f-kind", label="Лиды")
    page.set_input_files("#f-file", files=[{"name": "выгрузка.csv", "mimeType": "text/csv", "buffer": body}])
    page.get_by_test_id("upload-import").click()
    expect(page).to_have_url(re.compile(rf"{base}/imports/\d+$"))

    # No column was recognised as the phone: the preview stops and asks for the mapping.
    status = page.get_by_test_id("import-status")
    expect(status).to_have_text("Ошибка", timeout=15_000)
    expect(page.get_by_test_id("import-error")).to_have_text("Выберите столбец для каждого обязательного поля.")
    form = page.get_by_test_id("mapping-form")
    expect(form.get_by_test_id("map-phone")).to_have_value("")
    expect(form.get_by_test_id("map-name")).to_have_value("")
    form.get_by_test_id("map-phone").select_option("Контакт")
    form.get_by_test_id("map-name").select_option("Покупатель")
    expect(form.locator("#f-delimiter")).to_have_value(";")  # sniffed from the file
    form.get_by_test_id("save-mapping").click()

    expect(status).to_have_text("Предпросмотр готов", timeout=15_000)
    expect(page.get_by_test_id("count-create")).to_have_text(re.compile(rf"^Создать:\s*{GOOD_ROWS // 1000}\s000$"))
    expect(page.get_by_test_id("count-reject")).to_have_text("Отклонено: 2")
    expect(page.get_by_test_id("map-phone")).to_have_value("Контакт")  # the choice is kept
    expect(page.get_by_test_id("map-name")).to_have_value("Покупатель")
    page.get_by_test_id("count-reject").click()
    expect(page).to_have_url(re.compile(r"\?outcome=reject$"))
    rejected = page.locator('[data-testid="import-row"][data-outcome="reject"]')
    expect(rejected).to_have_count(2)
    expect(page.get_by_test_id("import-row")).to_have_count(2)
    expect(rejected.nth(0).locator("td").first).to_have_text(str(DUPLICATE_LINE))
    expect(rejected.nth(0)).to_contain_text("Телефон: Этот телефон уже есть в одной из строк выше.")
    expect(rejected.nth(1).locator("td").first).to_have_text(str(NOT_A_PHONE_LINE))
    expect(rejected.nth(1)).to_contain_text("Телефон: Это не номер телефона.")

    with page.expect_navigation():
        page.get_by_test_id("apply-import").click()
    seen = watch_progress(page)
    statuses = [s for s, _ in seen]
    assert "Идёт импорт" in statuses, seen  # the bar was shown while the worker applied it
    applying = [value for s, value in seen if s == "Идёт импорт"]
    assert applying == sorted(applying) and applying[-1] < 100, seen  # it only moves forward, short of 100
    assert seen[-1] == ("Импортирован", 100), seen
    expect(page.get_by_test_id("progress-bar")).to_have_attribute("value", "100")
    expect(page.get_by_test_id("progress-percent")).to_have_text("100%")
    expect(page.get_by_test_id("progress")).not_to_have_attribute("hx-trigger", re.compile("."))  # polling stopped
    expect(page.get_by_test_id("count-create")).to_have_text(re.compile(rf"^Создать:\s*{GOOD_ROWS // 1000}\s000$"))
    expect(page.get_by_test_id("undo-import")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("errors-csv").click()
    download = download_info.value
    assert re.fullmatch(r"import-\d+-errors\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig", newline="") as report:
        table = list(csv.reader(report))
    assert table == [
        [*HEADERS, "Причина"],
        [duplicate_phone, "Тот же номер", "звонок", "Телефон: Этот телефон уже есть в одной из строк выше."],
        [NOT_A_PHONE, "Без номера", "сайт", "Телефон: Это не номер телефона."],
    ]
    assert problems == []
