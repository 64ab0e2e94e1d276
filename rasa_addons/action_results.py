"""Rasa's check of each custom action's response, with its validator built once.

Rasa 3.6.21 `rasa.core.actions.action.RemoteAction._validate_action_result` checks every action
server response with `jsonschema.validate(result, RemoteAction.action_response_format_spec())`.
`jsonschema.validate` first checks the schema itself against JSON Schema's meta-schema, then builds
a new validator: for Rasa's large events schema that is most of the work, repeated on every custom
action (action_session_start included). py-spy found ~70% of a saturated Rasa's CPU there (README,
"Load benchmark").

`install()` replaces that one method with the same check done by one validator, built (and its
schema checked) the first time: the same schema, the same error (jsonschema's best match, as
`jsonschema.validate` raises it, with Rasa's sentence appended). It is called by
`rasa_addons.serve` (how every Rasa server of ours starts) before Rasa loads anything, and only on
the Rasa version it was written against: on any other it leaves Rasa as it is and says so.
"""
from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("rasa_addons.action_results")

RASA_VERSION = "3.6.21"  # the version whose `_validate_action_result` this replaces


class _CompiledCheck:
    """`RemoteAction._validate_action_result` with the validator built once."""

    def __init__(self) -> None:
        self._validator: Any = None

    def validator(self) -> Any:
        if self._validator is None:
            from jsonschema.validators import validator_for
            from rasa.core.actions.action import RemoteAction

            schema = RemoteAction.action_response_format_spec()
            cls = validator_for(schema)
            cls.check_schema(schema)  # once, where jsonschema.validate does it every call
            self._validator = cls(schema)
        return self._validator

    def __call__(self, action: Any, result: dict[str, Any]) -> bool:
        from jsonschema.exceptions import best_match
        from rasa.shared.constants import DOCS_BASE_URL

        error = best_match(self.validator().iter_errors(result))
        if error is None:
            return True
        # Rasa 3.6.21's own wording, appended to jsonschema's message
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


_check = _CompiledCheck()


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    return _check(self, result)


def install() -> bool:
    """Put the compiled check in place of Rasa's (only on RASA_VERSION); whether it was."""
    import rasa
    from rasa.core.actions.action import RemoteAction

    if rasa.__version__ != RASA_VERSION:
        log.warning("Rasa %s, not %s: its own check of action results is kept (uncached)",
                    rasa.__version__, RASA_VERSION)
        return False
    RemoteAction._validate_action_result = _validate_action_result
    _check.validator()
    print(f"rasa_addons.action_results: action server responses checked by a validator built "
          f"once (Rasa {RASA_VERSION} RemoteAction._validate_action_result replaced)",
          flush=True)
    return True


def installed() -> bool:
    from rasa.core.actions.action import RemoteAction

    return RemoteAction._validate_action_result is _validate_action_result
