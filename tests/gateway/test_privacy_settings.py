"""The privacy settings (bot/config.py `load_privacy_settings`): defaults, and a bad value named."""
from __future__ import annotations

import pytest

from bot.config import SettingsError, load_privacy_settings


def test_defaults_keep_twelve_months_and_use_make_runs_tracker_store():
    settings = load_privacy_settings({})
    assert settings.retention_months == 12
    assert settings.rasa_tracker_store_url == "sqlite:///var/rasa-tracker.db"
    assert settings.review_export_dir == "data/nlu"
    assert load_privacy_settings({"RETENTION_MONTHS": "0"}).retention_months == 0


@pytest.mark.parametrize("value", ["-1", "twelve", "1.5"])
def test_a_retention_that_is_not_a_whole_number_of_months_stops_the_start(value):
    with pytest.raises(SettingsError, match="RETENTION_MONTHS"):
        load_privacy_settings({"RETENTION_MONTHS": value})


def test_the_tracker_store_url_is_never_in_the_repr():
    settings = load_privacy_settings({"RASA_TRACKER_STORE_URL": "postgresql://u:secret@h/d"})
    assert "secret" not in repr(settings)
