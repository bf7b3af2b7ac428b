"""The schedule board: week and day views with blocks, drops placing orders or answering a conflict
dialog, "assign anyway" recorded, stale drops, bad input (never a 500), who may drop, live polling."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.auth.permissions import Role
from app.core import clock
from tests.factories import make_technician, make_work_order

HTMX = {"HX-Request": "true"}
DROP = "/dashboard/dispatcher/schedule/drop"


@pytest.fixture
def api(client_as):
    return client_as(Role.DISPATCHER)


def tomorrow() -> date:
    return clock.today() + timedelta(days=1)


def drop(api, order, tech, at="10:00", **extra):
    form = {"order_id": order.id, "technician_id": tech.id} | {"version": extra.pop("version", order.version)}
    form |= {"day": tomorrow().isoformat(), "time": at, "view": "day", "date": tomorrow().isoformat()}
    return api.post(DROP, data=form | extra, headers=HTMX)


def test_a_drop_places_the_order_and_answers_the_board(api, db, user_of):
    tech = make_technician(db, name="Бахтиёр")
    order = make_work_order(db, actor=user_of(Role.DISPATCHER), title="Нет света")
    answer = drop(api, order, tech)
    assert answer.status_code == 200, answer.text
    assert 'data-testid="board-patch"' in answer.text and 'id="board-live"' not in answer.text  # only what changed
    assert f'id="lane-{tech.id}-{tomorrow().isoformat()}"' in answer.text and 'data-testid="block"' in answer.text
    assert 'id="board-queue"' in answer.text  # the order left the queue
    placed = api.get(f"/api/dispatcher/work-orders/{order.id}").json()
    assert placed["status"] == "scheduled" and placed["technician_id"] == tech.id
    assert clock.local(datetime.fromisoformat(placed["scheduled_start"])).strftime("%H:%M") == "10:00"
    assert 'data-start="120"' in answer.text  # 10:00 is two hours after the board opens


def test_a_second_drop_on_the_slot_gets_the_dialog_and_force_records_it(api, db, user_of):
    tech = make_technician(db)
    first = make_work_order(db, actor=user_of(Role.DISPATCHER))
    second = make_work_order(db, actor=user_of(Role.DISPATCHER))
    assert drop(api, first, tech).status_code == 200
    refused = drop(api, second, tech, "10:30")
    assert refused.status_code == 409 and 'data-testid="conflict"' in refused.text
    assert "Мастер не может взять это время" in refused.text
    assert refused.headers["HX-Retarget"] == "#modal-body"
    assert api.get(f"/api/dispatcher/work-orders/{second.id}").json()["technician_id"] is None
    forced = drop(api, second, tech, "10:30", force="1")
    assert forced.status_code == 200
    assert api.get(f"/api/dispatcher/work-orders/{second.id}").json()["overrides"] == ["overlap"]


def test_a_stale_drop_is_refused_with_a_dialog(api, db, user_of):
    tech = make_technician(db)
    order = make_work_order(db, actor=user_of(Role.DISPATCHER))
    seen = order.version
    assert api.patch(f"/api/dispatcher/work-orders/{order.id}", json={"title": "Другая правка"}).status_code == 200
    stale = drop(api, order, tech, version=seen)
    assert stale.status_code == 409 and 'data-testid="refusal"' in stale.text


def test_buttons_move_and_resize_and_send_back_to_the_queue(api, db, user_of):
    tech = make_technician(db)
    order = make_work_order(db, actor=user_of(Role.DISPATCHER))
    assert drop(api, order, tech).status_code == 200
    later = api.post(DROP, data={"order_id": order.id, "shift": "30", "view": "week"}, headers=HTMX)
    assert later.status_code == 200
    longer = api.post(DROP, data={"order_id": order.id, "duration_minutes": "90"}, headers=HTMX)
    assert longer.status_code == 200
    moved = api.get(f"/api/dispatcher/work-orders/{order.id}").json()
    assert clock.local(datetime.fromisoformat(moved["scheduled_start"])).strftime("%H:%M") == "10:30"
    assert moved["duration_minutes"] == 90
    back = api.post(DROP, data={"order_id": order.id, "unassign": "1"}, headers=HTMX)
    assert back.status_code == 200 and 'data-testid="queue-item"' in back.text
    assert api.get(f"/api/dispatcher/work-orders/{order.id}").json()["status"] == "new"


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"order_id": "x"},
        {"order_id": "999999", "technician_id": "1", "day": "2030-01-01", "time": "10:00"},
        {"order_id": "1", "day": "2030-13-01", "time": "10:00"},
        {"order_id": "1", "day": "2030-01-01"},
        {"order_id": "1", "time": "25:00", "day": "2030-01-01"},
        {"order_id": "1", "duration_minutes": "5"},
        {"order_id": "1", "shift": "99999999999999"},
        {"order_id": "1", "technician_id": "-4", "day": "2030-01-01", "time": "10:00"},
        {"order_id": "1", "view": "month"},
    ],
)
def test_bad_drops_get_a_dialog_never_a_500(api, db, user_of, form):
    order = make_work_order(db, actor=user_of(Role.DISPATCHER))
    form = {k: (str(order.id) if v == "1" and k == "order_id" else v) for k, v in form.items()}
    answer = api.post(DROP, data=form, headers=HTMX)
    assert answer.status_code in (404, 409, 422), answer.text
    assert 'data-testid="board-dialog"' in answer.text


@pytest.mark.parametrize("role", [Role.SALES, Role.MOP, Role.ROP, Role.FINANCE])
def test_only_the_dispatcher_and_admin_drop(client_as, db, user_of, role):
    tech = make_technician(db)
    order = make_work_order(db, actor=user_of(Role.DISPATCHER))
    other = client_as(role)
    assert drop(other, order, tech).status_code == 403
    assert other.get("/dashboard/dispatcher/schedule").status_code == 403
    admin = client_as(Role.ADMIN)
    form = {"order_id": order.id, "technician_id": tech.id, "day": tomorrow().isoformat(), "time": "12:00"}
    assert admin.post("/dashboard/admin/schedule/drop", data=form, headers=HTMX).status_code == 200


def test_week_and_day_views_show_blocks_with_a_russian_legend(api, db, user_of):
    tech = make_technician(db, name="Дилшод")
    order = make_work_order(db, actor=user_of(Role.DISPATCHER), title="Розетка", kind="handover")
    drop(api, order, tech)
    day = tomorrow().isoformat()
    week = api.get("/dashboard/dispatcher/schedule", params={"date": day})
    assert week.status_code == 200 and "Розетка" in week.text and "Передача" in week.text
    assert 'class="block kind-handover' in week.text
    one_day = api.get("/dashboard/dispatcher/schedule", params={"view": "day", "date": day})
    assert "lane-y" in one_day.text and "Розетка" in one_day.text and "10:00" in one_day.text
    assert api.get("/dashboard/dispatcher/schedule", params={"view": "x", "date": "nonsense"}).status_code == 200


def test_the_live_poll_answers_204_until_the_board_changes(api, db, user_of):
    tech = make_technician(db)
    order = make_work_order(db, actor=user_of(Role.DISPATCHER))
    page = api.get("/dashboard/dispatcher/schedule", headers=HTMX)
    version = page.text.split('data-version="', 1)[1].split('"', 1)[0]
    assert api.get("/dashboard/dispatcher/schedule", params={"since": version}, headers=HTMX).status_code == 204
    drop(api, order, tech)
    changed = api.get("/dashboard/dispatcher/schedule", params={"since": version}, headers=HTMX)
    assert changed.status_code == 200 and 'id="board-live"' in changed.text
    renamed = changed.text.split('data-version="', 1)[1].split('"', 1)[0]
    api.put(f"/api/dispatcher/technicians/{tech.id}", json={"name": "Новое имя", "hours": tech.hours})
    assert api.get("/dashboard/dispatcher/schedule", params={"since": renamed}, headers=HTMX).status_code == 200


def test_a_drop_answers_only_the_lanes_of_the_technicians_it_touched(api, db, user_of):
    """A move between two technicians answers their lanes; the queue only when an order leaves or joins it."""
    first, second, idle = make_technician(db, name="Первый"), make_technician(db, name="Второй"), make_technician(db)
    order = make_work_order(db, actor=user_of(Role.DISPATCHER), title="Течёт кран")
    assert drop(api, order, first).status_code == 200
    version = api.get(f"/api/dispatcher/work-orders/{order.id}").json()["version"]
    moved = drop(api, order, second, "12:00", version=version)
    assert moved.status_code == 200
    day = tomorrow().isoformat()
    assert f'id="lane-{first.id}-{day}"' in moved.text and f'id="lane-{second.id}-{day}"' in moved.text
    assert f'id="lane-{idle.id}-{day}"' not in moved.text and 'id="board-queue"' not in moved.text
    lane_of_second = moved.text.split(f'id="lane-{second.id}-{day}"', 1)[1].split("</div>\n", 1)[0]
    assert "Течёт кран" in lane_of_second


def test_the_drop_answer_carries_the_new_version_only_to_a_page_that_was_up_to_date(api, db, user_of):
    """A board that missed someone else's change keeps polling from its old version and gets the whole board."""
    tech = make_technician(db)
    order, other = (
        make_work_order(db, actor=user_of(Role.DISPATCHER)),
        make_work_order(db, actor=user_of(Role.DISPATCHER)),
    )
    page = api.get("/dashboard/dispatcher/schedule", headers=HTMX)
    shown = page.text.split('data-version="', 1)[1].split('"', 1)[0]
    current = drop(api, order, tech, board_version=shown)
    new_version = current.text.split('data-board-patch data-testid="board-patch" data-version="', 1)[1].split('"')[0]
    assert new_version and new_version != shown
    assert api.get("/dashboard/dispatcher/schedule", params={"since": new_version}, headers=HTMX).status_code == 204
    behind = drop(api, other, tech, "14:00", board_version=shown)  # this page never saw the first drop
    assert 'data-board-patch data-testid="board-patch" data-version=""' in behind.text


def test_the_board_is_rendered_once_per_version_and_shows_a_change_at_once(api, db, user_of, count_queries):
    """A second look at an unchanged board reads only its version; any change shows on the next look."""
    tech = make_technician(db, name="Бахтиёр")
    order = make_work_order(db, actor=user_of(Role.DISPATCHER), title="Нет света")
    drop(api, order, tech)
    params = {"view": "day", "date": tomorrow().isoformat()}
    with count_queries() as cold:
        first = api.get("/dashboard/dispatcher/schedule", params=params)
    with count_queries() as warm:
        again = api.get("/dashboard/dispatcher/schedule", params=params)
    assert "Нет света" in first.text and "Нет света" in again.text
    assert len(warm) < len(cold)
    version = api.get(f"/api/dispatcher/work-orders/{order.id}").json()["version"]
    renamed = api.patch(f"/api/dispatcher/work-orders/{order.id}", json={"title": "Нет воды", "version": version})
    assert renamed.status_code == 200
    after = api.get("/dashboard/dispatcher/schedule", params=params)
    assert "Нет воды" in after.text and "Нет света" not in after.text
