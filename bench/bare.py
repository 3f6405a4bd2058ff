"""A bare Starlette app with one ~2 KB HTML page: the ceiling the forum is measured against."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

_ITEMS = "\n".join(
    f'      <li><a href="/t/{n}">Topic number {n} about the street party</a> '
    f"<span>by neighbour{n:02d}</span></li>"
    for n in range(1, 21)
)
PAGE = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Porchlight bench: bare page</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
  </head>
  <body>
    <h1>Neighbourhood news</h1>
    <ul>
{_ITEMS}
    </ul>
  </body>
</html>
"""


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


app = Starlette(routes=[Route("/", page, methods=["GET"])])
