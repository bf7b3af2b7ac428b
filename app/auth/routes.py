"""Login, logout, the token API and every user's own profile (HTML and JSON twins)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.auth.cookies import clear_session, set_language_cookie, set_session
from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession, OptionalUser, client_address, get_settings
from app.auth.schemas import LanguageChange, LoginForm, PasswordChange, TokenRequest, TokenResponse, UserRead
from app.auth.service import authenticate, session_token
from app.core.errors import Invalid, TooManyRequests
from app.web.forms import PostedForm, submit_values, validate_form
from app.web.i18n import gettext
from app.web.redirects import safe_path
from app.web.templating import render

html_router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["auth"])


def home_of(user) -> str:
    """The dashboard a user lands on."""
    return f"/dashboard/{user.role.value}/"


@html_router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str = ""):
    """The login form; a logged-in user goes straight to their dashboard."""
    if user:
        return RedirectResponse(safe_path(next, fallback=home_of(user)), status_code=303)
    return render(request, "auth/login.html", {"next": next, "errors": {}, "username": ""})


@html_router.post("/login")
def login_submit(request: Request, db: DbSession, form: PostedForm):
    """Check credentials; 303 to the dashboard, or the form again with the error by its field."""
    settings = get_settings(request)
    values = {name: str(form.get(name, "")) for name in ("username", "password", "next")}
    values["next"] = values["next"] if len(values["next"]) <= 500 else ""  # an odd address: the dashboard
    data, errors = validate_form(LoginForm, values)
    status_code = 422
    headers = None
    if data is not None:
        try:
            user = authenticate(db, settings, data.username, data.password, client_address(request))
        except TooManyRequests as exc:
            errors["__all__"] = gettext(exc.message, **exc.params)
            status_code, headers = 429, {"Retry-After": str(exc.retry_after)}
        except Invalid as exc:
            errors["__all__"] = gettext(exc.message)
        else:
            response = RedirectResponse(
                safe_path(data.next, fallback=home_of(user)), status_code=status.HTTP_303_SEE_OTHER
            )
            set_session(request, response, session_token(settings, user), user.language)
            return response
    context = {"next": values["next"], "errors": errors, "username": values["username"]}
    return render(request, "auth/login.html", context, status_code=status_code, headers=headers)


@html_router.post("/logout")
def logout(request: Request):
    """End this browser's session."""
    response = RedirectResponse("/login", status_code=303)
    clear_session(request, response)
    return response


@api_router.post("/auth/token", response_model=TokenResponse)
def issue_api_token(request: Request, db: DbSession, body: TokenRequest):
    """Exchange username and password for a bearer token (401 wrong, 429 throttled)."""
    settings = get_settings(request)
    try:
        user = authenticate(db, settings, body.username, body.password, client_address(request))
    except Invalid as exc:
        return JSONResponse({"detail": gettext(exc.message)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return TokenResponse(access_token=session_token(settings, user))


# --- profile: every user, their own account -------------------------------------------


def _profile(request: Request, user, errors: dict | None = None, saved: str = "", status_code: int = 200):
    return render(request, "auth/profile.html", {"errors": errors or {}, "saved": saved}, status_code=status_code)


@html_router.get("/profile")
def profile_page(request: Request, user: CurrentUser):
    """The user's own profile: language and password."""
    return _profile(request, user)


@html_router.post("/profile/password")
def profile_password(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
    """Change the caller's password; other sessions end, this one is renewed."""
    done, _, errors = submit_values(db, PasswordChange, dict(form), lambda d: users.change_own_password(db, user, d))
    if not done:
        return _profile(request, user, errors, status_code=422)
    response = _profile(request, user, saved="password")
    set_session(request, response, session_token(get_settings(request), user), user.language)
    return response


@html_router.post("/profile/language")
def profile_language(request: Request, form: PostedForm, db: DbSession, user: CurrentUser):
    """Switch the caller's interface language."""
    done, _, errors = submit_values(db, LanguageChange, dict(form), lambda d: users.set_language(db, user, d.language))
    if not done:
        return _profile(request, user, errors, status_code=422)
    response = RedirectResponse("/profile", status_code=303)
    set_language_cookie(request, response, done.language)
    return response


@html_router.post("/language")
def switch_language(request: Request, form: PostedForm, db: DbSession, user: OptionalUser):
    """The language switch of the public header: remember the language in this browser (and in a
    logged-in user's profile), then back to the page it was pressed on."""
    data, _ = validate_form(LanguageChange, {"language": form.get("language", "")})
    if data is None:
        raise Invalid("Choose Russian or English.", field="language")
    if user is not None and user.language != data.language:
        users.set_language(db, user, data.language)
    response = RedirectResponse(safe_path(form.get("next", ""), fallback="/"), status_code=303)
    set_language_cookie(request, response, data.language)
    return response


@html_router.post("/profile/logout-everywhere")
def profile_logout_everywhere(request: Request, db: DbSession, user: CurrentUser):
    """End every session of the caller, this one included."""
    users.logout_everywhere(db, user)
    response = RedirectResponse("/login", status_code=303)
    clear_session(request, response)
    return response


@api_router.get("/profile", response_model=UserRead, tags=["profile"])
def api_profile(user: CurrentUser):
    """The caller's own account."""
    return user


@api_router.post("/profile/password", response_model=TokenResponse, tags=["profile"])
def api_profile_password(request: Request, db: DbSession, user: CurrentUser, body: PasswordChange):
    """Change the caller's password; returns a fresh token (old ones stop working)."""
    users.change_own_password(db, user, body)
    return TokenResponse(access_token=session_token(get_settings(request), user))


@api_router.post("/profile/language", response_model=UserRead, tags=["profile"])
def api_profile_language(db: DbSession, user: CurrentUser, body: LanguageChange):
    """Switch the caller's interface language."""
    return users.set_language(db, user, body.language)


@api_router.post("/profile/logout-everywhere", status_code=204, tags=["profile"])
def api_profile_logout_everywhere(db: DbSession, user: CurrentUser):
    """End every session and token of the caller."""
    users.logout_everywhere(db, user)
    return Response(status_code=204)
