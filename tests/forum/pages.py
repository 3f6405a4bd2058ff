"""Using the forum's HTML pages as a browser does: CSRF tokens, form posts, signing in, joining."""

from __future__ import annotations

import re

import httpx

from tests import factories

CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


async def submit(http: httpx.AsyncClient, path: str, csrf: str, **fields: str) -> httpx.Response:
    """POST a form as the browser would, with the page's CSRF token."""
    return await http.post(path, data={**fields, "csrf_token": csrf})


async def form_token(http: httpx.AsyncClient, path: str) -> str:
    """Open a page as a browser would (which also sets the anonymous CSRF cookie)."""
    response = await http.get(path)
    assert response.status_code == 200, response.text[:300]
    return csrf_from(response.text)


async def sign_in(
    http: httpx.AsyncClient, username: str, password: str = factories.PASSWORD
) -> httpx.Response:
    """Sign in through the HTML form: GET /login for the token, then POST it back."""
    token = await form_token(http, "/login")
    return await submit(http, "/login", token, username=username, password=password)


async def join(
    http: httpx.AsyncClient, csrf: str, username: str, email: str, password: str, **more: str
) -> httpx.Response:
    """Send the sign-up form at /register; more holds the optional fields (display_name, invite)."""
    return await submit(
        http, "/register", csrf, username=username, email=email, password=password, **more
    )


def reply_form_shown(html: str) -> bool:
    return 'action="/t/' in html and "/reply?page=" in html
