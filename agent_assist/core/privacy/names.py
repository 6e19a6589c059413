"""Names, found by what comes before them: a greeting or sign-off, a self-introduction, a
relationship ("my son Tom Baker"), a title ("Mrs Okafor") or a label ("Name: …").

A name with nothing before it ("Tom Baker called") is not found: telling it from a product
or a place takes a language model, which a desktop scrubber does not carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agent_assist.core.privacy.spans import Free, Rule, lazy

# Leads after which the name may be written in lower case ("my name is jane doe").
_ANY_CASE = (
    r"my\s+(?:full\s+)?name\s+is|my\s+name's|name\s+is|je\s+m'appelle|mon\s+nom\s+est"
    r"|ich\s+heiße|ich\s+heisse|mein\s+name\s+ist|me\s+llamo|mi\s+nombre\s+es|mi\s+chiamo"
    r"|signed|(?:full\s+|customer\s+|account\s+holder'?s?\s+|card\s*holder'?s?\s+)?name\s*:"
    r"|card\s*holder\s*:|account\s+holder\s*:|nom\s*:|pr[ée]nom\s*:|nombre\s*:"
    r"|apellidos?\s*:|titular\s*:"
)
_GREETING = (
    r"hi|hello|hey|hiya|dear|good\s+(?:morning|afternoon|evening)|thanks|thank\s+you|cheers"
    r"|regards|bonjour|bonsoir|hallo|hola|ciao|salut|hej|guten\s+tag|liebe|lieber|chère|cher"
    r"|estimad[oa]|querid[oa]|saludos|cordialement|grüße|gruß"
)
_RELATIVES = (
    r"son|daughter|wife|husband|partner|mother|mom|mum|father|dad|brother|sister|friend"
    r"|colleague|boss|manager|neighbou?r|grandson|granddaughter|grandmother|grandma|grandfather"
    r"|grandpa|aunt|uncle|cousin|nephew|niece|fianc[ée]e?|boyfriend|girlfriend|child|kid"
    r"|stepson|stepdaughter|landlord|landlady|tenant|roommate|flatmate|assistant|carer"
)
_RELATIVES_OTHER = (
    r"mein(?:e|em|er|en)?\s+(?:sohn|tochter|frau|mann|mutter|vater|bruder|schwester|freund"
    r"|freundin|kollege|kollegin|partner|partnerin|nachbar|nachbarin|enkel|enkelin|oma|opa)"
    r"|(?:mon|ma|notre)\s+(?:fils|fille|femme|mari|m[èe]re|p[èe]re|fr[èe]re|s(?:œ|oe)ur|amie?"
    r"|coll[èe]gue|conjointe?|voisine?|petit-fils|petite-fille|compagnon|compagne)"
    r"|(?:mi|nuestr[oa])\s+(?:hij[oa]|espos[oa]|mujer|marido|madre|padre|herman[oa]|amig[oa]"
    r"|compañer[oa]|vecin[oa]|niet[oa]|pareja|novi[oa])"
)
# Leads after which only capitalised words count as a name.
_CAPITALISED = (
    rf"this\s+is|i\s+am|i'm|i’m|je\s+suis|ich\s+bin|soy|named|namens|nomm[ée]e?|llamad[oa]"
    rf"|(?:my|our|his|her|their)\s+(?:{_RELATIVES})|{_RELATIVES_OTHER}"
    r"|mr|mrs|ms|miss|mx|dr|prof|herr|frau|mme|mlle|monsieur|madame|mademoiselle"
    r"|señor|señora|señorita|sr|sra|srta|customer\s*:|caller\s*:|contact\s*:|kundin?\s*:"
)
_TITLE = (
    r"(?:(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|herr|frau|mme|mlle|m|monsieur|madame"
    r"|señor|señora|sr|sra)\.?\s+)?"
)
_LEAD = lazy(
    rf"(?i)(?<![\w'’])(?:(?P<greet>{_GREETING})[,!]?|(?P<any>{_ANY_CASE})"
    rf"|(?P<cap>{_CAPITALISED})\.?,?)(?:[ \t]*\n[ \t]*|[ \t]+|(?<=[:,!.])){_TITLE}"
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PARTICLE_WORDS = "van von der den de del della di da du le la y bin ibn"
_PARTICLES = frozenset(_PARTICLE_WORDS.split())
_COMMON_WORDS = """
    a an and are as at be but by can could do for from good have hello hey hi hope how i i'm
    if in is it just me morning afternoon evening my no not of ok okay on or our please so
    sorry support team the there thank thanks that this to was we what when where who why
    will with would yes you your all everyone guys folks again here calling writing having
    trying looking still unable really very new afraid sure glad happy fine well customer
    agent madam sir dear regards cheers kind best has had is was who which whose also
    about back currently going getting contacting emailing following urgent urgently
    important interested disappointed upset frustrated confused angry worried concerned
    waiting over under just always never ready done finished available unavailable
    monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december today tomorrow yesterday
    then now later soon re fw fwd order ticket invoice refund account card help question
    issue problem
    le la les un une est et pour avec el los las es y con por der die das und ist mit
    """
_NOT_NAMES = frozenset(_COMMON_WORDS.split())


def _name_end(text: str, pos: int, capitalised: bool) -> int:
    """Where a name of one to three words (particles aside) starting at ``pos`` ends; -1
    when there is none."""
    end, words = -1, 0
    while words < 3:
        m = _WORD.match(text, pos)
        if m is None or m.group().lower() in _NOT_NAMES:
            break
        word = m.group()
        if capitalised and not word[0].isupper():
            if word.lower() not in _PARTICLES or end < 0:
                break
            nxt = re.match(r"[ \t]+([^\W\d_])", text[m.end() :])
            if nxt is None or not nxt.group(1).isupper():
                break
        else:
            end, words = m.end(), words + 1
        gap = re.match(r"[ \t]+", text[m.end() :])
        if gap is None:
            break
        pos = m.end() + gap.end()
    return end


def _find(text: str, free: Free) -> Iterator[tuple[int, int]]:
    for lead in _LEAD().finditer(text):
        end = _name_end(text, lead.end(), capitalised=lead.group("any") is None)
        if end > 0 and free(lead.end(), end):
            yield lead.end(), end


NAME = Rule("name", _find)
