"""/leads, the lead card and its buttons, /newlead and /checkin, /checkout for a linked salesperson:
row scope exactly as on the web, the kanban's transitions, comments and lost reasons."""

from __future__ import annotations

from app.auth.permissions import Role
from app.domain.leads.models import Lead, LeadComment, LeadStatus
from app.domain.staff.models import Shift
from tests.bot.helpers import link
from tests.factories import make_lead, make_user


def data_of(call, text_part: str) -> str:
    """The callback data of the button whose label holds `text_part`."""
    return next(b["callback_data"] for b in call.buttons() if text_part in b["text"])


def test_leads_lists_only_my_leads_newest_first_with_paging(tg, bot_api, db, user_of):
    seller, other = user_of(Role.SALES), make_user(db, Role.SALES)
    for n in range(7):
        make_lead(db, seller, name=f"Мой лид {n}")
    make_lead(db, other, name="Чужой лид")
    link(db, seller, 800)
    tg(800).send("/leads")
    first = bot_api.sent()[-1]
    assert "Ваши лиды: 7. Страница 1 из 2." in first.text
    labels = [b["text"] for b in first.buttons()]
    assert labels[0].startswith("Мой лид 6") and not any("Чужой" in label for label in labels)
    tg(800).press(data_of(first, "›"))
    second = bot_api.sent("editMessageText")[-1]
    assert "Страница 2 из 2." in second.text
    assert [b["text"] for b in second.buttons() if "Мой лид" in b["text"]] == ["Мой лид 1 · Новый", "Мой лид 0 · Новый"]


def test_the_status_filter_narrows_the_list(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    make_lead(db, seller, name="Новенький")
    make_lead(db, seller, name="В процессе", status=LeadStatus.IN_WORK)
    link(db, seller, 801)
    tg(801).send("/leads")
    tg(801).press("ls:in_work:1")
    edited = bot_api.sent("editMessageText")[-1]
    names = [b["text"] for b in edited.buttons() if "·" in b["text"]]
    assert names == ["В процессе · В работе"]


def test_the_card_shows_the_lead_and_moves_it_into_work(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller, name="Рустам <Хакимов>", phone="+998901112233")
    db.add(LeadComment(lead_id=lead.id, author_id=seller.id, text="Перезвонить после обеда"))
    link(db, seller, 802)
    tg(802).press(f"ld:open:{lead.id}")
    card = bot_api.sent("editMessageText")[-1]
    assert "<b>Рустам &lt;Хакимов&gt;</b>" in card.text and "+998901112233" in card.text
    assert "Статус: Новый" in card.text and "Перезвонить после обеда" in card.text
    assert any(b.get("url") == f"https://crm.example.uz/dashboard/sales/leads/{lead.id}" for b in card.buttons())
    tg(802).press(data_of(card, "В работе"))
    db.expire_all()
    assert db.get(Lead, lead.id).status == LeadStatus.IN_WORK
    assert "Статус: В работе" in bot_api.sent("editMessageText")[-1].text
    assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Статус изменён."


def test_a_transition_the_kanban_forbids_is_refused(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    link(db, seller, 803)
    tg(803).press(f"st:{lead.id}:sold")
    db.expire_all()
    assert db.get(Lead, lead.id).status == LeadStatus.NEW
    assert bot_api.sent("answerCallbackQuery")[-1].params["show_alert"] in {"true", "True", True}


def test_lost_asks_for_the_reason_first(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    link(db, seller, 804)
    tg(804).press(f"st:{lead.id}:lost")
    assert "Почему лид потерян" in bot_api.sent()[-1].text
    db.expire_all()
    assert db.get(Lead, lead.id).status == LeadStatus.NEW
    tg(804).send("Купил у конкурентов")
    db.expire_all()
    assert db.get(Lead, lead.id).status == LeadStatus.LOST
    assert db.get(Lead, lead.id).lost_reason == "Купил у конкурентов"


def test_the_next_message_becomes_a_comment(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    link(db, seller, 805)
    tg(805).press(f"ld:comment:{lead.id}")
    assert "Напишите комментарий" in bot_api.sent()[-1].text
    tg(805).send("Хочет двушку на 5 этаже")
    assert [c.text for c in db.query(LeadComment).filter_by(lead_id=lead.id)] == ["Хочет двушку на 5 этаже"]
    assert "Комментарий добавлен." in bot_api.sent()[-1].text


def test_a_callback_tomorrow_at_ten(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller)
    link(db, seller, 806)
    tg(806).press(f"ld:cbtm:{lead.id}")
    db.expire_all()
    assert db.get(Lead, lead.id).next_callback_at is not None
    assert "10:00" in bot_api.sent("editMessageText")[-1].text


def test_crafted_callback_data_cannot_open_or_change_another_salespersons_lead(tg, bot_api, db, user_of):
    seller, other = user_of(Role.SALES), make_user(db, Role.SALES)
    theirs = make_lead(db, other, name="Секретный Клиент", phone="+998907776655")
    link(db, seller, 807)
    for data in (f"ld:open:{theirs.id}", f"st:{theirs.id}:in_work", f"ld:comment:{theirs.id}", f"ld:cb1h:{theirs.id}"):
        tg(807).press(data)
        assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Лид не найден."
    assert not any("Секретный" in c.text or "+998907776655" in c.text for c in bot_api.calls)
    db.expire_all()
    assert db.get(Lead, theirs.id).status == LeadStatus.NEW and db.get(Lead, theirs.id).next_callback_at is None


def test_newlead_asks_name_then_phone_and_creates_my_lead(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    link(db, seller, 808)
    chat = tg(808)
    chat.send("/newlead")
    assert "Имя" in bot_api.sent()[-1].text
    chat.send("Дилноза Юсупова")
    assert "телефон" in bot_api.sent()[-1].text.lower()
    chat.send("не номер")
    assert db.query(Lead).filter_by(name="Дилноза Юсупова").count() == 0
    chat.send("+998 90 123 45 67")
    lead = db.query(Lead).filter_by(name="Дилноза Юсупова").one()
    assert lead.assigned_id == seller.id and lead.phone == "+998901234567"
    assert "Лид добавлен." in bot_api.sent()[-1].text


def test_newlead_with_another_salespersons_phone_is_refused(tg, bot_api, db, user_of):
    seller, other = user_of(Role.SALES), make_user(db, Role.SALES)
    make_lead(db, other, phone="+998905554433")
    link(db, seller, 809)
    chat = tg(809)
    chat.send("/newlead")
    chat.send("Кто-то")
    chat.send("+998905554433")
    assert "другого продажника" in bot_api.sent()[-1].text.lower() or "другому" in bot_api.sent()[-1].text.lower()
    assert db.query(Lead).filter_by(phone="+998905554433").one().assigned_id == other.id


def test_checkin_and_checkout(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    link(db, seller, 810)
    chat = tg(810)
    chat.send("/checkin")
    assert "Вы пришли на смену" in bot_api.sent()[-1].text
    chat.send("/checkin")
    assert "уже" in bot_api.sent()[-1].text
    chat.send("/checkout")
    assert "Вы ушли со смены" in bot_api.sent()[-1].text
    shifts = db.query(Shift).filter_by(user_id=seller.id).all()
    assert len(shifts) == 1 and shifts[0].checked_out_at is not None


def test_callbacks_lists_due_ones_and_done_clears_it(tg, bot_api, db, user_of):
    from datetime import timedelta

    from app.core import clock

    seller, other = user_of(Role.SALES), make_user(db, Role.SALES)
    late = make_lead(db, seller, name="Опоздавший", next_callback_at=clock.now() - timedelta(hours=2))
    make_lead(db, seller, name="Через неделю", next_callback_at=clock.now() + timedelta(days=8))
    make_lead(db, other, name="Чужой звонок", next_callback_at=clock.now() - timedelta(hours=1))
    link(db, seller, 811)
    tg(811).send("/callbacks")
    listing = bot_api.sent()[-1]
    assert "⚠️" in listing.text and "Опоздавший" in listing.text
    assert "Через неделю" not in listing.text and "Чужой" not in listing.text
    tg(811).press(data_of(listing, "Готово"))
    db.expire_all()
    assert db.get(Lead, late.id).next_callback_at is None
    assert bot_api.sent("answerCallbackQuery")[-1].params["text"] == "Звонок сделан."
    tg(811).send("/callbacks")
    assert "На сегодня перезвонов нет." in bot_api.sent()[-1].text


def test_callback_data_fits_telegrams_64_bytes_even_for_large_ids(tg, bot_api, db, user_of):
    seller = user_of(Role.SALES)
    lead = make_lead(db, seller, id=2_147_483_000, name="Очень длинное имя клиента " * 5)
    link(db, seller, 812)
    tg(812).press(f"ld:open:{lead.id}")
    buttons = bot_api.sent("editMessageText")[-1].buttons()
    assert buttons and all(len(b["callback_data"].encode()) <= 64 for b in buttons if "callback_data" in b)
