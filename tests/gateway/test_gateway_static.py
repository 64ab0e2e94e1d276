"""The gateway serves the widget's and the console's files."""
from __future__ import annotations

import re

import pytest
import requests

from bot.gateway.static import CONSOLE, STATIC


def test_the_widget_script_and_styles_are_served(gateway):
    script = requests.get(f"{gateway.url}/widget.js", timeout=10)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.text == (STATIC / "widget.js").read_text()
    styles = requests.get(f"{gateway.url}/widget.css", timeout=10)
    assert styles.status_code == 200 and styles.headers["content-type"].startswith("text/css")


def test_the_console_page_is_served_with_a_strict_content_security_policy(gateway):
    page = requests.get(f"{gateway.url}/console", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_the_consoles_own_files_are_served(gateway):
    """At /console/<file> (what the pages link) and /console/static/<file> alike. The pages
    themselves have their own routes (/console, /console/review)."""
    files = [p for p in CONSOLE.rglob("*") if p.is_file() and p.suffix != ".html"]
    assert files, "bot/static/console has no files besides its pages"
    for path in files:
        name = path.relative_to(CONSOLE)
        for url in (f"{gateway.url}/console/static/{name}", f"{gateway.url}/console/{name}"):
            response = requests.get(url, timeout=10)
            assert response.status_code == 200, url
            assert response.content == path.read_bytes()


def test_the_files_the_console_page_links_are_served(gateway):
    page = requests.get(f"{gateway.url}/console", timeout=10).text
    for link in re.findall(r'(?:src|href)="(/console/[^"]+)"', page):
        assert requests.get(f"{gateway.url}{link}", timeout=10).status_code == 200, link


def test_paths_outside_the_static_folder_are_not_served(gateway):
    for path in ("/console/static/..%2F..%2Fconfig.py", "/console/..%2Fconfig.py",
                 "/console/.hidden.js", "/console/index.py"):
        assert requests.get(f"{gateway.url}{path}", timeout=10).status_code == 404, path


@pytest.mark.parametrize("path", ["/console/static/index.html", "/console/static/console.js",
                                  "/console/console.css", "/console/api/me", "/console/"])
def test_every_console_path_carries_the_content_security_policy(gateway, path):
    """However the console page is reached (its static folder serves index.html too)."""
    response = requests.get(f"{gateway.url}{path}", timeout=10)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
