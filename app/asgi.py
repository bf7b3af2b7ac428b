"""The ASGI application object that servers import (`app.asgi:app`)."""

from app.main import configure_logging, create_app
from settings import settings

configure_logging(settings.log_level)
app = create_app(settings)
