"""How a message looks on Telegram: HTML escaping, an agent's name, the 4,096 limit."""
from __future__ import annotations

from bot.channels.telegram_buttons import MAX_CALLBACK_BYTES, fits_directly, key_of
from bot.channels.telegram_text import MAX_CHARS, message_parts, split_text, utf16_length


def test_text_is_escaped_for_telegram_html() -> None:
    assert message_parts({"sender": "bot", "text": "<i>a</i> & b > c"}) == [
        "&lt;i&gt;a&lt;/i&gt; &amp; b &gt; c"]


def test_an_agents_message_starts_with_their_name_in_bold_escaped() -> None:
    assert message_parts({"sender": "agent", "agent_name": "Sam <CS>", "text": "Hello"}) == [
        "<b>Sam &lt;CS&gt; · Customer Success</b>\nHello"]


def test_a_short_text_is_one_part() -> None:
    assert split_text("Hello there.") == ["Hello there."]
    assert split_text("x" * MAX_CHARS) == ["x" * MAX_CHARS]


def test_a_long_text_is_cut_at_paragraphs_first_then_lines_then_sentences() -> None:
    paragraph = ("A sentence. " * 200).strip()
    parts = split_text(f"{paragraph}\n\n{paragraph}\n\n{paragraph}")
    assert parts == [paragraph, paragraph, paragraph]
    lines = "\n".join(f"line {i} of the answer" for i in range(400))
    for part in split_text(lines):
        assert utf16_length(part) <= MAX_CHARS
        assert part.endswith("of the answer")
    sentences = ("Credits renew monthly. " * 400).strip()
    parts = split_text(sentences)
    assert all(p.endswith("monthly.") for p in parts)
    assert " ".join(parts) == sentences


def test_a_word_longer_than_the_limit_is_cut_where_it_must_be_and_nothing_is_lost() -> None:
    word = "y" * (MAX_CHARS * 2 + 10)
    parts = split_text(word)
    assert [len(p) for p in parts] == [MAX_CHARS, MAX_CHARS, 10]
    assert "".join(parts) == word


def test_the_limit_counts_utf16_code_units_as_telegram_does() -> None:
    emoji = "🙂"  # two UTF-16 code units
    text = " ".join([emoji * 10] * 400)
    for part in split_text(text):
        assert utf16_length(part) <= MAX_CHARS
    assert " ".join(split_text(text)) == text


def test_the_heading_and_the_escaping_never_push_a_part_over_the_limit() -> None:
    text = "&" * (MAX_CHARS + 5)
    parts = message_parts({"sender": "agent", "agent_name": "Sam", "text": text})
    assert len(parts) == 2
    assert all(utf16_length(p.replace("&amp;", "&").replace("<b>", "").replace("</b>", ""))
               <= MAX_CHARS for p in parts)


def test_callback_data_holds_64_bytes_longer_payloads_go_by_key() -> None:
    assert fits_directly("/stop")
    assert fits_directly("a" * MAX_CALLBACK_BYTES)
    assert not fits_directly("a" * (MAX_CALLBACK_BYTES + 1))
    assert not fits_directly("é" * 33)  # 66 bytes
    assert not fits_directly("k:looks like a key")
    key = key_of("/choose_slot" + "x" * 100, "Wed 10:00")
    assert len(("k:" + key).encode()) <= MAX_CALLBACK_BYTES
    assert key == key_of("/choose_slot" + "x" * 100, "Wed 10:00")
    assert key != key_of("/choose_slot" + "x" * 100, "Thu 10:00")
