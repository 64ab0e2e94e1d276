"""Request bodies, checked strictly (no type coercion), every string cleaned on the way in.

Cleaning: lone UTF-16 surrogates become U+FFFD and control characters other than tab and
newlines are dropped, so that nothing a browser can send makes the database or a hash fail.
"""
from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_MESSAGE_CHARS = 10_000
MAX_SEQ = 2**31 - 1  # message numbers fit a 32-bit integer column on every database
SURROGATES = re.compile(r"[\ud800-\udfff]")
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    return CONTROLS.sub("", SURROGATES.sub("\ufffd", text))


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _clean_strings(cls, value: Any) -> Any:
        return clean(value) if isinstance(value, str) else value


Token = Annotated[str, Field(max_length=4096)]


class StartConversation(Body):
    identity_token: Token | None = None
    conversation_key: Annotated[str, Field(max_length=200)] | None = None


class ClientMessage(Body):
    """Typed text, or a pressed button (`payload` and its `title`)."""

    text: str | None = None
    payload: Annotated[str, Field(max_length=1000)] | None = None
    title: Annotated[str, Field(max_length=500)] | None = None
    client_message_id: Annotated[str, Field(min_length=1, max_length=64,
                                            pattern=r"^[A-Za-z0-9_.:-]+$")] | None = None


class Login(Body):
    email: Annotated[str, Field(max_length=254)]
    password: Annotated[str, Field(max_length=1000)]


class AgentText(Body):
    text: str


class SavedReply(Body):
    """An agent's own canned reply: a title for the list, the text (with `{first_name}`)."""

    title: Annotated[str, Field(min_length=1, max_length=80)]
    text: Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE_CHARS)]
