"""Forename variants an officer may say for the name on the record (Bob for Robert, Mohamed for Muhammad).

Each group is a canonical name and the spellings and nicknames that stand for it. A name may sit in
several groups (Jon is short for John and for Jonathan); search tries every group it belongs to.
"""

from __future__ import annotations

from functools import cache

__all__ = ["forename_groups", "has_nicknames"]

_GROUPS: dict[str, str] = {
    "albert": "al bert bertie",
    "alexander": "alex alec alastair alistair alasdair sandy xander",
    "alexandra": "alex alexa sandra sandy lexi",
    "alfred": "alf alfie fred freddie",
    "andrew": "andy drew andie",
    "anthony": "tony antony anton",
    "archibald": "archie",
    "barbara": "barb babs",
    "benjamin": "ben benny benji",
    "catherine": "katherine kathryn kathrine katharine cathryn catharine kate katie kathy cathy kath cath "
    "kay kitty kat cat",
    "charles": "charlie chas chuck chaz",
    "charlotte": "charlie lottie lotte",
    "christopher": "chris kit christy topher",
    "christine": "chris christina kristina kirsty kirstie tina",
    "daniel": "dan danny",
    "david": "dave davy davey dai",
    "deborah": "debra debbie debby deb",
    "donald": "don donny",
    "edward": "ed eddie eddy ted teddy ned",
    "elizabeth": "liz lizzie lizzy beth betty bet bess bessie eliza libby lisa elisabeth elspeth",
    "frederick": "fred freddie freddy frederic",
    "gerald": "gerry jerry gerard",
    "harold": "harry hal",
    "henry": "harry hal hank",
    "jacqueline": "jackie jacky jacquie",
    "james": "jim jimmy jamie jimbo",
    "jennifer": "jen jenny jenni",
    "jessica": "jess jessie",
    "john": "jon jonny johnny jack jonnie johnnie",
    "jonathan": "jon jonny jonnie johnathan jonathon",
    "joseph": "joe joey jo",
    "josephine": "jo josie",
    "kenneth": "ken kenny",
    "lawrence": "laurence larry laurie",
    "leonard": "len lenny leo",
    "leslie": "les lesley",
    "margaret": "maggie meg peggy marge madge maisie",
    "matthew": "matt matty mat",
    "michael": "mike mick micky mickey mikey mic",
    "mohammed": "muhammad mohamed mohammad muhammed mohamad muhamad mohd mo",
    "nicholas": "nick nicky nico nicolas",
    "patricia": "pat patty trish tricia",
    "patrick": "pat paddy patsy",
    "peter": "pete",
    "philip": "phil phillip pip",
    "rebecca": "becky becca bex",
    "reginald": "reg reggie",
    "richard": "rich richie rick ricky dick dicky",
    "robert": "rob bob bobby robbie bert",
    "ronald": "ron ronnie",
    "samuel": "sam sammy",
    "samantha": "sam sammy",
    "sarah": "sara sally",
    "stanley": "stan",
    "stephen": "steven steve stevie stephan",
    "susan": "sue susie suzanne suzy",
    "terence": "terry terrance",
    "theresa": "teresa terri terry tess tessa",
    "thomas": "tom tommy thom",
    "timothy": "tim timmy",
    "victoria": "vicky vicki tori",
    "william": "will bill billy willie liam",
    "yusuf": "yousef yusef youssef",
    "aisha": "ayesha aysha",
    "sean": "shaun shawn",
    "jemma": "gemma",
}


@cache
def _index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for canonical, variants in _GROUPS.items():
        for name in (canonical, *variants.split()):
            index.setdefault(name, set()).add(canonical)
    return {name: frozenset(groups) for name, groups in index.items()}


def forename_groups(forename: str) -> frozenset[str]:
    """The canonical names a normalised forename may stand for, itself included."""
    return _index().get(forename, frozenset()) | {forename}


def has_nicknames(forename: str) -> bool:
    """True for a normalised forename that belongs to a nickname group (Tony, Anthony)."""
    return forename in _index()
