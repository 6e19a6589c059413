"""Street addresses in the common English, German, French and Spanish forms: a house number
and capitalised street name around a street word ("221B Baker Street", "Hauptstraße 5",
"12 rue de la Paix", "Calle Mayor 10, 3º"), or whatever follows an "Address:" label.

The city is left unless a postcode glues it to the street; a postcode on its own is the
postcode rule's.
"""

from __future__ import annotations

from agent_assist.core.privacy.spans import Rule, regex

LABEL = "address"
_CAP = r"[A-ZÀ-ÖØ-Þ][\wÀ-ÖØ-öø-ÿ'’.-]*"
_LOWER = r"[\wÀ-ÖØ-öø-ÿ'’-]"
_UNIT = r"(?:Flat|Apt\.?|Apartment|Unit|Suite|Ste\.?|Room|Floor|#)\s*[\dA-Z]{1,5}"
_CITY = r"(?:,?\s+\d{4,5}\s+[A-ZÀ-Þ][\wÀ-ÿ-]+)?"

_EN_STREET = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Way"
    r"|Close|Crescent|Cres|Terrace|Tce|Square|Sq|Gardens|Gdns|Grove|Hill|Parkway|Pkwy"
    r"|Highway|Hwy|Row|Mews|Circle|Cir|Trail|Park|Green|Rise|Wharf|Quay|Walk|Alley"
)
ENGLISH = (
    rf"(?:{_UNIT},?\s+)?\b\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,4}}[A-Za-z]?)?,?\s+"
    rf"(?:{_CAP}\s+){{1,4}}(?:{_EN_STREET})\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    rf"(?:,?\s+{_UNIT})?|\b(?:P\.?\s?O\.?\s?Box|Postfach|Apartado(?:\s+de\s+correos)?)\s+\d{{1,6}}"
)
_DE_SUFFIX = r"straße|strasse|str\.|weg|gasse|allee|platz|damm|ufer|chaussee|steig|pfad"
_DE_NUMBER = r"\s+\d{1,4}(?:\s?[a-zA-Z]\b)?(?:\s?[-/]\s?\d{1,4}[a-z]?)?\b"
GERMAN = (
    rf"\b(?:{_CAP}[ -])?[A-ZÄÖÜ]{_LOWER}*(?i:{_DE_SUFFIX}){_DE_NUMBER}"
    rf"|\b{_CAP}(?:e|er|es)[ -](?:Straße|Strasse|Str\.|Weg|Gasse|Allee|Platz|Ring|Damm)"
    rf"{_DE_NUMBER}"
    rf"|\b(?:Am|An\s+der|An\s+den|Auf\s+der|Auf\s+dem|Unter\s+den|Zum|Zur)\s+{_CAP}{_DE_NUMBER}"
)
_FR_STREET = (
    r"rue|avenue|av\.|bd|boulevard|place|all[ée]e|impasse|chemin|quai|route|cours|passage"
    r"|square|faubourg|rond-point|r[ée]sidence|voie|sentier|esplanade|promenade|villa|cit[ée]"
)
_FR_ARTICLE = r"(?:(?:de\s+la|de\s+l['’]|de|du|des|d['’]|l['’]|la|le|les|aux|au)\s*)?"
FRENCH = (
    rf"\b\d{{1,4}}(?:\s?(?:bis|ter|quater|[A-Da-d]))?,?\s+(?i:{_FR_STREET})\s+{_FR_ARTICLE}"
    rf"[A-ZÀ-Þ0-9]{_LOWER}*(?:\s+{_FR_ARTICLE}[A-ZÀ-Þ]{_LOWER}*){{0,3}}"
)
_ES_STREET = (
    r"Calle|C/|c/|Avda\.?|Avenida|Av\.|Paseo|Pº|Plaza|Pza\.?|Camino|Carretera|Ctra\.?|Ronda"
    r"|Traves[íi]a|R[úu]a|Carrer|Passeig|Pla[çc]a|Glorieta|V[íi]a"
)
_ES_ARTICLE = r"(?:(?:de\s+la|de\s+los|de\s+las|del|de|d['’]|y)\s+)?"
SPANISH = (
    rf"(?:\b|(?<=\s))(?:{_ES_STREET})\s*{_ES_ARTICLE}[A-ZÀ-Þ0-9]{_LOWER}*"
    rf"(?:\s+{_ES_ARTICLE}[A-ZÀ-Þ]{_LOWER}*){{0,3}},?\s*(?:n[º°o]\.?\s*)?\d{{1,4}}[A-Za-z]?\b"
    r"(?:\s*,?\s*\d{1,2}\s*[º°ª](?:\s*[A-Za-z]\b)?\.?)?"
    r"(?:\s*,?\s*(?:izq(?:uierda)?|dcha|derecha|puerta\s+\w+)\.?)?"
)
STREET = Rule(
    LABEL,
    regex(rf"(?:{ENGLISH}|{GERMAN}|{FRENCH}|{SPANISH}){_CITY}"),
)
_LABELS = (
    r"(?:(?:home|shipping|billing|delivery|postal|street|mailing)\s+)?address|adresse"
    r"(?:\s+de\s+livraison)?|anschrift|lieferadresse|direcci[óo]n(?:\s+de\s+env[íi]o)?|domicilio"
)
LABELLED = Rule(
    LABEL,
    regex(
        rf"(?i:\b(?:{_LABELS})(?:\s*:|\s+(?:is|ist|est|es)\b:?(?=[^\n;|]*\d)))\s*(?P<pii>[^\s;|][^\n;|]{{3,119}})"
    ),
)
