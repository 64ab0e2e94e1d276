"""Clear risk phrases: the safety net under the NLU's `self_harm` intent.

A message with one of these phrases gets the safety reply whatever the classifier made of it
(rasa_addons/safety_net.py puts this in the NLU pipeline; the action server's fallback and
out-of-scope replies check it too). Only unambiguous wording belongs here: the classifier,
trained on data/nlu/support.yml, covers the indirect and the mixed; idioms such as "this page is
killing me", "my phone died", "kill a process" or "beats me" must never match.

Plain Python with no dependencies, so both Rasa's environment and ours import it.
"""
from __future__ import annotations

import re
import unicodedata

_FAMILY = (r"(husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|dad|father|stepdad|mum|mom|"
           r"mother|stepmum|stepmom|brother|sister|son|daughter|parents?|family|flatmate|"
           r"roommate|boss|manager|uncle|aunt)")

RISK_PHRASES = re.compile(
    r"\b("
    # ending one's life
    r"kill(ing|ed)? my ?self|kms|unalive|end(ing)? (my|it) (life|all)|end my own life|"
    r"take my (own )?life|taking my (own )?life|suicid\w*|"
    r"(want(ed)? (to|2)|wanna|ready to|wish to) die|wish (i|that i) (was|were) dead|"
    r"don'?t want to (live|be alive|exist|wake up)|"
    r"better off (dead|without me)|no reason to (live|keep living|go on)|"
    r"hang(ing)? myself|noose|"
    r"(i'?m|i am|i will|i'?ll|going to|gonna|want to|wanna|planning to|plan to|about to|"
    r"ready to|thinking (of|about)) (taking an |take an |an )?overdos\w*|"
    r"i (have |just )?overdosed|(took|taken) an overdose|"
    r"(took|taken|swallowed) (all|a (whole )?bottle of|a (whole )?pack(et)? of|too many) "
    r"(of )?(my )?(pills|tablets|meds|medication|sleeping pills|painkillers)|"
    r"jump(ing)? (off|from) (a|the|my) (bridge|roof|building|balcony|cliff)|"
    r"(jump(ing)?|step(ping)?|throw(ing)? myself) in front of (a|the) "
    r"(train|bus|car|truck|lorry)|"
    # harming oneself
    r"(hurt|harm)(ing)? my ?self|self[- ]?harm\w*|"
    r"(cut|cutting|burn|burning|burned|burnt|starve|starving) my ?self|"
    # harming others
    r"(kill|hurt|harm) (someone|somebody|people|others|him|her|them)|"
    # in danger from someone else
    rf"my {_FAMILY} (hits|beats|hurts|abuses|chokes|strangles|attacks|raped?) me|"
    rf"my {_FAMILY} (threatened|threatens|is going|wants|tried) to (kill|hurt) me|"
    r"(don'?t|do not|not|never|no longer) (feel )?safe (at|in my( own)?) home|"
    r"being (abused|raped)|"
    r"domestic (violence|abuse)"
    r")\b")


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, no accents, single spaces."""
    text = unicodedata.normalize("NFKD", (text or "").lower().replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text)


def is_risk(text: str | None) -> bool:
    """True when the text has a clear risk phrase (see the module's docstring)."""
    return bool(text) and bool(RISK_PHRASES.search(normalise(text or "")))
