"""Google Sheets as an import source: a sheet URL or id and a tab, read with gspread 6 and a
service account (google-auth), one values request per tab with unformatted values.

The values are snapshotted at once into the data folder as JSON lines (the header row first),
so the preview and the apply read the same data on any worker. SHEETS_API_BASE points every
request at a stand-in (the service account file's token_uri can point there too).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import Invalid

SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
GOOGLE_API = re.compile(r"^https://[a-z0-9.-]*googleapis\.com")
URL_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
BARE_ID = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
TRIES = 5
TIMEOUT = 30.0
SUFFIX = ".jsonl"


@dataclass(frozen=True)
class SheetRef:
    """A sheet and one of its tabs."""

    sheet_id: str
    tab: str

    @property
    def source(self) -> str:
        """The source its mapping is saved under."""
        return f"gsheet:{self.sheet_id}:{self.tab}"[:200]


def parse_ref(sheet: str, tab: str) -> SheetRef:
    """The sheet id of a pasted URL or id, and the tab; Invalid naming `sheet` or `tab` otherwise."""
    text = (sheet or "").strip()
    found = URL_ID.search(text)
    sheet_id = found.group(1) if found and text.startswith("https://docs.google.com/") else text
    if not BARE_ID.match(sheet_id):
        raise Invalid(
            "Paste the address of a Google Sheet (docs.google.com/spreadsheets/d/...) or its id.", field="sheet"
        )
    name = (tab or "").strip()
    if not name or len(name) > 100:
        raise Invalid("Enter the name of the sheet's tab.", field="tab")
    return SheetRef(sheet_id, name)


def _session(key_file: str, api_base: str) -> Any:
    """An authorised requests session whose Google addresses go to `api_base` when it is set."""
    from google.auth.exceptions import GoogleAuthError
    from google.auth.transport.requests import AuthorizedSession
    from google.oauth2.service_account import Credentials

    class Session(AuthorizedSession):
        __attrs__ = [*AuthorizedSession.__attrs__, "api_base"]

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if self.api_base:
                url = GOOGLE_API.sub(self.api_base, url)
            kwargs.setdefault("timeout", TIMEOUT)
            return super().request(method, url, *args, **kwargs)

    if not key_file or not Path(key_file).is_file():
        raise Invalid("Google Sheets are not set up: ask for GOOGLE_SERVICE_ACCOUNT_FILE to be set.", field="sheet")
    try:
        credentials = Credentials.from_service_account_file(key_file, scopes=SCOPES)
    except (ValueError, KeyError, GoogleAuthError) as exc:
        raise Invalid("Google Sheets are not set up: the service account file is not valid.", field="sheet") from exc
    session = Session(credentials)
    session.api_base = api_base.rstrip("/")
    return session


def _retrying(call: Callable[[], Any], pause: float) -> Any:
    """Run a Sheets call, waiting and trying again on 429 (too many requests) with backoff."""
    from gspread.exceptions import APIError

    for attempt in range(TRIES):
        try:
            return call()
        except APIError as exc:
            if exc.response.status_code != 429 or attempt == TRIES - 1:
                raise
            wait = exc.response.headers.get("Retry-After", "")
            time.sleep(float(wait) if wait.isdigit() else pause * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def fetch(ref: SheetRef, key_file: str, api_base: str = "", pause: float = 1.0) -> list[list[Any]]:
    """The tab's rows (header first) as unformatted values; Invalid with the reason people can act on."""
    import gspread
    from google.auth.exceptions import GoogleAuthError
    from gspread.exceptions import APIError
    from requests import RequestException

    session = _session(key_file, api_base)
    http = gspread.Client(auth=None, session=session).http_client
    try:
        meta = _retrying(
            lambda: http.fetch_sheet_metadata(ref.sheet_id, params={"fields": "sheets.properties.title"}), pause
        )
        tabs = [s.get("properties", {}).get("title", "") for s in meta.get("sheets", [])]
        if ref.tab not in tabs:
            raise Invalid(
                "The sheet has no tab %(tab)s (it has: %(tabs)s).", field="tab", tab=ref.tab, tabs=", ".join(tabs)
            )
        quoted = "'" + ref.tab.replace("'", "''") + "'"
        params = {"valueRenderOption": "UNFORMATTED_RESULT", "dateTimeRenderOption": "SERIAL_NUMBER"}
        values = _retrying(lambda: http.values_get(ref.sheet_id, quoted, params=params), pause)
    except APIError as exc:
        raise _api_error(exc.response.status_code, session.credentials.service_account_email) from exc
    except GoogleAuthError as exc:
        raise Invalid("Google refused the service account: check GOOGLE_SERVICE_ACCOUNT_FILE.", field="sheet") from exc
    except RequestException as exc:
        raise Invalid("Google Sheets cannot be reached now: try again later.", field="sheet") from exc
    return values.get("values", [])


@dataclass(frozen=True)
class SheetsAccess:
    """How to reach Google Sheets: the service account's key file, the API base, the first backoff pause."""

    key_file: str
    api_base: str = ""
    pause: float = 1.0

    def fetch(self, ref: SheetRef) -> list[list[Any]]:
        """The tab's rows, header first (see `fetch`)."""
        return fetch(ref, self.key_file, self.api_base, self.pause)


def _api_error(code: int, email: str) -> Invalid:
    if code in (401, 403):
        return Invalid("No access to the sheet: share it with %(email)s (as a viewer).", field="sheet", email=email)
    if code == 404:
        return Invalid("No such Google Sheet: check the address.", field="sheet")
    if code == 429:
        return Invalid("Google Sheets asks to wait: try again in a minute.", field="sheet")
    return Invalid("Google Sheets answered with an error (%(code)s): try again later.", field="sheet", code=code)


def store_snapshot(rows: list[list[Any]], folder: Path) -> str:
    """Write the rows as JSON lines under `folder`; the file's name. Invalid when the tab is empty."""
    if not rows or not any(str(c).strip() for c in rows[0]):
        raise Invalid("The tab is empty: its first row must hold the column names.", field="tab")
    name = f"{secrets.token_hex(16)}{SUFFIX}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    with target.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")
    return name
