"""What differs between one gateway worker and several (the production profile): the parts that
must be shared, built from the settings.

- One worker (GATEWAY_REDIS_URL unset): live events, the login throttle and the widget limits in
  this process.
- Several workers: the same, shared through Redis (bot/core/shared_events.py,
  bot/gateway/shared_limits.py).
- Rasa: one server, or its replicas (RASA_URL lists several), each conversation on its own
  (bot/core/rasa_replicas.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.config import GatewaySettings
from bot.core.live_events import EventHub
from bot.core.rasa_client import RasaClient
from bot.core.rasa_replicas import RasaReplicas
from bot.core.shared_events import RedisEventHub
from bot.gateway.shared_limits import (
    LocalLogins,
    LocalRequests,
    LoginLimits,
    RedisLogins,
    RedisRequests,
    RequestLimits,
)
from bot.gateway.throttle import RateLimit


@dataclass(frozen=True)
class SharedParts:
    hub: EventHub
    rasa: RasaReplicas
    login_throttle: LoginLimits
    widget_ip_limit: RequestLimits
    widget_conversation_limit: RequestLimits


def shared_parts(settings: GatewaySettings) -> SharedParts:
    rasa = RasaReplicas([RasaClient(url, settings.rasa_token, settings.rasa_webhook_secret,
                                    settings.rasa_timeout)
                         for url in settings.rasa_urls or (settings.rasa_url,)])
    if settings.redis_url is None:
        return SharedParts(
            hub=EventHub(), rasa=rasa, login_throttle=LocalLogins(),
            widget_ip_limit=LocalRequests(RateLimit(settings.widget_limit_per_ip)),
            widget_conversation_limit=LocalRequests(
                RateLimit(settings.widget_limit_per_conversation)))
    # Two clients: the event hub's listener holds a connection of its own for good.
    limits = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    return SharedParts(
        hub=RedisEventHub(Redis.from_url(settings.redis_url, socket_connect_timeout=2)),
        rasa=rasa, login_throttle=RedisLogins(limits),
        widget_ip_limit=RedisRequests(limits, "widget-ip", settings.widget_limit_per_ip),
        widget_conversation_limit=RedisRequests(limits, "widget-conversation",
                                                settings.widget_limit_per_conversation))
