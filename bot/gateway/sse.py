"""Our `Event`s as Server-Sent Events, with a keep-alive comment every 15 seconds."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator

from sse_starlette.sse import EventSourceResponse, ServerSentEvent

from bot.core.live_events import Event

KEEP_ALIVE_SECONDS = 15


def event_stream(events: AsyncIterator[Event]) -> EventSourceResponse:
    async def frames() -> AsyncIterator[ServerSentEvent]:
        async for event in events:
            yield ServerSentEvent(data=json.dumps(event.data, ensure_ascii=False),
                                  event=event.name, id=event.id)

    return EventSourceResponse(frames(), ping=KEEP_ALIVE_SECONDS,
                               headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
