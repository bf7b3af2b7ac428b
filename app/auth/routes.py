"""Login, logout, the token API and every user's own profile (HTML and JSON twins)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app.auth import throttle
from app.auth.cookies import clear_session, set_known_device, set_language_cookie, set_session
from app.auth.crud import users
from app.auth.deps import CurrentUser, DbSession, OptionalUser, client_address, get_settings, token_claims
from app.auth.models import User
from app.auth.schemas import LanguageChange, LoginForm, PasswordChange, TokenRequest, TokenResponse, UserRead
from app.auth.service import authenticate, session_token
from app.auth.sessions import end_all_sessions, end_session
from app.core.errors import Invalid, TooManyRequests
from app.web.forms import PostedForm, submit_values, validate_form
from app.web.i18n import gettext
from app.web.redirects import safe_path
from app.web.templating import render

html_router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["auth"])


def home_of(user: User) -> str:
    """The dashboard a user lands on."""
    return f"/dashboard/{user.role.value}/"


@html_router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str = "") -> Response:
    """The login form; a logged-in user goes straight to their dashboard."""
    if user:
        return RedirectResponse(safe_path(next, fallback=home_of(user)), status_code=303)
    return render(request, "auth/login.html", {"next": next, "errors": {}, "username": ""})


@html_router.post("/login")
def login_submit(request: Request, db: DbSession, form: PostedForm) -> Response:
    """Check credentials; 303 to the dashboard, or the form again with the error by its field."""
    settings = get_settings(request)
    values = {name: str(form.get(name, "")) for name in ("username", "password", "next")}
    values["next"] = values["next"] if len(values["next"]) <= 500 else ""  # an odd address: the dashboard
    data, errors = validate_form(LoginForm, values)
    status_code = 422
    headers = None
    if data is not None:
        address, device = client_address(request), request.cookies.get(throttle.DEVICE_COOKIE)
        try:
            user = authenticate(db, settings, data.username, data.password, address, device)
        except TooManyRequests as exc:
            errors["__all__"] = gettext(exc.message, **exc.params)
            status_code, headers = 429, {"Retry-After": str(exc.retry_after)}
        except Invalid as exc:
            errors["__all__"] = gettext(exc.message)
        else:
            response = RedirectResponse(
                safe_path(data.next, fallback=home_of(user)), status_code=status.HTTP_303_SEE_OTHER
            )
            set_session(request, response, session_token(settings, user, address=address, db=db), user.language)
            set_known_device(request, response, throttle.device_cookie(settings.secret_key, user.username, device))
            return response
    context = {"next": values["next"], "errors": errors, "username": values["username"]}
    return render(request, "auth/login.html", context, status_code=status_code, headers=headers)


@html_router.post("/logout")
def logout(request: Request, db: DbSession) -> Response:
    """End this browser's session on the server, and forget its cookie."""
    claims = token_claims(request)
    if claims:
        end_session(db, claims)
    response = RedirectResponse("/login", status_code=303)
    clear_session(request, response)
    return response


@api_router.post("/auth/token", response_model=TokenResponse)
def issue_api_token(request: Request, db: DbSession, body: TokenRequest) -> TokenResponse | JSONResponse:
    """Exchange username and password for a bearer token (401 wrong, 429 throttled)."""
    settings = get_settings(request)
    address = client_address(request)
    try:
        user = authenticate(
            db, settings, body.username, body.password, address, request.cookies.get(throttle.DEVICE_COOKIE)
        )
    except Invalid as exc:
        return JSONResponse({"detail": gettext(exc.message)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return TokenResponse(access_token=session_token(settings, user, via="bearer", address=address, db=db))


@api_router.post("/auth/logout", status_code=204)
def api_logout(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """End the session of this bearer token (or session cookie) on the server."""
    claims = token_claims(request)
    if claims:
        end_session(db, claims)
    return Response(status_code=204)


# --- profile: every user, their own account -------------------------------------------


def _profile(
    request: Request, user: User, errors: dict | None = None, saved: str = "", status_code: int = 200
) -> HTMLResponse:
    return render(request, "auth/profile.html", {"errors": errors or {}, "saved": saved}, status_code=status_code)


@html_router.get("/profile")
def profile_page(request: Request, user: CurrentUser) -> Response:
    """The user's own profile: language and password."""
    return _profile(request, user)


@html_router.post("/profile/password")
def profile_password(request: Request, form: PostedForm, db: DbSession, user: CurrentUser) -> Response:
    """Change the caller's password; other sessions end, this one is renewed."""
    done, _, errors = submit_values(db, PasswordChange, dict(form), lambda d: users.change_own_password(db, user, d))
    if not done:
        return _profile(request, user, errors, status_code=422)
    response = _profile(request, user, saved="password")
    token = session_token(get_settings(request), user, address=client_address(request), db=db)
    set_session(request, response, token, user.language)
    return response


@html_router.post("/profile/language")
def profile_language(request: Request, form: PostedForm, db: DbSession, user: CurrentUser) -> Response:
    """Switch the caller's interface language."""
    done, _, errors = submit_values(db, LanguageChange, dict(form), lambda d: users.set_language(db, user, d.language))
    if not done:
        return _profile(request, user, errors, status_code=422)
    response = RedirectResponse("/profile", status_code=303)
    set_language_cookie(request, response, done.language)
    return response


@html_router.post("/language")
def switch_language(request: Request, form: PostedForm, db: DbSession, user: OptionalUser) -> Response:
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
def profile_logout_everywhere(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """End every session of the caller, this one included."""
    users.logout_everywhere(db, user)
    end_all_sessions(db, user.id)
    response = RedirectResponse("/login", status_code=303)
    clear_session(request, response)
    return response


@api_router.get("/profile", response_model=UserRead, tags=["profile"])
def api_profile(user: CurrentUser) -> User:
    """The caller's own account."""
    return user


@api_router.post("/profile/password", response_model=TokenResponse, tags=["profile"])
def api_profile_password(request: Request, db: DbSession, user: CurrentUser, body: PasswordChange) -> TokenResponse:
    """Change the caller's password; returns a fresh token (old ones stop working)."""
    users.change_own_password(db, user, body)
    token = session_token(get_settings(request), user, via="bearer", address=client_address(request), db=db)
    return TokenResponse(access_token=token)


@api_router.post("/profile/language", response_model=UserRead, tags=["profile"])
def api_profile_language(db: DbSession, user: CurrentUser, body: LanguageChange) -> User:
    """Switch the caller's interface language."""
    return users.set_language(db, user, body.language)


@api_router.post("/profile/logout-everywhere", status_code=204, tags=["profile"])
def api_profile_logout_everywhere(db: DbSession, user: CurrentUser) -> Response:
    """End every session and token of the caller."""
    users.logout_everywhere(db, user)
    end_all_sessions(db, user.id)
    return Response(status_code=204)
