"""The imports page and its JSON twin: upload -> preview -> apply, rows by outcome, the error
report, cancel, saved mappings, refusals with the error next to the field."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from app.auth.permissions import Role
from app.core import clock
from app.domain.inventory.models import Apartment

API = "/api/admin/imports"
PAGE = "/dashboard/admin/imports"
CSV = (
    "ЖК;Блок;Номер;Этаж;Комнаты;Площадь;Цена за м²\n"
    "Sunrise;A;601;5;2 к.;62,5;1 250 000 сум\n"
    "Sunrise;A;101;1;2;60;1000\n"
    "Nowhere;A;1;1;1;30;1000\n"
).encode()


def post_file(client, content: bytes = CSV, kind: str = "apartments", name: str = "prices.csv"):
    """Upload through the JSON twin."""
    return client.post(API, data={"kind": kind}, files={"file": (name, content, "text/csv")})


def test_upload_previews_then_apply_imports_and_a_second_file_changes_nothing(client_as, db, sunrise):
    admin = client_as(Role.ADMIN)
    created = post_file(admin)
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "status"} and body["status"] == "preview"
    job = admin.get(f"{API}/{body['id']}").json()
    assert job["counts"] == {"create": 1, "update": 0, "unchanged": 1, "reject": 1}
    assert job["progress"] == 1.0 and job["kind"] == "apartments"
    assert db.scalar(select(Apartment).where(Apartment.number == "601")) is None
    rejected = admin.get(f"{API}/{body['id']}/rows", params={"outcome": "reject"}).json()
    assert rejected["total"] == 1
    assert rejected["items"][0]["line"] == 4 and rejected["items"][0]["field"] == "complex"
    assert rejected["items"][0]["reason"] == "Неизвестный ЖК."
    applied = admin.post(f"{API}/{body['id']}/apply")
    assert applied.status_code == 200 and applied.json()["status"] == "done"
    assert db.scalar(select(Apartment.total_price).where(Apartment.number == "601")) is not None
    assert admin.post(f"{API}/{body['id']}/apply").status_code == 409
    again = post_file(admin).json()
    assert admin.get(f"{API}/{again['id']}").json()["counts"] == {"create": 0, "update": 0, "unchanged": 2, "reject": 1}


def test_the_error_report_has_the_original_columns_and_a_reason(client_as, sunrise):
    admin = client_as(Role.ADMIN)
    job = post_file(admin).json()
    report = admin.get(f"{API}/{job['id']}/errors.csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["ЖК", "Блок", "Номер", "Этаж", "Комнаты", "Площадь", "Цена за м²", "Причина"]
    assert rows[1][:3] == ["Nowhere", "A", "1"] and rows[1][-1] == "ЖК: Неизвестный ЖК."
    book = openpyxl.load_workbook(io.BytesIO(admin.get(f"{PAGE}/{job['id']}/errors.xlsx").content))
    sheet = book.active
    assert sheet["A2"].value == "Nowhere" and sheet["H2"].value == "ЖК: Неизвестный ЖК."


def test_the_pages_forms_and_links_stay_under_the_dashboard(client_as, sunrise):
    import re

    admin = client_as(Role.ADMIN)
    job_id = post_file(admin).json()["id"]
    for page in (admin.get(PAGE).text, admin.get(f"{PAGE}/{job_id}").text):
        targets = re.findall(r'(?:action|href|hx-get)="(/[^"]*imports[^"]*)"', page)
        assert targets and all(t.startswith(PAGE) for t in targets), targets


def test_cancel_drops_a_preview(client_as, sunrise):
    admin = client_as(Role.ADMIN)
    job = post_file(admin).json()
    assert admin.post(f"{API}/{job['id']}/cancel").json()["status"] == "cancelled"
    assert admin.post(f"{API}/{job['id']}/apply").status_code == 409


def test_options_remap_and_the_mapping_is_saved_for_the_source(client_as, sunrise):
    admin = client_as(Role.ADMIN)
    content = "Объект;Корпус;Кв;Этаж;Комн;Кв.м;Стоимость м2\nSunrise;A;601;5;2;50;1000\n".encode()
    job = post_file(admin, content, name="Остатки.csv").json()
    assert admin.get(f"{API}/{job['id']}").json()["counts"]["create"] == 0
    mapping = {
        "complex": "Объект",
        "building": "Корпус",
        "number": "Кв",
        "floor": "Этаж",
        "rooms": "Комн",
        "area": "Кв.м",
        "price_per_m2": "Стоимость м2",
    }
    changed = admin.put(f"{API}/{job['id']}/options", json={"mapping": mapping})
    assert changed.status_code == 200
    assert changed.json()["counts"]["create"] == 1
    second = post_file(admin, content, name="остатки.csv").json()
    assert admin.get(f"{API}/{second['id']}").json()["mapping"] == mapping
    saved = admin.put(f"{API}/mappings/leads-export", json={"kind": "leads", "mapping": {"phone": "Тел."}})
    assert saved.status_code == 200 and saved.json()["mapping"] == {"phone": "Тел."}
    assert admin.put(f"{API}/mappings/x", json={"kind": "leads", "mapping": {"nope": "A"}}).status_code == 422
    assert admin.put(f"{API}/{job['id']}/options", json={"mapping": {"phone": "Нет такой"}}).status_code == 422


@pytest.mark.parametrize(
    ("data", "files", "field"),
    [
        ({"kind": "apartments"}, None, "file"),
        ({"kind": "rent"}, {"file": ("a.csv", b"a;b\n1;2\n", "text/csv")}, "kind"),
        ({"kind": "leads"}, {"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}, "file"),
        ({"kind": "leads"}, {"file": ("a.xlsx", b"not a workbook", "application/octet-stream")}, "file"),
    ],
)
def test_bad_uploads_name_the_field(client_as, data, files, field):
    admin = client_as(Role.ADMIN)
    answer = admin.post(API, data=data, files=files or {"file": ("", b"", "text/csv")})
    assert answer.status_code == 422
    assert field in answer.text
    page = admin.post(PAGE, data={**data, "csrf_token": admin.csrf}, files=files or {"file": ("", b"", "text/csv")})
    assert page.status_code == 422
    assert f'data-testid="error-{field}"' in page.text


def test_the_page_uploads_previews_and_applies(client_as, db, sunrise):
    admin = client_as(Role.ADMIN)
    assert "Новый импорт" in admin.get(PAGE).text
    sent = admin.post(
        PAGE, data={"kind": "apartments", "csrf_token": admin.csrf}, files={"file": ("p.csv", CSV, "text/csv")}
    )
    assert sent.status_code == 303
    page = admin.get(sent.headers["location"])
    assert 'data-testid="count-create"' in page.text and "Создать: 1" in page.text
    assert "Неизвестный ЖК." in admin.get(sent.headers["location"] + "?outcome=reject").text
    done = admin.get(sent.headers["location"], headers={"HX-Request": "true", "HX-Target": "progress"})
    assert done.status_code == 204 and done.headers["HX-Refresh"] == "true"
    applied = admin.post(sent.headers["location"] + "/apply", data={"csrf_token": admin.csrf})
    assert applied.status_code == 303
    assert "Импортирован" in admin.get(sent.headers["location"]).text
    assert db.scalar(select(Apartment.id).where(Apartment.number == "601")) is not None


def test_leads_from_xlsx_through_the_api(client_as, db):
    admin = client_as(Role.ADMIN)
    book = openpyxl.Workbook()
    book.active.append(["Телефон", "Имя"])
    book.active.append(["+998 90 765-43-21", "Азиз"])
    book.active.append(["не телефон", "Кто"])
    data = io.BytesIO()
    book.save(data)
    job = post_file(admin, data.getvalue(), kind="leads", name="leads.xlsx").json()
    assert admin.get(f"{API}/{job['id']}").json()["counts"] == {"create": 1, "update": 0, "unchanged": 0, "reject": 1}
    assert admin.post(f"{API}/{job['id']}/apply").json()["counts"]["create"] == 1


def test_a_running_import_answers_its_progress_block_for_polling(client_as, db, sunrise, settings):
    import json
    import time

    from app.domain.imports.models import ImportJob, ImportStatus

    admin = client_as(Role.ADMIN)
    job_id = post_file(admin).json()["id"]
    job = db.get(ImportJob, job_id)
    job.status, job.total_rows = ImportStatus.APPLYING, 1000
    db.commit()
    (settings.data_dir / "imports" / f"{job_id}.progress").write_text(
        json.dumps({"done": 250, "total": 1000, "started": time.time() - 5})
    )
    state = admin.get(f"{API}/{job_id}").json()
    assert state["status"] == "applying" and state["progress"] == 0.25 and state["rows_done"] == 250
    assert state["rows_per_second"] > 0 and state["seconds_left"] > 0
    fragment = admin.get(f"{PAGE}/{job_id}", headers={"HX-Request": "true", "HX-Target": "progress"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section class="card" id="progress"')
    assert 'hx-trigger="every 1s"' in fragment.text and 'value="25"' in fragment.text
    assert "250 из 1" in fragment.text and 'data-testid="stop-import"' in fragment.text
    stopping = admin.post(f"{API}/{job_id}/cancel").json()
    assert stopping["status"] == "applying" and stopping["stopping"] is True  # the run stops after its chunk
    fragment = admin.get(f"{PAGE}/{job_id}", headers={"HX-Request": "true", "HX-Target": "progress"})
    assert 'data-testid="import-stopping"' in fragment.text and 'data-testid="stop-import"' not in fragment.text


def test_the_xlsx_error_report_drops_control_characters_a_spreadsheet_cannot_hold(client_as):
    admin = client_as(Role.ADMIN)
    job = post_file(admin, "Телефон\x01;Имя\nне телефон\x02;Кто\n".encode(), kind="leads").json()
    report = admin.get(f"{API}/{job['id']}/errors.xlsx")
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    assert sheet["A1"].value == "Телефон" and sheet["A2"].value == "не телефон"


def test_imported_leads_show_at_once_in_the_cached_funnel(client_as):
    admin, rop = client_as(Role.ADMIN), client_as(Role.ROP)
    day = clock.today().isoformat()
    funnel = f"/api/rop/funnel?from={day}&to={day}"
    before = rop.get(funnel).json()["stages"][0]["count"]  # now cached
    content = b"phone,name\n+998901110001,A\n+998901110002,B\n"
    job = post_file(admin, content, kind="leads", name="leads.csv").json()
    assert admin.post(f"{API}/{job['id']}/apply").json()["status"] == "done"
    assert rop.get(funnel).json()["stages"][0]["count"] == before + 2
