"""The lead list at scale: pages by cursor equal pages by number (ties, inserts, both ends),
the search index finds name and phone fragments on each database, counts past the exact limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update

from app.auth.permissions import Role
from app.core import clock
from app.core.errors import Invalid
from app.core.paging import EXACT_COUNT_LIMIT
from app.domain.leads.crud import leads
from app.domain.leads.models import Lead, LeadSource, lead_search_key
from app.domain.leads.schemas import LeadFilter
from tests.factories import make_lead, make_user

SORTS = ["", "-created_at", "created_at", "name", "-name", "last_touch_at", "-status"]


@pytest.fixture
def mop(db):
    return make_user(db, Role.MOP)


def eleven_leads_with_ties(db) -> list[Lead]:
    """Eleven leads, most sharing their creation moment and name with another one."""
    moment = clock.now() - timedelta(days=3)
    made = []
    for n in range(11):
        at = moment + timedelta(hours=n // 4)  # four leads per moment: ties on the sort key
        made.append(make_lead(db, name=f"Тиу {n % 3}", created_at=at, last_touch_at=at))
    return made


def ids_by_number(db, mop, sort: str, size: int, pages: int) -> list[list[int]]:
    return [
        [lead.id for lead in leads.page(db, mop, LeadFilter(sort=sort, page=n, page_size=size)).items]
        for n in range(1, pages + 1)
    ]


@pytest.mark.parametrize("sort", SORTS)
def test_cursor_pages_equal_numbered_pages_forwards_and_back(db, mop, sort):
    eleven_leads_with_ties(db)
    by_number = ids_by_number(db, mop, sort, 3, 4)
    assert sorted(i for page in by_number for i in page) == sorted(db.scalars(select(Lead.id)))  # every lead once
    walked, page = [], leads.page(db, mop, LeadFilter(sort=sort, page_size=3))
    for n in range(1, 5):
        walked.append([lead.id for lead in page.items])
        if n < 4:
            page = leads.page(db, mop, LeadFilter(sort=sort, page=n + 1, page_size=3, after=page.next_cursor))
    assert walked == by_number
    back = []
    for n in range(3, 0, -1):
        page = leads.page(db, mop, LeadFilter(sort=sort, page=n, page_size=3, before=page.prev_cursor))
        back.append([lead.id for lead in page.items])
    assert back == by_number[2::-1]


def test_numbered_pages_from_the_far_end_match_plain_offsets(db, mop):
    eleven_leads_with_ties(db)
    everything = [lead.id for lead in leads.page(db, mop, LeadFilter(page_size=200)).items]
    for size in (2, 3, 4, 5):
        pages = ids_by_number(db, mop, "", size, 7)
        assert pages == [everything[i : i + size] for i in range(0, size * 7, size)]


def test_a_cursor_keeps_its_place_when_new_leads_arrive(db, mop):
    eleven_leads_with_ties(db)
    before = ids_by_number(db, mop, "", 4, 3)
    first = leads.page(db, mop, LeadFilter(page_size=4))
    for _ in range(3):
        make_lead(db, name="Новый")  # newest first: numbered pages shift by three
    second = leads.page(db, mop, LeadFilter(page=2, page_size=4, after=first.next_cursor))
    assert [lead.id for lead in second.items] == before[1]
    assert ids_by_number(db, mop, "", 4, 1)[0] != before[0]


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4Ijox", "WyJuYW1lIiwiYSIsMV0"])
def test_a_foreign_or_broken_cursor_is_refused_naming_the_field(db, mop, cursor):
    make_lead(db)
    with pytest.raises(Invalid) as error:
        leads.page(db, mop, LeadFilter(after=cursor))  # "WyJuYW1l..." is a cursor of the name order
    assert error.value.field == "after"


def found(db, mop, q: str) -> set[str]:
    return {lead.name for lead in leads.page(db, mop, LeadFilter(q=q, page_size=200)).items}


def test_search_finds_fragments_of_names_and_phones(db, mop):
    make_lead(db, name="Дилноза Юсупова", phone="+998901112233")
    make_lead(db, name="Aziz Karimov", phone="+998935550101")
    make_lead(db, name="Малика 100% дочь_1", phone="+998977770000")
    assert found(db, mop, "юсуп") == {"Дилноза Юсупова"}
    assert found(db, mop, "ДИЛНОЗА") == {"Дилноза Юсупова"}  # any case
    assert found(db, mop, "KARIM") == {"Aziz Karimov"}
    assert found(db, mop, "111 22") == {"Дилноза Юсупова"}  # the phone's digits, typed with spaces
    assert found(db, mop, "+998 93 555") == {"Aziz Karimov"}
    assert found(db, mop, "9989") == {"Дилноза Юсупова", "Aziz Karimov", "Малика 100% дочь_1"}
    assert found(db, mop, "100%") == {"Малика 100% дочь_1"}  # LIKE's wildcards are plain text
    assert found(db, mop, "ь_1") == {"Малика 100% дочь_1"}
    assert found(db, mop, "0%_") == set()  # "_" is no wildcard either
    assert found(db, mop, "0_") == set()  # nor on the short path
    assert found(db, mop, '"') == set()  # FTS syntax is plain text too
    assert found(db, mop, 'a "k') == set()


def test_short_queries_still_search(db, mop):
    make_lead(db, name="Ян Ли", phone="+998901112233")
    make_lead(db, name="Бобур", phone="+998935550101")
    assert found(db, mop, "ян") == {"Ян Ли"}
    assert found(db, mop, "и") == {"Ян Ли"}
    assert found(db, mop, "55") == {"Бобур"}


def test_the_search_index_follows_renames_and_deletes(db, mop):
    lead = make_lead(db, name="Старое Имя", phone="+998901112233")
    lead.name = "Новое Имя"
    db.flush()
    assert found(db, mop, "старое") == set()
    assert found(db, mop, "новое") == {"Новое Имя"}
    db.execute(update(Lead).where(Lead.id == lead.id).values(search_key=lead_search_key("Третье", lead.phone)))
    assert found(db, mop, "третье") == {"Новое Имя"}
    db.execute(delete(Lead).where(Lead.id == lead.id))
    assert found(db, mop, "третье") == set()


def test_search_keeps_row_scope(db):
    seller, other = make_user(db, Role.SALES), make_user(db, Role.SALES)
    make_lead(db, seller, name="Общее Имя")
    make_lead(db, other, name="Общее Имя Два")
    assert {lead.name for lead in leads.page(db, seller, LeadFilter(q="общее")).items} == {"Общее Имя"}


def bulk_leads(db, count: int, **fields) -> None:
    now = clock.now()
    rows = [
        {
            "name": f"Масса {n}",
            "phone": f"+99877{n:07d}",
            "source": LeadSource.SHEET,
            "search_key": lead_search_key(f"Масса {n}", f"+99877{n:07d}"),
            "created_at": now - timedelta(minutes=n),
            "last_touch_at": now - timedelta(minutes=n),
            **fields,
        }
        for n in range(count)
    ]
    db.execute(insert(Lead), rows)


def test_long_lists_answer_a_recent_count_and_say_so(db, mop):
    bulk_leads(db, EXACT_COUNT_LIMIT + 5)
    page = leads.page(db, mop, LeadFilter())
    assert (page.total, page.total_exact) == (EXACT_COUNT_LIMIT + 5, False)
    assert page.model_dump().keys() == {"items", "total", "page", "page_size"}  # the JSON shape stays
    assert leads.page(db, mop, LeadFilter(q="масса 10")).total_exact  # a short list is counted exactly
    last = leads.page(db, mop, LeadFilter(page=page.pages))
    assert [lead.name for lead in last.items] == [f"Масса {EXACT_COUNT_LIMIT + 5 - n}" for n in range(5, 0, -1)]
    make_lead(db, name="Ещё один")  # a write here forgets the cached count at once
    assert leads.page(db, mop, LeadFilter()).total == db.scalar(select(func.count()).select_from(Lead))
