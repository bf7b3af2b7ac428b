"""The bot's conversations (FSM): the next message is a comment, a lost reason, a name, a phone."""

from aiogram.fsm.state import State, StatesGroup


class LeadForm(StatesGroup):
    """Waiting for text about one lead (its id is in the state data)."""

    comment = State()
    lost_reason = State()


class NewLead(StatesGroup):
    """/newlead: the name, then the phone."""

    name = State()
    phone = State()
