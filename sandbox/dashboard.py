"""The demo client dashboard: what a signed-in client sees, with the support widget embedded.

Pure HTML rendering from plain values (the route gathers them); every value is escaped. The widget
is one script tag pointing at the gateway, carrying a short-lived identity token that the route
signs per page load (empty on the signed-out page).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from sandbox.money import format_money
from sandbox.times import ensure_utc, zone, zone_label


@dataclass(frozen=True)
class Connection:
    id: str
    name: str
    title: str


@dataclass(frozen=True)
class UpcomingSession:
    start: datetime
    service: str
    professional: str
    minutes: int
    paid_with_credits: bool


@dataclass(frozen=True)
class UnpaidInvoice:
    id: str
    number: str
    amount_minor: int
    currency: str
    service: str
    professional: str


@dataclass(frozen=True)
class LinkOffer:
    """A fresh link code, just issued, and how to use it."""

    code: str
    expires_at: datetime
    telegram_bot: str | None  # the bot's username, for the t.me deep link


@dataclass(frozen=True)
class DashboardData:
    client_id: str
    client_name: str
    first_name: str
    hub_name: str
    hub_slug: str
    organisation: str
    credits_allowance: int
    credits_remaining: int
    period_end: date
    connections: list[Connection]
    upcoming: list[UpcomingSession]
    unpaid: list[UnpaidInvoice]
    link: LinkOffer | None = None
    time_zone: str = "UTC"


@dataclass(frozen=True)
class DemoClient:
    id: str
    name: str
    organisation: str
    credits: str


AVATAR_COLOURS = ("#1f6feb", "#8250df", "#bf3989", "#0a7f5a", "#9a6700", "#cf222e", "#1b7c83")

STYLE = """
*{box-sizing:border-box}
body{margin:0;
 font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 background:#f5f7fa;color:#1f2328;line-height:1.5}
a{color:#0b5cd5}
.topbar{background:#fff;border-bottom:1px solid #e3e7ec}
.topbar-inner{max-width:64rem;margin:0 auto;padding:.75rem 1.25rem;display:flex;
 align-items:center;gap:1.5rem}
.brand{display:flex;align-items:center;gap:.6rem;font-weight:650;color:#1f2328;
 text-decoration:none}
.brand-mark{width:2rem;height:2rem;border-radius:.6rem;background:#1f6feb;color:#fff;
 display:grid;place-items:center;font-weight:700}
.nav{display:flex;gap:1.25rem;margin-left:auto;font-size:.95rem}
.nav a{color:#57606a;text-decoration:none}
.nav a[aria-current]{color:#1f2328;font-weight:600}
.me{width:2.1rem;height:2.1rem;border-radius:50%;display:grid;place-items:center;color:#fff;
 font-size:.85rem;font-weight:650}
main{max-width:64rem;margin:0 auto;padding:1.75rem 1.25rem 6rem}
h1{font-size:1.7rem;margin:0 0 .25rem}
h2{font-size:1.15rem;margin:0 0 1rem}
.lead{color:#57606a;margin:0 0 1.75rem}
.card{background:#fff;border:1px solid #e3e7ec;border-radius:.9rem;padding:1.25rem 1.4rem;
 margin:0 0 1.25rem}
.credits{display:flex;align-items:center;gap:1.25rem;flex-wrap:wrap}
.credits-number{font-size:2rem;font-weight:700;color:#1f6feb;line-height:1}
.meter{flex:1 1 12rem;height:.55rem;background:#e8eef7;border-radius:1rem;overflow:hidden}
.meter span{display:block;height:100%;background:#1f6feb;border-radius:1rem}
.muted{color:#57606a;font-size:.92rem}
.connections{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:1rem}
.person{border:1px solid #e3e7ec;border-radius:.8rem;padding:1.1rem;text-align:center}
.avatar{width:4.2rem;height:4.2rem;border-radius:50%;margin:0 auto .6rem;display:grid;
 place-items:center;color:#fff;font-weight:650;font-size:1.3rem}
.person-name{font-weight:600}
.person-title{color:#57606a;font-size:.9rem;margin-bottom:.8rem}
.button{display:inline-block;background:#1f6feb;color:#fff;text-decoration:none;
 border-radius:.55rem;padding:.5rem 1rem;font-weight:600;font-size:.95rem;border:0}
.button:hover{background:#1a5fd0}
.button:focus-visible{outline:3px solid #8fb8ff;outline-offset:2px}
.button.secondary{background:#fff;color:#0b5cd5;border:1px solid #c9d6ea}
.sessions{list-style:none;margin:0;padding:0}
.sessions li{display:flex;gap:1rem;align-items:center;padding:.8rem 0;
 border-top:1px solid #eef1f4}
.sessions li:first-child{border-top:0;padding-top:0}
.date{min-width:3.6rem;text-align:center;border-radius:.6rem;background:#eef4ff;color:#0b5cd5;
 padding:.35rem 0;font-weight:650;line-height:1.15}
.date small{display:block;font-weight:500;font-size:.75rem;text-transform:uppercase}
.tag{display:inline-block;font-size:.78rem;border-radius:1rem;padding:.05rem .55rem;
 background:#eef1f4;color:#424a53;margin-left:.35rem}
.tag.warn{background:#fff4d6;color:#7a4d00}
.notice{border-left:4px solid #d4a72c;background:#fffbea}
.hub{display:flex;align-items:center;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.link-code{font-size:2rem;font-weight:700;letter-spacing:.3rem;font-family:ui-monospace,
 SFMono-Regular,Menlo,monospace;color:#1f2328;margin:.25rem 0 .5rem}
code{background:#eef1f4;border-radius:.3rem;padding:.05rem .3rem}
.demo-list{list-style:none;padding:0;margin:0;display:grid;gap:.75rem}
.demo-list a{font-weight:600}
.brand-mark,.me{flex:none}
@media (max-width:640px){.nav{display:none}.me{margin-left:auto}main{padding-top:1.25rem}}
"""


def _initials(name: str) -> str:
    words = [w for w in name.replace("Dr.", "").split() if w[:1].isalpha()]
    return "".join(w[0] for w in (words[:1] + words[-1:] if len(words) > 1 else words)).upper()


def _colour(key: str) -> str:
    return AVATAR_COLOURS[zlib.crc32(key.encode()) % len(AVATAR_COLOURS)]


def _when(start: datetime, now: datetime) -> str:
    """'in 3 days', 'in 20 hours', 'in 45 minutes'."""
    seconds = max(0, int((start - now).total_seconds()))
    if seconds >= 2 * 86400:
        return f"in {seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"in {seconds // 3600} hours"
    minutes = max(1, seconds // 60)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


# Every few seconds while the page is in view (and at once when it comes back into view), the
# account sections are fetched again and replaced if they changed: a booking made in the chat
# shows here without a reload.
REFRESH_SECONDS = 5
REFRESH_SCRIPT = """
(function () {
  var box = document.getElementById("account");
  if (!box) return;
  var url = box.getAttribute("data-refresh-url");
  var every = Number(box.getAttribute("data-refresh-seconds")) * 1000;
  var busy = false;
  function refresh() {
    if (busy || document.visibilityState !== "visible") return;
    busy = true;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && html !== box.innerHTML) box.innerHTML = html; })
      .catch(function () { /* the next tick tries again */ })
      .finally(function () { busy = false; });
  }
  setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
  window.addEventListener("focus", refresh);
})();
"""


def widget_tag(gateway_url: str, identity_token: str, token_url: str | None = None) -> str:
    """The one script tag that embeds the support widget; with `token_url`, where the widget
    gets a fresh identity token when it needs one (its conversation's sign-in is older than the
    gateway allows, or the page's token expired): a URL of this site answering
    `{"identity_token"}` for the signed-in client."""
    gateway = escape(gateway_url)
    token_source = (f' data-identity-token-url="{escape(token_url)}"'
                    if token_url is not None else "")
    return (f'<script src="{gateway}/widget.js" data-gateway="{gateway}" '
            f'data-identity-token="{escape(identity_token)}"{token_source} defer></script>')


def link_section(client_id: str, link: LinkOffer | None, time_zone: str = "UTC") -> str:
    """The "Link Slack or Telegram" card: a button that issues a code, then the code and what to
    do with it, with when it expires on the client's own clock."""
    action = f"/dashboard/{escape(client_id)}/link-code"
    if link is None:
        intro = ("<div class='muted'>Chat with the assistant on Slack or Telegram too: get a "
                 "one-time code and send it to the Wellbeing Hub bot.</div>")
        label = "Link Slack or Telegram"
    else:
        code = escape(link.code)
        until = ensure_utc(link.expires_at).astimezone(zone(time_zone)).strftime("%H:%M")
        deep_link = ""
        if link.telegram_bot:
            shown = f"t.me/{escape(link.telegram_bot)}?start={code}"
            deep_link = f", or open <a href='https://{shown}'>{shown}</a>"
        intro = (f"<div class='link-code' data-testid='link-code'>{code}</div>"
                 f"<div>Send <code>link {code}</code> to the Wellbeing Hub bot on Slack or "
                 f"Telegram{deep_link}.</div>"
                 f"<div class='muted'>The code works once, until "
                 f"{escape(until)} "
                 f"{escape(zone_label(time_zone))} (10 minutes). Send "
                 "<code>unlink</code> to the bot to undo the link.</div>")
        label = "Get a new code"
    return ("<section class='card hub' aria-labelledby='link-h' aria-live='polite'>"
            f"<div><h2 id='link-h' style='margin:0'>Slack and Telegram</h2>{intro}</div>"
            f"<form method='post' action='{action}'>"
            f"<button class='button secondary' type='submit'>{label}</button></form></section>")


def _page(title: str, hub_name: str, body: str, widget: str, me: str = "") -> str:
    avatar = (f'<span class="me" style="background:{_colour(me)}" aria-hidden="true">'
              f'{escape(_initials(me))}</span>') if me else ""
    links = ('<a href="#" aria-current="page">Dashboard</a><a href="#">Bookings</a>'
             '<a href="#">Payments</a><a href="#">Settings</a>'
             if me else '<a href="/dashboard">Demo clients</a>')
    nav = f'<nav class="nav" aria-label="Main">{links}</nav>'
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<link rel='icon' href='data:,'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header class='topbar'><div class='topbar-inner'><a class='brand' href='/dashboard'>"
        f"<span class='brand-mark' aria-hidden='true'>W</span>{escape(hub_name)}</a>{nav}{avatar}"
        f"</div></header><main>{body}</main>{widget}</body></html>"
    )


def account_sections(data: DashboardData, now: datetime) -> str:
    """Credits, unpaid invoices, connections and upcoming sessions: the parts of the dashboard
    that change when the client books or pays (refreshed in place, `REFRESH_SCRIPT`)."""
    local = zone(data.time_zone)
    remaining_share = 0 if not data.credits_allowance else (
        100 * data.credits_remaining // data.credits_allowance)
    credits = (
        "<section class='card credits' aria-labelledby='credits-h'>"
        f"<div class='credits-number'>{data.credits_remaining}</div>"
        f"<div><h2 id='credits-h' style='margin:0'>Sponsored credits left</h2>"
        f"<div class='muted'>{data.credits_remaining} of {data.credits_allowance} from "
        f"{escape(data.organisation)}, until {data.period_end.day} "
        f"{escape(data.period_end.strftime('%B %Y'))}</div></div>"
        "<div class='meter' role='presentation'>"
        f"<span style='width:{remaining_share}%'></span></div>"
        "</section>"
    )
    if data.connections:
        people = "".join(
            "<div class='person'>"
            f"<div class='avatar' style='background:{_colour(c.id)}' aria-hidden='true'>"
            f"{escape(_initials(c.name))}</div>"
            f"<div class='person-name'>{escape(c.name)}</div>"
            f"<div class='person-title'>{escape(c.title)}</div>"
            f"<a class='button' href='/hubs/{escape(data.hub_slug)}' "
            f"aria-label='Book session with {escape(c.name)}'>Book session</a></div>"
            for c in data.connections
        )
        connections = f"<div class='connections'>{people}</div>"
    else:
        connections = ("<p class='muted'>No connections yet. Book a first session with a "
                       "professional of your hub and they will appear here.</p>")
    if data.upcoming:
        rows = "".join(
            "<li>"
            f"<div class='date'>{s.start.astimezone(local).day}"
            f"<small>{escape(s.start.astimezone(local).strftime('%b'))}</small></div>"
            f"<div><strong>{escape(s.service)}</strong> with {escape(s.professional)}"
            f"<div class='muted'>{escape(s.start.astimezone(local).strftime('%A %H:%M'))} "
            f"{escape(zone_label(data.time_zone))} · {s.minutes} min · "
            f"{escape(_when(s.start, now))}"
            + ("<span class='tag'>Paid with credits</span>" if s.paid_with_credits else "")
            + ("<span class='tag warn'>Within 24 hours</span>"
               if (s.start - now).total_seconds() < 86400 else "")
            + "</div></div></li>"
            for s in data.upcoming
        )
        upcoming = f"<ul class='sessions'>{rows}</ul>"
    else:
        upcoming = "<p class='muted'>No upcoming sessions.</p>"
    unpaid = "".join(
        "<section class='card notice' aria-label='Unpaid invoice'>"
        f"<strong>Invoice {escape(i.number)} is unpaid</strong>"
        f"<div class='muted'>{escape(i.service)} with {escape(i.professional)} · "
        f"{escape(format_money(i.amount_minor, i.currency))}</div>"
        f"<p style='margin:.6rem 0 0'><a class='button secondary' href='/pay/{escape(i.id)}'>"
        "View and pay</a></p></section>"
        for i in data.unpaid
    )
    return (
        f"{credits}{unpaid}"
        "<section class='card' aria-labelledby='connections-h'>"
        f"<h2 id='connections-h'>My connections</h2>{connections}</section>"
        "<section class='card' aria-labelledby='sessions-h' data-testid='upcoming-sessions'>"
        f"<h2 id='sessions-h'>Upcoming sessions</h2>{upcoming}</section>"
    )


def client_dashboard(data: DashboardData, now: datetime, gateway_url: str, token: str,
                     token_url: str | None = None) -> str:
    """The signed-in client's dashboard; `token_url` gives the widget fresh identity tokens."""
    refresh_url = f"/dashboard/{data.client_id}/account"
    body = (
        f"<h1>Hi {escape(data.first_name)}</h1>"
        "<p class='lead'>Here is what is coming up. Questions? The support chat in the corner "
        "is there for you.</p>"
        f"<div id='account' data-testid='account' data-refresh-url='{escape(refresh_url)}' "
        f"data-refresh-seconds='{REFRESH_SECONDS}'>{account_sections(data, now)}</div>"
        "<section class='card hub' aria-labelledby='hub-h'>"
        f"<div><h2 id='hub-h' style='margin:0'>My Wellbeing Hub</h2>"
        f"<div class='muted'>{escape(data.hub_name)}: find professionals and book sessions."
        f"</div></div><a class='button' href='/hubs/{escape(data.hub_slug)}'>Go to Hub</a>"
        "</section>"
        f"{link_section(data.client_id, data.link, data.time_zone)}"
        f"<script>{REFRESH_SCRIPT}</script>"
    )
    return _page(f"Dashboard · {data.hub_name}", data.hub_name, body,
                 widget_tag(gateway_url, token, token_url), me=data.client_name)


def signed_out_page(gateway_url: str) -> str:
    """A visitor who is not signed in: the widget answers help topics only."""
    body = (
        "<h1>Welcome to your Wellbeing Hub</h1>"
        "<p class='lead'>You are not signed in. Sign in or create an account to claim your "
        "sponsored credits.</p>"
        "<section class='card hub'><div><h2 style='margin:0'>Already have an account?</h2>"
        "<div class='muted'>Sign in to see your connections, sessions and credits.</div></div>"
        "<a class='button' href='/dashboard'>Sign in</a></section>"
        "<p class='muted'>Questions before you start? Ask the support chat in the corner.</p>"
    )
    return _page("Wellbeing Hub", "Wellbeing Hub", body, widget_tag(gateway_url, ""))


def demo_index(clients: list[DemoClient]) -> str:
    """The demo clients, each a link to their dashboard, and the signed-out page."""
    items = "".join(
        f"<li class='card'><a href='/dashboard/{escape(c.id)}'>{escape(c.name)}</a>"
        f"<div class='muted'>{escape(c.organisation)} · {escape(c.credits)}</div></li>"
        for c in clients
    )
    body = (
        "<h1>Demo client dashboards</h1>"
        "<p class='lead'>Open a demo client's dashboard as that client (signed in), with the "
        "support chat in the corner.</p>"
        f"<ul class='demo-list'>{items}<li class='card'><a href='/dashboard/signed-out'>"
        "Signed out</a><div class='muted'>A visitor who is not signed in</div></li></ul>"
    )
    return _page("Demo client dashboards", "Wellbeing Hubs sandbox", body, "")


def message_page(title: str, message: str) -> str:
    """A plain page for the errors a person may meet (unknown client, missing secret)."""
    body = (f"<h1>{escape(title)}</h1><p class='lead'>{escape(message)}</p>"
            "<p><a href='/dashboard'>Demo client dashboards</a></p>")
    return _page(title, "Wellbeing Hubs sandbox", body, "")
