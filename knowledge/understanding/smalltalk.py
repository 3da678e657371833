"""Small talk: greetings, thanks, goodbyes and chat, which are never a name to look up.

A message is small talk when every word of it is social (a greeting, thanks, an acknowledgement,
a goodbye, a pleasantry about the weather, the time or the shift) or a word that only joins such
words ("very", "you", "the"), and at least one is social. "Good morning" and "what's the
weather like" are small talk; "good morning, check john smith" is a check. A question about
the bot itself ("who are you") is a request for help.
"""

from __future__ import annotations

import re

__all__ = ["small_talk"]

_SOCIAL = {
    "greeting": "hi hello hey hiya howdy heya hullo yo morning mornin afternoon evening gday greetings "
    "sup wassup whatsup",
    "thanks": "thanks thank thankyou thanx thx ta tah cheers appreciated appreciate grateful legend "
    "star hero diamond ace top brilliant lovely perfect great nice cool sound wicked champion superb "
    "excellent fab fantastic awesome",
    "farewell": "bye goodbye byee cya later laters tara ttfn night goodnight nite",
    "acknowledged": "ok okay k kk roger received understood noted copy copied will wilco affirmative "
    "yes yeah yep yup no nope nah sure fine alright right sorry apologies oops whoops lol haha ha "
    "hah lmao brb gotcha fair enough mind ignore bad worries",
    "chat": "weather rain raining rainy sunny sun cold hot warm freezing snow snowing windy wet "
    "time day days today tonight shift shifts busy quiet coffee tea tired break lunch dinner "
    "christmas xmas easter birthday holiday holidays weekend happy merry new year working work "
    "test testing robot bot human going stuff job",
}
_JOINING_WORDS = (
    "a an the is it its it's are was be been am i im i'm you u ya your you're youre we us our my me "
    "this that there here what whats what's how hows how's who whos who's to of for in on at and or "
    "so very much many lots loads all good well too as do does did have has had get got going gonna "
    "like just really still again now then there's theres any one mate mates boss sarge guv control "
    "team everyone everybody sir maam ma'am guys folks pal buddy chief doing being please pls plz "
    "can could would will when asap quick back"
)
_JOINING = frozenset(_JOINING_WORDS.split())
_ABOUT_THE_BOT = re.compile(
    r"\b(?:who|what) (?:are|r) (?:you|u)\b|\bare (?:you|u) (?:a )?(?:robot|bot|human|real|person)\b"
    r"|\bwhat(?:'s| is) (?:this|beatline)\b"
)
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_KIND_ORDER = ("thanks", "farewell", "greeting", "acknowledged", "chat")
_INDEX = {word: kind for kind, words in _SOCIAL.items() for word in words.split()}


def small_talk(text: str) -> str | None:
    """The kind of small talk a message is, or None when it asks for something.

    "help" for a question about the bot, else "greeting", "thanks", "farewell", "acknowledged" or "chat".
    """
    lower = text.lower().replace("’", "'")
    if re.search(r"\d", lower):
        return None
    words = _WORDS.findall(lower)
    if not words or len(words) > 12:
        return None
    if _ABOUT_THE_BOT.search(" ".join(words)):
        return "help"
    kinds = {_INDEX[w] for w in words if w in _INDEX}
    if not kinds or any(w not in _INDEX and w not in _JOINING for w in words):
        return None
    return next(kind for kind in _KIND_ORDER if kind in kinds)
