"""The risk phrases: clear phrases of self-harm, harm to others and danger from someone else are
caught, however they are typed; everyday uses of the same words are not (no false alarms)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from textguards.risk_phrases import (
    HARM_TO_OTHERS,
    IN_DANGER,
    SELF_HARM,
    is_risk,
    might_be_risk,
    normalise,
    risk_kind,
)

SELF_HARM_PHRASES = [
    "nothing helps, I want everything to stop",
    "I keep thinking of steering my car into a tree",
    "I don't think I can keep myself alive",
    "I have enough pills to end it",
    "this is my final goodbye to you all",
    "I want to kill myself",
    "I WANT TO KILL MYSELF",
    "i wanna kil myself",
    "going to kill my self tonight",
    "Im going to k1ll myself",
    "i want to k i l l myself",
    "kiiilll myselfff",
    "I'm thinking about suicide",
    "I've been feeling suicidal lately",
    "i feel sucidal",
    "S U I C I D E",
    "I want to end my life",
    "thinking of ending it all",
    "I'm going to take my own life",
    "I just want to die",
    "i wanna diiie",
    "I wish I was dead",
    "wish i was never born",
    "everyone would be better off without me",
    "I'd be better off dead",
    "I don't want to live anymore",
    "I don’t want to live anymore",
    "I dont want to be here anymore",
    "I don't want to wake up tomorrow",
    "there's no reason to live",
    "I have nothing left to live for",
    "life isn't worth living",
    "I can't go on living like this",
    "i cant go on anymore",
    "I've been self-harming again",
    "selfharm",
    "I want to hurt myself",
    "I'm going to harm myself",
    "I keep cutting myself",
    "I've been cutting myself",
    "I want to unalive myself",
    "thinking about unaliving",
    "I'm scared I'll hurt myself",
    "I took an overdose",
    "I'm going to overdose on my pills",
    "I want to jump off a bridge",
    "I'm going to throw myself in front of a train",
    "I want to go to sleep and never wake up",
    "I want to hang myself",
    "I want to kms",
    "I want to disappear forever",
    "my friend wants to kill herself",
    "he killed himself last year",
    "I cut myself",
    "i cut myself again last night",
    "I feel like dying",
    "I don't see the point in living",
    "nobody would miss me if I was gone",
    "I'm done living",
    "I took too many pills",
    "i'm gonna kms",
    "I wish I could disappear forever",
    "I want to overdose",
    "i have a knife and i want to use it on myself",
    "there's no reason to keep living",
    "I can't stop thinking about ending everything",
    "I'm a danger to myself",
    "i might do something stupid to myself tonight",
    "I've been looking up ways to die",
    "everyone would be happier if I was dead",
    "I've stopped caring whether I live or die",
    "I can't go on",
    # not being around in time to come; the means got ready
    "I won't be around much longer, so it doesn't matter",
    "i wont be here by the time anyone reads this",
    "I'm not going to be here to see christmas",
    "the tablets are counted out on my desk",
    "I've been stockpiling my sleeping pills",
]
HARM_TO_OTHERS_PHRASES = [
    "I want to hurt someone",
    "I might hurt someone",
    "I'm going to kill him",
    "I have thoughts of hurting my baby",
    "I feel like I could kill someone",
    "I'm afraid I'll hurt my kids",
    "I want to stab my boss",
    "i'm thinking of killing someone",
    "I have urges to hurt children",
    "I'm afraid I might hurt my baby",
    "I want to hurt my wife",
    "I'm having thoughts of hurting other people",
    "I want to hurt the people who did this to me",
]
IN_DANGER_PHRASES = [
    "he hits me",
    "He hits me when he drinks",
    "my husband beats me",
    "my boyfriend hit me last night",
    "she's been hitting me",
    "My dad hits us",
    "he chokes me",
    "he is hurting me",
    "my partner threatened to kill me",
    "he threatens to hurt me",
    "he said he'd kill me",
    "I'm afraid my husband will kill me",
    "I'm not safe at home",
    "I’m NOT safe at home",
    "i dont feel safe at home",
    "I don't feel safe around him",
    "I don't feel safe",
    "I am not safe",
    "I feel unsafe with him",
    "I'm scared to go home",
    "I'm afraid for my life",
    "I'm in danger",
    "my kids are in danger",
    "he's going to hurt me",
    "I was raped",
    "I was sexually assaulted",
    "domestic violence",
    "he abuses me",
    "I'm being abused",
    "my ex is stalking me",
    "someone is following me",
    "my boyfriend beats me up",
    "my partner keeps threatening me",
    "someone is threatening me",
    "he's abusive",
    "I'm in an abusive relationship",
    "I'm terrified of my husband",
]

EVERYDAY = [
    "none of these times suit me",
    "this page is killing me",
    "I could kill for a coffee",
    "I'd kill for some sleep",
    "my phone died",
    "my plant died",
    "my laptop battery is dead",
    "I'm dying to try the new session",
    "I'm dying of laughter",
    "i want to die laughing",
    "I'd die for a good night's sleep",
    "I'd rather die than pay that",
    "to die for",
    "how do I kill a process in linux",
    "kill the session please",
    "I'm killing time before my session",
    "I was killing myself laughing",
    "the deadline is killing me",
    "my credit card is killing me",
    "that joke killed me",
    "killer deal",
    "he's a killer at tennis",
    "the fees are murder",
    "I'm dead tired",
    "I'm so dead after this exam",
    "drop dead gorgeous",
    "this is a dead end",
    "I hurt my knee running",
    "I hurt myself at the gym, can I book physio?",
    "i'll hurt my back if I lift that",
    "the physio hurt my back",
    "she hurt her ankle",
    "I cut myself shaving",
    "I want to cut my session short",
    "cut the cost",
    "shoot me an email",
    "I'll shoot him an email",
    "I'd love to shoot some hoops",
    "I don't want to hurt her feelings",
    "it hits me how much I've grown",
    "he hit me up about the invoice",
    "they hit me with a late fee",
    "He hit the nail on the head",
    "she hits the gym every day",
    "can you hit me with some options?",
    "the price hurts me",
    "I don't want to die",
    "I'm not suicidal, just tired of this website",
    "is it safe to pay here?",
    "I don't feel safe entering my card details",
    "I am not safe driving in the snow",
    "I feel safe with Sara",
    "I'm in danger of losing my credits",
    "I don't want to live in London",
    "my mum is going to kill me when she sees the bill",
    "no point in going on with this booking",
    "can I book a session for my suit fitting",
    "I need a suitable time",
    "this suits me fine",
    "pursuit of happiness",
    "suitcase",
    "I got beaten at chess",
    "exercise to beat stress",
    "I'm feeling down today",
    "I'm overwhelmed with work",
    "this form is driving me mad",
    "I feel like giving up on this booking form",
    "break a leg",
    "my card expired",
    "book a session with Sara on the 12th",
    "I could really use a break",
    "I'm going to cancel my session",
    "I'm going to kill it at my presentation",
    "my back is killing me",
    "the suspense is killing me",
    "I'd kill to have more credits",
    "I'm not going to hurt anyone by cancelling, right?",
    "I don't want to hurt anyone's feelings",
    "Will it hurt my baby if I take the medication?",
    "my kids beat me at chess again",
    "he beat me to it",
    "my manager threatens me with a disciplinary",
    "my landlord is threatening me with eviction",
    "I feel unsafe on this site",
    "I want to die of boredom in this queue",
    "I cut myself shaving this morning, not a big deal",
    "I'm scared of my boss finding out I'm in therapy",
    "I feel like dying of embarrassment",
    "it would be better if I was here in person",
    "I can't go on the 5th, can we move it?",
    "I want to end things with my old coach and book Sara",
    "I won't be here for my session next week, can I move it?",
    "I won't be around on Monday, can Sara do Tuesday",
    "my pills are ready to collect at the pharmacy",
]


@pytest.mark.parametrize("text", SELF_HARM_PHRASES)
def test_self_harm_phrases_are_caught(text):
    assert risk_kind(text) == SELF_HARM


@pytest.mark.parametrize("text", HARM_TO_OTHERS_PHRASES)
def test_harm_to_others_is_caught(text):
    assert risk_kind(text) == HARM_TO_OTHERS


@pytest.mark.parametrize("text", IN_DANGER_PHRASES)
def test_danger_from_someone_else_is_caught(text):
    assert risk_kind(text) == IN_DANGER


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_uses_of_the_same_words_are_no_alarm(text):
    assert not is_risk(text), risk_kind(text)


def test_a_phrase_late_in_a_very_long_message_is_caught():
    """The NLU sees the first 2,000 characters only; this check reads all of it."""
    text = "I have a question about my booking. " * 270 + "Honestly, I want to end my life."
    assert len(text) > 9_000 and is_risk(text)


def test_a_phrase_is_caught_wherever_it_sits_between_other_words_and_punctuation():
    assert is_risk("Booking failed again!!! ...i want to kill myself... anyway, credits?")
    assert is_risk("my card is 4111 1111 1111 1111 and I want to die")


def test_empty_and_missing_text_is_no_risk():
    assert not is_risk("") and not is_risk(None) and not is_risk("   \n ")


def test_normalising_keeps_words_and_drops_what_hides_them():
    """Case, accents, apostrophes, punctuation, invisible characters and look-alike digits."""
    assert normalise("Don’t\u200b  WANT—to   l1ve!!") == " dont want to live "
    assert normalise("Ég vil DEYJA") == " eg vil deyja "


# --- on the project's own examples of what clients write ------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
NLU_FILES = sorted((ROOT / "data" / "nlu").glob("*.yml")) + [ROOT / "tests" / "nlu" / "holdout.yml"]


def nlu_examples() -> list[tuple[str, str]]:
    """(intent, example) from the training data and the held-out set (Rasa's YAML: `- intent:`
    then `examples: |` and one `- example` a line; entity annotations reduced to their text)."""
    found: list[tuple[str, str]] = []
    for path in NLU_FILES:
        intent = None
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- intent:"):
                intent = stripped.removeprefix("- intent:").strip()
            elif stripped.startswith(("- synonym:", "- regex:", "- lookup:", "responses:")):
                intent = None
            elif intent and stripped.startswith("- ") and line.startswith("      "):
                found.append((intent, re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", stripped[2:])))
    return found


def test_no_alarm_on_any_example_of_another_intent_and_most_risk_examples_caught():
    """Precision on real client phrasings: none of the ~950 examples of other intents (help
    topics, bookings, "my phone died"...) is an alarm. Recall is the NLU's job (`self_harm`);
    the phrases alone catch most of its examples all the same."""
    examples = nlu_examples()
    others = [text for intent, text in examples if intent != "self_harm"]
    risky = [text for intent, text in examples if intent == "self_harm"]
    assert len(others) > 900 and len(risky) > 50
    assert [text for text in others if is_risk(text)] == []
    caught = sum(is_risk(text) for text in risky)
    # 55 of 66 when written; the NLU data has since grown with indirect crisis phrasings (the
    # classifier's job, issue 8): 82 of 126, then 102 of 172 (being at a height or an edge now,
    # with no risk phrase by design). Clear phrases still catch well over half.
    assert caught / len(risky) > 0.55, f"{caught} of {len(risky)}"


def understanding_crisis_sets() -> list[str]:
    """The crisis messages of tests/nlu/understanding (both splits): `- ` lines of `crisis:`."""
    found: list[str] = []
    for name in ("dev", "test"):
        section = None
        for line in (ROOT / "tests" / "nlu" / "understanding" / f"{name}.yml").read_text(
                encoding="utf-8").splitlines():
            if re.match(r"^[a-z_]+:", line):
                section = line.split(":")[0]
            elif section == "crisis" and line.startswith("  - "):
                found.append(line[4:].strip().strip('"'))
    return found


def test_every_crisis_phrasing_has_a_word_that_may_speak_of_risk():
    """The NLU's `self_harm` guess counts only with such a word (rasa_addons/safety_net.py), so
    the list must cover every crisis phrasing the project has: the NLU's examples and the crisis
    sets of tests/nlu/understanding, direct, indirect, with typos or inside other requests."""
    crisis = [text for intent, text in nlu_examples() if intent == "self_harm"]
    crisis += understanding_crisis_sets()
    assert len(crisis) > 200
    assert [text for text in crisis if not might_be_risk(text)] == []


@pytest.mark.parametrize("text", [
    "can my husband come along", "I feel lost in my career and want a coach",
    "my cat passed away and I'm upset", "I can't keep track of my appointments",
    "none of those suit me, anything on thursday afternoon?", "what's the capital of Peru",
    "my laptop died halfway through the call", "the spinner is going to kill me",
    "kill the booking, I'll do it later", "I'm so done with this form loading forever",
    "I twisted my knee, can a physio see me", "I'm cutting down on sessions",
    "I'd like to end things with my current coach", "my manager makes my life hell",
    "so starving right now, anything at noon?", "we've hit a wall with the new release",
])
def test_calm_messages_without_such_a_word_are_never_a_crisis_guess(text):
    assert not might_be_risk(text)


# --- typos: a risk word one slip away is read as the word --------------------------------------

@pytest.mark.parametrize("text", [
    "i wnat to kilk mysefl", "im going to klil myself", "i want to kill mysrlf",
    "thinking about suicdie every day", "I feel suiciadl", "i want to ovredose",
    "I wanna unalvie myself", "i wamt to die", "i want to dei",
])
def test_risk_words_mistyped_by_one_letter_are_caught(text):
    assert is_risk(text)


@pytest.mark.parametrize("text", [
    "I want to dye my hair", "I'd like to pay the bill myself", "I'll fill it in myself",
    "I wasnt sure which slot to take", "the billing page is killing me", "a kilo of apples",
    "I can't kid myself, I need a coach", "I could kick myself for missing it",
    "he's a killer at chess", "the charming coach I saw", "I was hurling abuse at the TV",
])
def test_everyday_words_one_letter_from_a_risk_word_are_no_alarm(text):
    assert not is_risk(text)
