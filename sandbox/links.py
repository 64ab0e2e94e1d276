"""Absolute links the API hands out (hub pages, payment pages), built from the sandbox's address."""
from __future__ import annotations

from dataclasses import dataclass

from sandbox.settings import SandboxSettings


@dataclass(frozen=True)
class Links:
    base_url: str

    @classmethod
    def for_settings(cls, settings: SandboxSettings) -> Links:
        return cls(f"http://{settings.host}:{settings.port}")

    def hub(self, slug: str) -> str:
        return f"{self.base_url}/hubs/{slug}"

    def payment(self, invoice_id: str) -> str:
        return f"{self.base_url}/pay/{invoice_id}"
