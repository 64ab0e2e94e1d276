"""Clear phrases of risk in a message: self-harm, harm to others, or danger from someone else.

    is_risk("I want to kill myself")          -> True
    risk_kind("he hits me when he's drunk")   -> "in_danger"
    is_risk("this page is killing me")        -> False

The gateway checks every client message with it before routing (any mode, any channel, any
length: the NLU only sees the first 2,000 characters), and the actions use it as a net under the
NLU. It must be precise: a false alarm puts a crisis reply in front of someone booking a session.
So it knows clear phrases only, never single words that have everyday uses ("I could kill for a
coffee", "my phone died", "none of these times suit me", "I hurt my knee running"). Words that
are risky only with an intention ("hurt myself", "cut myself", "hurt him") need one next to them
("I want to", "I keep", "I'm going to", "on purpose"). Recognising risk said in other words is the
NLU's job (the `self_harm` intent).

Text is normalised first: case, accents, apostrophes ("don't" = "dont"), punctuation and runs of
spaces, letters repeated for emphasis ("killlll" = "kill"), letters spelled out ("k i l l"),
look-alike digits inside words ("k1ll"), invisible characters. The phrases then allow the usual
inflections and a few common typos ("kil myself", "my self", "sucide", "unalive").

Pure Python 3.10 and the standard library: the gateway, the actions and Rasa's REST channel use it.
"""
from __future__ import annotations

import re
import unicodedata

SELF_HARM = "self_harm"
HARM_TO_OTHERS = "harm_to_others"
IN_DANGER = "in_danger"

_APOSTROPHES = re.compile("['\u2019\u2018\u02bc\u0060\u00b4\u2032]")
_LOOK_ALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                              "@": "a", "$": "s"})
_WORD_WITH_LOOK_ALIKES = re.compile(r"[a-z0-9@$]*[a-z][a-z0-9@$]*")
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "killlll" -> "kill", "sooo" -> "soo"
_NOT_A_LETTER = re.compile(r"[^a-z0-9]+")
_SPELLED_OUT = re.compile(r"\b(?:[a-z] ){2,}[a-z]\b")  # "k i l l" -> "kill"


def normalise(text: str) -> str:
    """Lower case ASCII words separated by single spaces, with a space at each end."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or "").casefold())
    text = "".join(ch for ch in text
                   if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    text = _APOSTROPHES.sub("", text)
    text = _WORD_WITH_LOOK_ALIKES.sub(
        lambda word: word.group().translate(_LOOK_ALIKES) if re.search(r"[a-z]", word.group())
        and re.search(r"[0-9@$]", word.group()) else word.group(), text)
    text = _REPEATS.sub(r"\1\1", text)
    text = _NOT_A_LETTER.sub(" ", text).strip()
    text = _SPELLED_OUT.sub(lambda letters: letters.group().replace(" ", ""), text)
    return f" {text} "


# --- typos of the words that carry risk -----------------------------------------------------------
# A word one slip away (a letter missing, added, swapped with its neighbour or mistyped) from one
# of these is read as the word: "mysefl", "suicdal", "overdsoe", "kilk myself". Only words that
# no everyday English word sits that close to ("kill" is "bill", "fill", "will" one letter away,
# so only its slips that start with "k" count, and not "kiln", "kilt", "kid"...).
_TYPO_TARGETS = ("myself", "suicide", "suicidal", "suicidally", "overdose", "overdosed",
                 "overdosing", "unalive", "kill", "killing", "killed", "die", "dying",
                 "want", "wanna", "hurting", "harming")
# One slip from a target, yet a word of its own: left alone.
_REAL_WORDS = frozenset({
    "overdone", "overdoes", "kiln", "kilns", "kilt", "kilts", "kilo", "kilos", "krill", "kit",
    "kin", "kid", "kiss", "kills", "kiwi", "kell", "kidding", "kilning", "kissing", "kitting",
    "kilted", "kissed", "kited", "kiled", "dine", "dire", "dice", "diet", "died", "dies", "dig",
    "dim", "din", "dip", "doe", "due", "dye", "did", "dike", "dime", "dive", "duke", "ding",
    "diner", "dyeing", "drying", "doing", "diving", "dining", "dyking", "wane", "wand", "wank",
    "wart", "wait", "what", "went", "wont", "wan", "walt", "wang", "wants", "wanted", "wanton",
    "hunting", "hurling", "hurtling", "haring", "harping", "harking", "hamming", "charming",
    "farming", "warming", "arming", "waft", "watt", "wasnt", "killer", "killers", "kilter",
})


_SLIPS_OF_DIE = frozenset({"dei", "diw", "dje", "diee", "ddie"})


def _slips(word: str) -> set[str]:
    """Every string one slip away from `word` (deleted, added, swapped or mistyped letter)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters})


def _typo_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for target in _TYPO_TARGETS:
        for slip in _slips(target):
            short = target in ("kill", "killing", "killed", "die", "dying", "want", "wanna")
            if slip in _TYPO_TARGETS or slip in _REAL_WORDS or slip in table or len(slip) < 3:
                continue
            if short and slip[0] != target[0]:
                continue  # "bill", "fill", "pie", "cant": other words, not slips
            table[slip] = target
    # "die" is three letters: only its slips that are no word, never "dye" ("dye my hair").
    for slip in [s for s, t in table.items() if t == "die" and s not in _SLIPS_OF_DIE]:
        del table[slip]
    return table


_TYPOS = _typo_table()


def corrected(normalised: str) -> str:
    """The normalised text with each slip of a risk word read as the word (see _TYPO_TARGETS)."""
    return " ".join(_TYPOS.get(word, word) for word in normalised.split(" "))


# --- building blocks (on normalised text: lower case, no apostrophes, single spaces) ------------
_SELF = r"(?:my ?sel(?:f|ves)|my ?slef|mysef|meself|my own self)"
_OTHERS_SELF = r"(?:him ?self|her ?self|them ?sel(?:f|ves))"
_RELATION = (r"(?:husband|wife|partner|spouse|boyfriend|girlfriend|bf|gf|ex|ex husband|ex wife|"
             r"ex partner|fiance|fiancee|dad|father|stepdad|stepfather|mum|mom|mother|stepmum|"
             r"stepmom|stepmother|parents?|brother|sister|son|daughter|uncle|aunt|grandfather|"
             r"grandad|flatmate|roommate|housemate|landlord|boss|manager|neighbou?r|carer|"
             r"family|baby|kids?|children|child|colleague|coworker)")
_PERSON = (rf"(?:someone|somebody|some one|anyone|anybody|people|everyone|everybody|him|her|them|"
           rf"children|kids|others|other people|(?:the|those|these) people|"
           rf"(?:my|his|her|our|the|a) {_RELATION}|"
           r"a (?:man|woman|person|guy|girl|boy))")
# Who someone in danger at home speaks of (not a boss or a landlord: "threatens me with ...").
_CLOSE = (r"(?:husband|wife|partner|spouse|boyfriend|girlfriend|bf|gf|ex|ex husband|ex wife|"
          r"ex partner|fiance|fiancee|dad|father|stepdad|stepfather|mum|mom|mother|stepmum|"
          r"stepmom|stepmother|parents?|brother|sister|son|daughter|uncle|aunt|grandfather|"
          r"grandad|flatmate|roommate|housemate|carer)")
_ABUSER = rf"(?:he|she|hes|shes|my {_CLOSE})"
# An intention in front of a risky verb: "I want to", "I'm going to", "thoughts of"...
_WANT = (r"(?:want(?:s|ed)? to|wanna|wanting to|going to|gonna|about to|urges? to|tempted to|"
         r"plan(?:ning)? to|thoughts? (?:of|about)|thinking (?:of|about)|think about|"
         r"(?:scared|afraid|worried|terrified) (?:that )?(?:i|ill|i will|i might|i may)|"
         r"feel like|felt like|trying not to|try not to|cant stop myself from)")
# ... and what a threat to someone else also sounds like: "I could", "I'll".
_MAY = r"(?:ill|id|i (?:will|would|could|might|may|can))"
# A habit, for the verbs that have no everyday use with "myself" after it: "I keep cutting".
_HABIT = (r"(?:i keep|i kept|ive been|i have been|been|started|i cant stop|cant stop|stop)"
          r"(?: on)?")
_FILLER = r"(?:(?:really|just|seriously|actually|honestly|literally|go and|end up|finally) )*"
# Negated, these say the opposite ("I'm not suicidal", "I don't want to die").
_NOT = (r"(?<! dont)(?<! do not)(?<! never)(?<! didnt)(?<! doesnt)(?<! not)(?<! dont really)"
        r"(?<! not feeling)(?<! not really)(?<! never been)(?<! not been)(?<! never felt)"
        r"(?<! no longer)(?<! not actually)(?<! wasnt)(?<! isnt)(?<! im not)")

_NO_EVERYDAY_OBJECT = (  # "hurt her feelings", "shoot him an email", "shake her hand"
    r"(?! (?:feelings|feeling|chances|business|career|credit|reputation|account|booking|"
    r"with kindness|hand|hands|up|off|"
    r"an? (?:email|e mail|mail|message|text|note|line|dm|call|invoice|link))) ")
_HARM_VERB = (r"(?:kill|killing|hurt|hurting|harm|harming|stab|stabbing|shoot|shooting|strangle|"
              r"strangling|attack|attacking|beat up|beating up|murder|murdering|punch|punching|"
              r"choke|choking|smother|smothering|shake|shaking)")
_ABUSE_VERB = (r"(?:hits?|hitting|beats?|beating|beaten|kicks?|kicked|kicking|"
               r"punch(?:es|ed|ing)?|slap(?:s|ped|ping)?|chok(?:es|ed|ing)|strangl(?:es|ed|ing)|"
               r"abus(?:es|ed|ing)|rap(?:es|ed|ing)|hurts|hurting|attack(?:s|ed|ing)|"
               r"batter(?:s|ed|ing)|stalk(?:s|ed|ing)|threaten(?:s|ed|ing))")
# "hit me up", "beat me at chess", "beat me to it", "kicked me out".
_NOT_VIOLENCE = r"(?! (?:up|at|in|to (?:it|the)|out|off|with (?:a|an|the) (?:fee|bill|charge)))"
_HOW_OFTEN = (r"(?: (?:is|s|has|keeps|keep|has been|been|always|often|sometimes|still|"
              r"constantly|regularly|would|will|also|even|then|started|starts|kept|used to|"
              r"keeps on|has started))*(?: to| on)?")
_NOT_SAFE_DOING = (r"(?! (?:to (?:drive|pay|use|enter)|driving|paying|using|entering|giving|"
                   r"putting|typing|sharing|to (?:give|put|type|share)|"
                   r"(?:with|on|in|about|using) (?:the|this|that|your) (?:site|website|app|page|"
                   r"platform|chat|form|payment|payments|card)))")
_NEVER_LIVE = r"(?! (?:in|at|with|near|there|abroad|on|by|next|close|together|here))"
_ANY_MORE = r"(?:anymore|any more|any longer)"
_PILLS = (r"(?:pills|tablets|meds|medication|medicine|paracetamol|painkillers|"
          r"sleeping pills)")

# Each phrase is searched on its own in the normalised text (leading and trailing spaces are
# word boundaries there).
_PHRASES: tuple[tuple[str, str], ...] = (
    # --- self-harm and suicide ---
    (SELF_HARM, (rf" k+i+l+(?:s|ed|ing|in)? ?{_SELF}"
                 r"(?! (?:laughing|laughin|with laughter|trying|working|over (?:it|this|that)))")),
    (SELF_HARM, rf"{_NOT} su[iy]?[cs]+i?d(?:e|es|al|el|ally|ality)? "),
    (SELF_HARM, r" un ?aliv(?:e|ed|es|ing) "),
    (SELF_HARM, r" end(?:s|ed|ing)? (?:my|my own|own) life "),
    (SELF_HARM, r" end(?:ing)? it all "),
    (SELF_HARM, r" (?:take|takes|taking|took|taken) my (?:own )?life "),
    (SELF_HARM, (rf"{_NOT} (?:want(?:s|ed)?|wanna|wanting|wish|wishing|ready|deserve|long) "
                 r"(?:to |2 )?(?:di+e(?! (?:laughing|of \w+))|be dead|not be alive|not exist) ")),
    (SELF_HARM, (r" wish (?:i|id) (?:was|were|had|could be) "
                 r"(?:dead|never been born|never born|not alive) ")),
    (SELF_HARM, r" wish i (?:wasnt|werent|wasnt ever) (?:alive|here|born) "),
    (SELF_HARM, r" better off (?:dead|without me) "),
    (SELF_HARM, r" (?:be|are|is) better without me "),
    (SELF_HARM, (r" (?:dont|do not|no longer|dont really|never) (?:want|wanna) (?:to )?"
                 rf"(?:live{_NEVER_LIVE}|be alive|exist|be here {_ANY_MORE}|"
                 rf"be around {_ANY_MORE}|wake up (?:{_ANY_MORE}|again|ever again|tomorrow)) ")),
    (SELF_HARM, (r" (?:no|nothing|not any) (?:reason|point) (?:to|in) (?:live|living|being alive|"
                 r"being here|keep living|go on living|go on|going on|carry on|carrying on)"
                 r"(?! (?:with|to|and|like|booking|here)) ")),
    (SELF_HARM, r" nothing (?:left )?to live for "),
    (SELF_HARM, r" not worth living "),
    (SELF_HARM, r" life (?:isnt|is not|aint|s not|is no longer|isnt really) worth (?:living|it) "),
    (SELF_HARM, r" cant (?:go on|keep) living "),
    (SELF_HARM, rf" cant (?:live|go on) (?:like this )?{_ANY_MORE} "),
    (SELF_HARM, rf" harm(?:s|ed|ing)? {_SELF} "),
    (SELF_HARM, r" self ?(?:harm|harms|harmed|harming|injur\w*|mutilat\w*) "),
    (SELF_HARM, (r" (?:hang|hanging|hanged|stab|stabbing|stabbed|drown|drowning|poison|poisoning|"
                 rf"starve|starving|shoot|shooting|shot) {_SELF}(?! in the (?:foot|feet))")),
    (SELF_HARM, (r" (?:slit|slitting|slice|slicing|cut|cutting) (?:my|open my) "
                 r"(?:wrists?|throat|veins?) ")),
    (SELF_HARM, (rf"{_NOT} {_WANT} {_FILLER}(?:to )?(?:hurt|hurting|cut|cutting|burn|burning|"
                 rf"punish|punishing) {_SELF} ")),
    # ... and said on its own, as the whole message ("I cut myself", not "I cut myself shaving").
    (SELF_HARM, (r" i (?:cut|burned|burnt) myself"
                 r"(?: again)?(?: last night| yesterday| today| tonight)? $")),
    (SELF_HARM, (rf" {_HABIT} {_FILLER}cutting {_SELF}"
                 r"(?! (?:shaving|cooking|by accident|accidentally|on))")),
    (SELF_HARM, (rf" (?:hurt|hurting|cut|cutting|burn|burning|burned|burnt) {_SELF} "
                 r"(?:on purpose|deliberately|intentionally) ")),
    (SELF_HARM, r" (?:take|taking|took|taken|do|doing|did) an? overdose "),
    (SELF_HARM, rf" overdos(?:e|ed|ing) on (?:my |all my |the |some |all the )?{_PILLS} "),
    (SELF_HARM, (r" swallow(?:ed|ing)? (?:a (?:bottle|handful|packet|box) of|all (?:my|the)) "
                 rf"{_PILLS} ")),
    (SELF_HARM, (r" jump(?:ing|ed)? (?:off|from) (?:a|the|this|that) "
                 r"(?:bridge|building|roof|cliff|balcony|tower|window) ")),
    (SELF_HARM, (rf" (?:jump|jumping|step|stepping|throw {_SELF}|throwing {_SELF}) "
                 r"(?:in front of|under) (?:a|the) (?:train|bus|car|truck|lorry|tram) ")),
    (SELF_HARM, r" (?:sleep|go to sleep|fall asleep) and (?:never|not) wake up "),
    (SELF_HARM, r" wish i (?:could )?(?:never|wouldnt|didnt) wake up "),
    (SELF_HARM, (r" (?:want|wanna|wanted|wish i could|wish i could just) (?:to )?disappear "
                 r"(?:forever|for good|permanently) ")),
    (SELF_HARM, rf"{_NOT} {_WANT} {_FILLER}(?:to )?(?:overdose|od) "),
    (SELF_HARM, (rf"{_NOT} {_WANT} {_FILLER}(?:to )?end(?:ing)? "
                 r"(?:everything|it all|things(?! with)) ")),
    (SELF_HARM, (rf" (?:{_WANT}|{_MAY}) {_FILLER}(?:to )?do (?:something|anything)(?: \w+)? "
                 rf"to {_SELF} ")),
    (SELF_HARM, rf" (?:use|turn) (?:it|this|that|a knife|the knife|the gun|a gun) on {_SELF} "),
    (SELF_HARM, r" (?:im|i am|i m) (?:a )?danger to (?:myself|others|other people) "),
    (SELF_HARM, r" (?:painless |quick |easy |best )?ways? to (?:die|kill myself|end my life) "),
    (SELF_HARM, (r" (?:better|happier|better off) if i "
                 r"(?:was dead|were dead|was gone|were gone|wasnt alive|werent alive) ")),
    (SELF_HARM, r" (?:whether|if) i live or die "),
    (SELF_HARM, r" (?:wont|will not|not) (?:still )?be alive "),
    # not being around any more, said of a time to come ("by the time my session comes")
    (SELF_HARM, (r" (?:wont|will not|not going to|wont even) (?:still )?be (?:here|around) "
                 r"(?:by the time|(?:for )?much longer|for long|to see) ")),
    # the means got ready
    (SELF_HARM, (rf" {_PILLS} (?:(?:are|all|already|now) )*(?:lined up|laid out|counted out|"
                 r"saved up|stockpiled|ready to take|in front of me) ")),
    (SELF_HARM, (r" (?:been )?(?:saving|saved|stockpiling|stockpiled|hoarding|hoarded|collecting|"
                 rf"collected) (?:up )?(?:my |the |all my |some )?{_PILLS} ")),
    (SELF_HARM, r" cant go on(?: anymore| any more)? $"),
    (SELF_HARM, r" want (?:it all|everything|all of (?:it|this)) to (?:be over|end|stop) "),
    (SELF_HARM, (r" (?:drive|driving|drove|crash|crashing|crashed|steer|steering) my car "
                 r"(?:into (?:a|the) (?:wall|tree|river|lake|sea|truck|lorry)|"
                 r"off (?:a|the) (?:road|bridge|cliff)|on purpose) ")),
    (SELF_HARM, (r" (?:cant|cannot|can not|dont think i can|not sure i can|not going to|wont) "
                 r"(?:stay|keep|keep myself) alive ")),
    (SELF_HARM, rf" (?:enough|all (?:my|the)) {_PILLS} to (?:do it|end it|die|kill myself) "),
    (SELF_HARM, r" (?:my|this is my|a) (?:last|final) goodbye "),
    (SELF_HARM, r" (?:feel|feeling|felt) like (?:dying|di+e)(?! (?:of|laughing)) "),
    (SELF_HARM, (r" (?:dont|do not|cant|cannot|no longer) see (?:the|any) point (?:in|of) "
                 r"(?:living|life|going on|being alive|being here) ")),
    (SELF_HARM, r" whats the point (?:in|of) (?:living|being alive|going on) "),
    (SELF_HARM, (r" (?:nobody|no one|noone) would (?:miss|care|notice)(?: me)? if i "
                 r"(?:was|were|died|disappeared|wasnt here|werent here|was gone|were gone) ")),
    (SELF_HARM, r" (?:im|i am) done (?:with )?living "),
    (SELF_HARM, r" (?:im|i am) (?:so )?done with (?:my )?life $"),
    (SELF_HARM, (r" (?:took|taken|swallowed|take|taking) "
                 r"(?:too many|a lot of|loads of|all (?:my|the)|"
                 r"an? (?:whole |full )?(?:bottle|packet|pack|box|handful) of)"
                 rf"(?: my| the| all my)? {_PILLS} ")),
    (SELF_HARM, (rf" (?:ive been|i have been|been|i keep|i kept|started|relapsed and) "
                 rf"(?:hurting|harming|hurt|harmed|burning) {_SELF}"
                 r"(?! (?:at|in|on|by|with|while|when|playing|running|lifting|working|doing|"
                 r"training|exercising|falling|out))")),
    (SELF_HARM, rf" (?:hurt|harmed|cut|burned|burnt) {_SELF} .{{0,30}}want to do it again "),
    (SELF_HARM, r"^ (?:i (?:will|should|might|could|just|ll|wanna|want to) )?kms $"),
    (SELF_HARM, rf" (?:k+i+l+|killing|killed|harm|harming|harmed|unalive) {_OTHERS_SELF} "),
    (SELF_HARM, rf" {_WANT} kms "),
    (SELF_HARM, r" (?:want|wants|wanted) (?:someone|somebody) to kill me "),
    # --- harm to others ---
    (HARM_TO_OTHERS, (r" (?:kill|killing|murder|murdering|stab|stabbing|strangle|strangling) "
                      r"(?:someone|somebody|people|everyone|everybody) ")),
    (HARM_TO_OTHERS, (rf"{_NOT}(?<! wont)(?<! wouldnt) (?:{_WANT}|{_MAY}) {_FILLER}(?:to )?"
                      rf"{_HARM_VERB} {_PERSON}{_NO_EVERYDAY_OBJECT}")),
    (HARM_TO_OTHERS, r" shoot up (?:a|the|my|our) (?:school|office|workplace|college|work) "),
    (HARM_TO_OTHERS, (r" (?:a|the|my) (?:knife|gun|weapon) and (?:hurt|kill|stab|shoot) "
                      rf"{_PERSON} ")),
    # --- in danger from someone else ---
    (IN_DANGER, rf" {_ABUSER}{_HOW_OFTEN} {_ABUSE_VERB} (?:me|us){_NOT_VIOLENCE} "),
    (IN_DANGER, rf" {_ABUSER}{_HOW_OFTEN} (?:beats?|beating|beaten) (?:me|us) up "),
    (IN_DANGER, (r" (?:someone|somebody) (?:is|s|keeps|has been) (?:threatening|hurting|hitting|"
                 r"attacking|beating|following|stalking) (?:me|us) ")),
    (IN_DANGER, rf" (?:he|she|my {_CLOSE}) (?:is|s|has been|can be|gets) (?:abusive|violent) "),
    (IN_DANGER, (r" (?:hes|shes) (?:abusive|violent) | abusive (?:relationship|partner|husband|"
                 r"wife|boyfriend|girlfriend|marriage|home|parents?|father|mother|dad|mum|mom) ")),
    (IN_DANGER, (rf" (?:scared|afraid|terrified|frightened) of my {_CLOSE}"
                 r"(?! (?:finding|seeing|knowing|reading|hearing|reaction|judging|judgement)) ")),
    (IN_DANGER, (r" threat(?:en|ens|ened|ening) to (?:kill|hurt|harm|beat|hit|stab|shoot) "
                 r"(?:me|us|my \w+) ")),
    (IN_DANGER, r" threaten(?:s|ed|ing)? (?:me|us) with a (?:knife|gun|weapon) "),
    (IN_DANGER, (rf" {_ABUSER} (?:tried|has tried|is trying|s trying|try|tries|wants|"
                 r"said (?:he|she)(?:d| would| will|ll)?|says (?:he|she)(?:ll| will| would|d)?) "
                 r"(?:to )?kill (?:me|us) ")),
    (IN_DANGER, (rf" {_ABUSER} (?:is |s )?(?:going to|gonna|will|ll|is about to|s about to) "
                 r"(?:hurt|hit|beat|attack|stab|shoot|strangle|choke) (?:me|us) ")),
    (IN_DANGER, (r" (?:im|i am|we are|were|i feel|we feel|feel|feeling|i m) (?:not|un) ?safe"
                 rf"{_NOT_SAFE_DOING} ")),
    (IN_DANGER, rf" (?:dont|do not|never|no longer) feel safe{_NOT_SAFE_DOING} "),
    (IN_DANGER, (r" (?:not|un) ?safe (?:at home|in my (?:home|house|flat|apartment)|"
                 r"with (?:him|her|my \w+)|around (?:him|her|my \w+)) ")),
    (IN_DANGER, r" (?:scared|afraid|terrified|frightened) (?:to go|of going) (?:back )?home "),
    (IN_DANGER, (r" (?:scared|afraid|terrified|frightened|fear|fearing) (?:of |for )?my "
                 r"(?:life|safety) ")),
    (IN_DANGER, (rf" (?:scared|afraid|terrified|frightened) (?:of |that )?{_ABUSER} "
                 r"(?:will |ll |might |is going to |s going to |gonna )?(?:hurt|kill|hit|beat) ")),
    (IN_DANGER, (r" (?:im|i am|we are|were|my life is|our lives are|"
                 r"my (?:kids|children|family|baby|child) (?:is|are)) "
                 r"in (?:immediate |real |serious |grave )?danger(?! of) ")),
    (IN_DANGER, r" domestic (?:violence|abuse) "),
    (IN_DANGER, r" (?:sexually|physically) (?:assaulted|abused) "),
    (IN_DANGER, (r" (?:i was|i got|ive been|i have been|been|being|getting|was) "
                 r"(?:raped|molested|abused|assaulted|strangled|choked|beaten up|stalked)"
                 r"(?! (?:at|in|by (?:a|the) (?:team|score))) ")),
    (IN_DANGER, r" rap(?:e|ed|ist) "),
    (IN_DANGER, (r" (?:someone|somebody|a man|a guy|he|she|hes|shes) (?:is |s |keeps )?"
                 r"(?:following|stalking|stalks|follows) me ")),
    (IN_DANGER, r" abus(?:es|ed|ing) me "),
)
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _PHRASES)


def risk_kind(text: str | None) -> str | None:
    """Which risk a clear phrase in the text speaks of (self_harm, harm_to_others, in_danger)."""
    if not text:
        return None
    normalised = corrected(normalise(text))
    for kind, pattern in _COMPILED:
        if pattern.search(normalised):
            return kind
    return None


def is_risk(text: str | None) -> bool:
    """True when the text holds a clear phrase of risk (self-harm, harm to others, danger)."""
    return risk_kind(text) is not None


# --- words that may speak of risk: a condition on the NLU's guess, never an alarm on their own ---
# The classifier learns `self_harm` from a few hundred examples and can be sure of it for a calm
# message that shares their tone ("can my husband come along", "I feel lost in my career").
# Its guess counts only when the message has at least one of these words or phrases. The list is
# broad on purpose (recall first): every crisis phrasing the project has, direct or indirect, has
# one (tests/textguards/test_risk_phrases.py checks data/nlu and tests/nlu/understanding).
_CUES = re.compile(r"""\b(
    di(?:e|es|ed|ing)|dy(?:e|ing)|dead|death|deadly|kil+\w*|kms|murder\w*|su[iy]?[cs]+i?d\w*|
    unaliv\w*|end|ends|ended|ending|over|stop|future|suffer\w*|
    liv(?:e|es|ed|ing)|alive|life|exist\w*|here|around|anymore|any\s+more|
    hurt\w*|harm\w*|cut(?:s|ting)?|burn\w*|bleed\w*|blood|scratch\w*|wrists?|starv\w*|
    pills?|tablets?|overdos\w*|od|meds|medication|antidepressants?|paracetamol|painkillers|
    bridge|jump\w*|roof|edge|ledge|railings?|train|bus|cliff|balcony|drown\w*|hang\w*|noose|rope|
    wall|crash\w*|
    road|engine|garage|car|front\s+of|
    goodbye|farewell|note|gone|disappear\w*|vanish\w*|forever|for\s+good|wake|
    safe|unsafe|danger\w*|hits?|hitting|beat\w*|abus\w*|violen\w*|threat\w*|knife|gun|weapon|
    chok\w*|strangl\w*|rap(?:e|ed|ist)|assault\w*|punch\w*|stab\w*|shoot\w*|attack\w*|slap\w*|
    kick\w*|scared|afraid|terrified|frightened|fear\w*|lock(?:s|ed)?\s+me|
    hopeless|pointless|point|burden|without\s+me|better\s+off|
    cope|go\s+on|carry\s+on|keep\s+going|give\s+up|gave\s+away|give\s+away|
    pay|revenge|stockpil\w*|plan\w*|do\s+it|something\s+(?:stupid\s+)?to\s+myself|myself|
    wnat|kil|myslef|my\s+self|sucide|suicde|
    razors?|blades?|sharp|letters?|throat|push\w*|shov\w*|grab\w*|bruis\w*|trapped|
    escape|worthless|numb|empty|pain|tired\s+of|had\s+enough|take\s+it|nothing\s+matters|
    window|tracks|motorway|fall\w*|let\s+me\s+(?:leave|go\s+out)|control\w*|lethal|
    checking\s+out|how\s+i\s?d\s+do|(?:stuff|things|belongings)\s+away|
    existing|bottle|rid\s+of\s+me|goodbyes?|sorry\s+for\s+everything
)\b""", re.VERBOSE)


# Everyday phrases with those words in them, taken out before looking for one: a device or a page
# that died or is killing someone, killing a booking, being done with a page, cutting back,
# an injury, ending things with a professional, a life made hell by a boss.
_THING = (r"(?:computer|laptop|pc|phone|mobile|battery|call|video|app|page|site|website|screen|"
          r"wifi|internet|connection|stream|headphones|camera|mic|microphone|tablet|ipad|"
          r"buffering|loading|spinner|queue|wait|waiting|form|booking|session|chat|printer|"
          r"plants?|goldfish|fish|hamster|cat|dog|car|engine|suspense|traffic|commute|deadline|"
          r"heat|noise|lag|this|it|that)")
_HARMLESS = re.compile("|".join((
    (rf" (?:my |the |this |that )?{_THING} (?:just |has |had |is |was |went )?"
    r"(?:died|dead|dying|crashed)"),
    (rf" (?:my |the |this |that )?{_THING} (?:is|s|are|was|will be|is going to|going to) "
    r"(?:killing|kill|going to kill|the death of) me"),
    r" kill (?:it|the booking|the session|the app|the process|that|this|the form|the chat)",
    r" (?:could|would|d) kill for",
    r" (?:dying|dyin) (?:to|for|of)",
    (r" (?:so |totally |completely )?done with (?:this|the|that|my) (?:page|form|app|site|website|"
    r"booking|chat|bot|weather|week|day|job)"),
    r" (?:loading|waiting|buffering|taking) forever",
    r" cut(?:ting)? (?:back|down)",
    (r" (?:hurt|hurts|injured|twisted|sprained|broke|pulled) my (?:back|ankle|knee|shoulder|neck|"
    r"wrist|leg|arm|foot|toe|hip|hand|finger)"),
    (r" (?:my )?(?:back|ankle|knee|shoulder|neck|wrist|leg|arm|foot|toe|hip|hand|feet|head) "
    r"(?:hurts|is killing me|pain)"),
    (r" end (?:things|it) with my (?:therapist|coach|psychologist|physio|professional|gym|"
    r"current \w+)"),
    r" stop seeing (?:my|the) (?:therapist|coach|psychologist|physio|professional)",
    r" makes? my life (?:hell|difficult|a misery|miserable)",
    r" do it (?:later|tomorrow|another time|myself|online|again|now|next week|on the website)",
    # idioms: tired, fed up, leaving politely, ending or paying for a booking
    r" dead (?:tired|beat|on my feet|serious|set|easy|simple|quiet|slow|boring|on time|good)",
    r" (?:at|to) (?:my|the|our) wits? ?s? end",
    r" (?:at )?the end of (?:my|the|our) (?:tether|day|week|session|booking|rope with \w+)",
    (r" end(?:ing)? (?:my|the|this|that|our|a) (?:\w+ )?(?:booking|session|appointment|call|"
     r"video|chat|subscription|contract|membership|lease|plan|trial|meeting|conversation)"),
    (r" (?:good ?bye|bye) (?:and )?(?:thanks|thank you|cheers)(?: for (?:the|your) help)? $"),
    r" (?:thanks|thank you|cheers)(?: for (?:the|your) help)?(?: and)? (?:good ?bye|bye) $",
    r" (?:good ?bye|bye) for (?:now|today)",
    r" pay (?:for (?:it|them|the \w+|my \w+) )?(?:myself|out of my own pocket|privately)",
    # hungry, stuck at work
    r" (?:im|i am|i m|so|absolutely|literally) starving(?! (?:myself|to death))",
    r" hit (?:a|the) wall with",
)))


def might_be_risk(text: str | None) -> bool:
    """True when the text has a word that may speak of risk (see _CUES) outside the everyday
    phrases of _HARMLESS: the NLU's `self_harm` guess is believed only then. A clear risk phrase
    (`is_risk`) needs no such condition."""
    if not text:
        return False
    return bool(_CUES.search(_HARMLESS.sub(" ", corrected(normalise(text)))))
