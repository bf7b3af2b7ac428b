"""/free: free apartments of a complex by rooms with floor, area and price, paging, booking one for
one's own lead through the bookings CRUD; crafted callback data cannot book for another's lead."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.permissions import Role
from app.domain.bookings.models import Booking
from app.domain.inventory.crud import apartments
from app.domain.inventory.models import Apartment, ApartmentStatus
from app.domain.leads.models import Lead, LeadStatus
from tests.bot.helpers import link
from tests.bot.test_leads import data_of
from tests.factories import make_building, make_complex, make_lead, make_user


def flats(db, slug: str = "free-bot", units: int = 4, floors: int = 4) -> list[Apartment]:
    """A complex with floors x units apartments; the odd ones two-room, the even ones one-room."""
    complex_ = make_complex(db, slug, name="ЖК Олтин")
    building = make_building(db, complex_.id, floors=floors, units=units)
    found = apartments.for_building(db, building.id)
    for n, flat in enumerate(found):
        flat.rooms = 2 if n % 2 else 1
    db.flush()
    return found


def booking_count(db) -> int:
    """How many bookings exist."""
    return db.scalar(select(func.count()).select_from(Booking))


def every_button_fits(call) -> bool:
    """Callback data of every button within Telegram's 64 bytes."""
    return all(len(b.get("callback_data", "").encode()) <= 64 for b in call.buttons())


def test_free_lists_two_room_flats_with_floor_area_and_price_and_pages(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    found = flats(db)
    found[1].status = ApartmentStatus.SOLD  # a sold two-room flat is not offered
    db.flush()
    link(db, seller, 900)
    chat = tg(900)
    chat.send("/free")
    menu = bot_api.sent()[-1]
    assert "Выберите ЖК" in menu.text
    chat.press(data_of(menu, "ЖК Олтин"))
    rooms = bot_api.sent("editMessageText")[-1]
    assert "сколько комнат" in rooms.text
    chat.press(data_of(rooms, "2-комн."))
    listing = bot_api.sent("editMessageText")[-1]
    assert "ЖК Олтин: свободно 7. Страница 1 из 2." in listing.text
    labels = [b["text"] for b in listing.buttons() if b["text"].startswith("№")]
    assert len(labels) == 5
    assert all("этаж" in label and "м²" in label and "сум" in label for label in labels)
    numbers = {f.number for f in found if f.rooms == 2 and f.status == ApartmentStatus.FREE}
    assert all(label.split(" ")[1] in numbers for label in labels)
    assert every_button_fits(listing)
    chat.press(data_of(listing, "›"))
    assert "Страница 2 из 2." in bot_api.sent("editMessageText")[-1].text


def test_booking_from_the_chat_offers_only_my_leads_and_books(tg, bot_api, db, user_of):
    seller, other = user_of(Role.SALES), make_user(db, Role.SALES)
    flat = flats(db, "free-book", units=1, floors=1)[0]
    mine = make_lead(db, seller, name="Дильноза")
    make_lead(db, other, name="Чужой покупатель")
    link(db, seller, 901)
    chat = tg(901)
    chat.press(f"fb:{flat.id}")
    choice = bot_api.sent("editMessageText")[-1]
    assert "для какого лида" in choice.text
    assert [b["text"].split(" · ")[0] for b in choice.buttons()] == ["Дильноза"]
    chat.press(data_of(choice, "Дильноза"))
    done = bot_api.sent("editMessageText")[-1]
    assert f"Квартира {flat.number} забронирована до" in done.text
    db.expire_all()
    assert db.get(Apartment, flat.id).status == ApartmentStatus.BOOKED
    assert db.get(Lead, mine.id).status == LeadStatus.BOOKED
    assert db.scalar(select(Booking.salesperson_id).where(Booking.apartment_id == flat.id)) == seller.id


def test_crafted_data_cannot_book_for_another_salespersons_lead(tg, bot_api, db, user_of):
    seller, other = user_of(Role.SALES), make_user(db, Role.SALES)
    flat = flats(db, "free-craft", units=1, floors=1)[0]
    theirs = make_lead(db, other, name="Чужой")
    link(db, seller, 902)
    tg(902).press(f"fk:{flat.id}:{theirs.id}")
    alert = bot_api.sent("answerCallbackQuery")[-1]
    assert alert.params["text"] == "Лид не найден."
    db.expire_all()
    assert booking_count(db) == 0 and db.get(Apartment, flat.id).status == ApartmentStatus.FREE


def test_a_taken_flat_is_answered_in_russian(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    flat = flats(db, "free-taken", units=1, floors=1)[0]
    first, second = make_lead(db, seller), make_lead(db, seller)
    link(db, seller, 903)
    tg(903).press(f"fk:{flat.id}:{first.id}")
    tg(903).press(f"fk:{flat.id}:{second.id}")
    assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Эта квартира уже не свободна."
    db.expire_all()
    assert booking_count(db) == 1
