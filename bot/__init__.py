"""The bot gateway and the settings every process of ours reads."""
