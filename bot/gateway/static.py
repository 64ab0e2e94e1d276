"""The widget's and the console's files, from bot/static (written without a build step).

`/widget.js`, `/widget.css`; `/console` → console/index.html; the console's own files at
`/console/<file>` (e.g. /console/console.js) and, equally, `/console/static/<path>`.
Every response under /console gets the console's strict Content-Security-Policy from
bot/gateway/middleware.py (`SecurityHeaders`), whichever path serves the page.
"""
from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from bot.gateway.errors import ApiError

STATIC = Path(__file__).resolve().parents[1] / "static"
CONSOLE = STATIC / "console"
NO_CACHE = {"Cache-Control": "no-cache"}

routes = APIRouter(tags=["static"])


def _file(path: Path, media_type: str, headers: dict[str, str] | None = None) -> FileResponse:
    if not path.is_file():
        raise ApiError(404, "not_found", f"{path.name} is not there yet.")
    return FileResponse(path, media_type=media_type, headers={**NO_CACHE, **(headers or {})})


@routes.get("/widget.js", include_in_schema=False)
async def widget_js() -> FileResponse:
    return _file(STATIC / "widget.js", "text/javascript; charset=utf-8")


@routes.get("/widget.css", include_in_schema=False)
async def widget_css() -> FileResponse:
    return _file(STATIC / "widget.css", "text/css; charset=utf-8")


def console_html(path: Path) -> FileResponse:
    """A page of the console (the main one, or a lead's page such as the review queue)."""
    return _file(path, "text/html; charset=utf-8")


@routes.get("/console", include_in_schema=False)
@routes.get("/console/", include_in_schema=False)
async def console_page() -> FileResponse:
    return console_html(CONSOLE / "index.html")


CONSOLE_FILE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(js|css|svg|png|ico|woff2)$")


@routes.get("/console/{name}", include_in_schema=False)
async def console_file(name: str) -> FileResponse:
    """A file of the console's folder, by name (no sub-folders, no dot-files)."""
    if not CONSOLE_FILE.match(name):
        raise ApiError(404, "not_found", "No such console file.")
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return _file(CONSOLE / name, media_type)


def console_files() -> StaticFiles:
    return StaticFiles(directory=CONSOLE, check_dir=False)
