"""Attendance over HTTP: the top bar's button (HTMX) and its JSON twin for every staff role, 409s
with a clear Russian message, the MOP's day board and month table (page, JSON, export), and the
night job through a real Celery worker."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core import clock
from app.db import write_session
from app.domain.staff.models import Shift
from app.migrations import upgrade
from tests.domain.test_attendance import tashkent
from tests.factories import make_user
from tests.test_tasks import redis_celery  # noqa: F401 - the Celery app on the local Redis

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_checks_in_and_out_through_json(client_as, role):
    browser = client_as(role)
    assert browser.get(f"/api/{role.value}/attendance/status").json() == {"on_shift": False, "shift": None}
    started = browser.post(f"/api/{role.value}/attendance/check-in")
    assert started.status_code == 201 and started.json()["checked_out_at"] is None
    again = browser.post(f"/api/{role.value}/attendance/check-in")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Вы уже на смене")
    assert browser.get(f"/api/{role.value}/attendance/status").json()["on_shift"] is True
    ended = browser.post(f"/api/{role.value}/attendance/check-out")
    assert ended.status_code == 200 and ended.json()["checked_out_at"]
    assert browser.post(f"/api/{role.value}/attendance/check-out").status_code == 409


def test_the_top_bar_loads_the_button_and_htmx_presses_it(client_as, time_machine):
    time_machine.move_to(tashkent(2, 9, 3), tick=False)
    seller = client_as(Role.SALES)
    home = seller.get("/dashboard/sales/")
    assert 'hx-get="/dashboard/sales/attendance/button"' in home.text
    button = seller.get("/dashboard/sales/attendance/button", headers=HTMX)
    assert "Отметиться" in button.text and 'data-testid="check-in"' in button.text
    pressed = seller.post("/dashboard/sales/attendance/check-in", headers=HTMX)
    assert pressed.status_code == 201 and "На смене с 09:03" in pressed.text and "Уйти со смены" in pressed.text
    twice = seller.post("/dashboard/sales/attendance/check-in", headers=HTMX)
    assert twice.status_code == 409 and "Вы уже на смене (с 09:03)" in twice.text  # a toast
    out = seller.post("/dashboard/sales/attendance/check-out", data={"csrf_token": seller.csrf})
    assert out.status_code == 303 and out.headers["location"] == "/dashboard/sales/"


def test_the_mop_sees_the_day_board_and_its_json_twin(client_as, user_of, db, time_machine):
    time_machine.move_to(tashkent(2, 9, 30), tick=False)
    seller = client_as(Role.SALES)
    seller.post("/api/sales/attendance/check-in")
    mop = client_as(Role.MOP)
    data = mop.get("/api/mop/attendance", params={"date": "2026-03-02"}).json()
    assert data["date"] == "2026-03-02" and data["shift_start"] == "09:00"
    item = next(i for i in data["items"] if i["user"]["id"] == user_of(Role.SALES).id)
    assert item["checked_in_at"].startswith("2026-03-02T04:30") and item["checked_out_at"] is None
    assert item["on_shift"] and item["late"]
    absent = next(i for i in data["items"] if i["user"]["id"] == user_of(Role.MOP).id)
    assert absent["checked_in_at"] is None
    page = mop.get("/dashboard/mop/attendance")
    assert page.status_code == 200 and user_of(Role.SALES).display_name in page.text
    assert "09:30" in page.text and "опоздал" in page.text.lower()
    assert mop.get("/api/mop/attendance", params={"date": "2026-02-30"}).status_code == 422
    assert client_as(Role.SALES).get("/api/mop/attendance").status_code == 403


def test_the_board_shows_a_lunch_break_between_two_shifts(client_as, user_of, time_machine):
    time_machine.move_to(tashkent(2, 8, 0), tick=False)
    seller = client_as(Role.SALES)
    for hour, minute, action in ((9, 0, "check-in"), (13, 0, "check-out"), (13, 45, "check-in")):
        time_machine.move_to(tashkent(2, hour, minute), tick=False)
        assert seller.post(f"/api/sales/attendance/{action}").status_code in (200, 201)
    time_machine.move_to(tashkent(2, 18, 0), tick=False)
    mop = client_as(Role.MOP)
    items = mop.get("/api/mop/attendance", params={"date": "2026-03-02"}).json()["items"]
    item = next(i for i in items if i["user"]["id"] == user_of(Role.SALES).id)
    assert [b["minutes"] for b in item["breaks"]] == [45] and item["hours"] == 8.25
    row = mop.get("/dashboard/mop/attendance", params={"date": "2026-03-02"}).text.split(
        f'data-user="{user_of(Role.SALES).username}"'
    )[1]
    assert "13:00–13:45 (45 мин)" in row.split("</tr>")[0]


def test_month_table_page_json_and_export(client_as, user_of, db, time_machine):
    time_machine.move_to(tashkent(2, 8, 55), tick=False)
    seller = client_as(Role.SALES)
    seller.post("/api/sales/attendance/check-in")
    time_machine.move_to(tashkent(2, 18, 55), tick=False)
    seller.post("/api/sales/attendance/check-out")
    mop = client_as(Role.MOP)
    data = mop.get("/api/mop/attendance/month", params={"month": "2026-03"}).json()
    row = next(i for i in data["items"] if i["user"]["id"] == user_of(Role.SALES).id)
    assert (row["days_present"], row["hours"], row["late_days"]) == (1, 10.0, 0)
    assert mop.get("/api/mop/attendance/month", params={"month": "2026-13"}).status_code == 422
    page = mop.get("/dashboard/mop/attendance/month", params={"month": "2026-03"})
    assert page.status_code == 200 and "Март 2026" in page.text.title()
    exported = mop.get("/dashboard/mop/attendance/month/export", params={"month": "2026-03", "format": "csv"})
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["Имя", "Роль", "Дней на работе", "Часы"]
    assert [user_of(Role.SALES).display_name, "Продажник", "1", "10.0"] == next(
        line[:4] for line in lines if line[0] == user_of(Role.SALES).display_name
    )
    xlsx = mop.get("/api/mop/attendance/month/export", params={"month": "2026-03", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_night_job_closes_forgotten_shifts_through_a_real_worker(redis_celery, tmp_path, monkeypatch, time_machine):  # noqa: F811
    from celery.contrib.testing.worker import start_worker

    from tasks import attendance as attendance_tasks
    from tasks.celery_app import BEAT_SCHEDULE

    url = f"sqlite:///{tmp_path / 'night.db'}"
    upgrade(url)
    time_machine.move_to(tashkent(2, 17, 0), tick=False)
    with write_session(url) as db:
        from app.domain.staff.attendance import attendance

        user_id = attendance.check_in(db, make_user(db, Role.SALES)).user_id
    monkeypatch.setattr(attendance_tasks.default_settings, "database_url", url)
    time_machine.move_to(tashkent(3, 0, 1))  # ticking: the worker's own timers run on
    assert clock.today() == date(2026, 3, 3)
    with start_worker(redis_celery, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        closed = attendance_tasks.close_forgotten_shifts.delay().get(timeout=30)
    assert closed == 1
    with write_session(url) as db:
        shift = db.scalar(select(Shift).where(Shift.user_id == user_id))
        assert shift.closed_by_system and shift.checked_out_at == tashkent(3, 0, 0)
    assert BEAT_SCHEDULE["close-forgotten-shifts"]["task"] == attendance_tasks.close_forgotten_shifts.name
