"""The Mini App's JSON endpoints: ``/app/api/...``, each request signed in with initData.

Reads go through ``bot.workflow.queries``; every action calls the same use case the chat's
buttons call (``bot.workflow.review``, ``corrections``, ``flags``, the engine's held
decisions), so the rules, the audit entries, the race safety and the admin chat's cards are
the chat's. Editors may read their own articles; every action is for admins.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.timeparse import local_to_utc
from bot.views.replies import outcome_text
from bot.webapp import actions
from bot.webapp.auth import AuthError, Viewer, authenticate
from bot.webapp.context import CONTEXT, WebAppContext
from bot.webapp.errors import RequestError
from bot.webapp.serialize import calendar_json, sheet_json
from bot.webapp.strings import auth_error_text, page_strings, request_error_text
from bot.workflow import queries
from bot.workflow.results import Outcome, Result

log = logging.getLogger(__name__)

PREFIX = "/app/api"
VIEWER: web.RequestKey[Viewer] = web.RequestKey("newsroom_viewer", Viewer)
PUBLISHED_WINDOW = timedelta(hours=24)
# A time this far in the past is a slip of the finger, not "publish now".
_PAST_SLACK = timedelta(minutes=1)
_TAGS = re.compile(r"<[^>]+>")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Outcomes of a use case as HTTP statuses: a lost race is a conflict, a refusal unprocessable.
_STATUS = {
    Outcome.NOT_FOUND: 404,
    Outcome.WRONG_STATE: 409,
    Outcome.NOT_YOURS: 403,
    Outcome.NO_CHANNEL: 422,
    Outcome.NO_SLOT: 422,
    Outcome.INVALID: 422,
}


def ctx_of(request: web.Request) -> WebAppContext:
    return request.app[CONTEXT]


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    # no-store: answers hold unpublished copy; no proxy or browser cache keeps them.
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


@web.middleware
async def signed_in(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every API request: a valid, fresh initData of a staff member, or 401/403 and nothing
    done; the answer's texts in the viewer's language."""
    if not request.path.startswith(PREFIX + "/"):
        return await handler(request)
    ctx = ctx_of(request)
    try:
        viewer = await authenticate(
            request.headers.get("Authorization"),
            token=ctx.token,
            settings=ctx.desk.settings,
            db=ctx.desk.db,
            now=ctx.desk.clock.now(),
        )
    except AuthError as exc:
        log.info("mini app: refused %s %s (%s)", request.method, request.path, exc.code)
        with ctx.languages.locale(ctx.desk.settings.default_language):
            text = auth_error_text(exc.code)
        return _json({"error": exc.code, "message": text}, status=exc.status)
    request[VIEWER] = viewer
    with ctx.languages.locale(viewer.language):
        try:
            return await handler(request)
        except RequestError as exc:
            text = request_error_text(exc.code).format(**exc.fmt)
            return _json({"error": exc.code, "message": text}, status=exc.status)


def _viewer(request: web.Request) -> Viewer:
    return request[VIEWER]


def _admin(request: web.Request) -> Viewer:
    viewer = _viewer(request)
    if not viewer.is_admin:
        raise RequestError(403, "admins_only")
    return viewer


async def _body(request: web.Request) -> dict[str, Any]:
    """The action's JSON object. Only ``application/json`` is read: a cross-site form post
    cannot send it without a CORS preflight, which this server never grants."""
    if request.content_type != "application/json":
        raise RequestError(415, "bad_json")
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        raise RequestError(400, "bad_json") from None
    if not isinstance(body, dict):
        raise RequestError(400, "bad_json")
    return body


def _article_id(request: web.Request) -> int:
    raw = request.match_info["article_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 11:
        raise RequestError(404, "not_found")
    return int(raw)


def parse_at(raw: Any, ctx: WebAppContext) -> datetime:
    """An ISO 8601 time; one without an offset is the newsroom's wall time."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 40:
        raise RequestError(400, "bad_time")
    try:
        at = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise RequestError(400, "bad_time") from None
    tz = ctx.desk.settings.tz
    at = local_to_utc(at, tz, nonexistent="shift") if at.tzinfo is None else at
    if at < ctx.desk.clock.now() - _PAST_SLACK:
        raise RequestError(422, "time_past")
    return at


def result_json(result: Result, article_id: int, ctx: WebAppContext) -> web.Response:
    tz = ctx.desk.settings.tz
    if result.ok:
        decision = result.decision
        due = decision.due.astimezone(tz).isoformat() if decision and decision.due else None
        status = result.article.status.value if result.article else ""
        return _json({"ok": True, "article_id": article_id, "status": status, "due_at": due})
    # The chat's own words for why not (and who decided first), without its HTML.
    text = html.unescape(_TAGS.sub("", outcome_text(result, article_id, tz)))
    return _json(
        {"ok": False, "error": result.outcome.value, "message": text},
        status=_STATUS.get(result.outcome, 409),
    )


# --- reads ------------------------------------------------------------------------------------


async def get_session(request: web.Request) -> web.Response:
    viewer, ctx = _viewer(request), ctx_of(request)
    strings = page_strings()
    strings["time_label"] = strings["time_label"].format(zone=ctx.desk.settings.timezone)
    return _json(
        {
            "user": {"id": viewer.user_id, "name": viewer.name, "role": viewer.role.name.lower()},
            "language": viewer.language,
            "can_act": viewer.is_admin,
            "timezone": ctx.desk.settings.timezone,
            "strings": strings,
        }
    )


async def get_queue(request: web.Request) -> web.Response:
    viewer, ctx = _viewer(request), ctx_of(request)
    now = ctx.desk.clock.now()
    cal = await queries.calendar(
        ctx.desk.db,
        published_since=now - PUBLISHED_WINDOW,
        author_id=None if viewer.is_admin else viewer.user_id,
    )
    return _json(calendar_json(cal, now=now, settings=ctx.desk.settings))


async def get_article(request: web.Request) -> web.Response:
    viewer, ctx = _viewer(request), ctx_of(request)
    sheet = await queries.article_sheet(ctx.desk.db, _article_id(request))
    if sheet is None or (not viewer.is_admin and sheet.article.author_id != viewer.user_id):
        # An editor is not told whether someone else's article exists.
        raise RequestError(404, "not_found")
    body = sheet_json(sheet, settings=ctx.desk.settings)
    body["can_act"] = viewer.is_admin
    return _json(body)


# --- actions (admins) ------------------------------------------------------------------------


async def post_schedule(request: web.Request) -> web.Response:
    viewer, ctx = _admin(request), ctx_of(request)
    article_id = _article_id(request)
    body = await _body(request)
    at = parse_at(body.get("at"), ctx)
    channel_id = await actions.channel_id(ctx, body.get("channel"))
    result = await actions.reschedule(ctx, viewer, article_id, at, channel_id)
    return result_json(result, article_id, ctx)


async def post_approve(request: web.Request) -> web.Response:
    viewer, ctx = _admin(request), ctx_of(request)
    article_id = _article_id(request)
    await _body(request)
    result = await actions.approve(ctx, viewer, article_id)
    return result_json(result, article_id, ctx)


async def post_reject(request: web.Request) -> web.Response:
    viewer, ctx = _admin(request), ctx_of(request)
    article_id = _article_id(request)
    reason = (await _body(request)).get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise RequestError(400, "reason_required")
    result = await actions.reject(ctx, viewer, article_id, reason.strip())
    return result_json(result, article_id, ctx)


async def post_unpublish(request: web.Request) -> web.Response:
    viewer, ctx = _admin(request), ctx_of(request)
    article_id = _article_id(request)
    await _body(request)
    done = await actions.unpublish(ctx, viewer, article_id)
    if done.nothing:
        raise RequestError(409, "nothing_published")
    if done.failed:
        raise RequestError(502, "unpublish_failed", n=done.failed)
    return _json({"ok": True, "article_id": article_id, "deleted": done.deleted})


async def post_held(request: web.Request) -> web.Response:
    viewer, ctx = _admin(request), ctx_of(request)
    raw = request.match_info["publication_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 11:
        raise RequestError(404, "not_found")
    decision = (await _body(request)).get("decision")
    if decision not in actions.HELD_DECISIONS:
        raise RequestError(400, "bad_decision")
    if not await actions.decide_held(ctx, viewer, int(raw), str(decision)):
        raise RequestError(409, "already_handled")
    return _json({"ok": True, "publication_id": int(raw), "decision": decision})


def add_api_routes(app: web.Application) -> None:
    app.middlewares.append(signed_in)
    app.router.add_get(f"{PREFIX}/session", get_session)
    app.router.add_get(f"{PREFIX}/queue", get_queue)
    app.router.add_get(f"{PREFIX}/articles/{{article_id}}", get_article)
    app.router.add_post(f"{PREFIX}/articles/{{article_id}}/schedule", post_schedule)
    app.router.add_post(f"{PREFIX}/articles/{{article_id}}/approve", post_approve)
    app.router.add_post(f"{PREFIX}/articles/{{article_id}}/reject", post_reject)
    app.router.add_post(f"{PREFIX}/articles/{{article_id}}/unpublish", post_unpublish)
    app.router.add_post(f"{PREFIX}/publications/{{publication_id}}/held", post_held)
