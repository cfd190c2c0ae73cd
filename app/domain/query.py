"""User search text -> a small, safe query tree. Raw text never reaches an FTS engine.

Syntax users know from web search: plain words (all must match), "quoted phrases",
-exclusion, and OR between two items. Anything else is reduced to words: punctuation,
FTS operators such as NEAR( or column filters such as statement: lose their meaning.
"""

import re
from dataclasses import dataclass, field

from app.errors import BadQuery

MAX_QUERY_CHARS = 500
MAX_TERMS = 32

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_OPERATORS = frozenset({"AND", "NOT", "NEAR"})
_NEAR_CALL = re.compile(r"^NEAR\(")  # FTS5's NEAR(a b): keep the words, lose the operator
_COLUMN_FILTER = re.compile(r"^[^\W_]+:(?=\S)")  # statement:ketamine searches every field for ketamine

# Words that carry no meaning in a question; removed so "how fast does ketamine work" means "fast ketamine work".
# It holds every word of PostgreSQL's `english` stop list, so that both engines search for the same words
# (PostgreSQL drops those itself; SQLite's FTS5 would require them).
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be been before being below between both
    because but by can could did do does doing don done down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours ourselves out over own s same she should so some such t than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves""".split()
)


@dataclass(frozen=True)
class Phrase:
    """One or more words that must appear in this order; a single word is a one-word phrase."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Alternatives:
    """Any one of these phrases matches (from OR, or from synonym expansion)."""

    options: tuple[Phrase, ...]


@dataclass
class Query:
    required: list[Alternatives] = field(default_factory=list)
    excluded: list[Phrase] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to look for: no words survived parsing (e.g. "*", emoji, only stop words)."""
        return not self.required


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case words as the search index sees them: letters and digits, split at anything else."""
    return tuple(word.lower() for word in _WORD.findall(text))


def parse_query(text: str, *, strict: bool = True) -> Query:
    """Parse `text`; strict mode refuses what lenient mode (chatbot input) quietly repairs."""
    if len(text) > MAX_QUERY_CHARS:
        if strict:
            raise BadQuery(f"q is {len(text)} characters long; shorten it to at most {MAX_QUERY_CHARS}")
        text = text[:MAX_QUERY_CHARS]
    text = "".join(" " if ord(char) < 32 or char == "\x7f" else char for char in text)
    if text.count('"') % 2:
        if strict:
            raise BadQuery('q has an unbalanced quote: close the "phrase" or remove the quote')
        text = text.replace('"', " ")
    query = Query()
    pending_or = False
    for token in _TOKEN.findall(text):
        if token == "OR":
            pending_or = bool(query.required)
            continue
        if token in _OPERATORS:
            continue
        token = _NEAR_CALL.sub("", token)
        negative = token.startswith("-") and len(token) > 1
        body = _COLUMN_FILTER.sub("", token[1:] if negative else token)
        words = words_of(body)
        if body.startswith('"'):
            phrases = [Phrase(words)] if words else []
        else:  # "e.g." or "NEAR(x": separate words, not a phrase
            phrases = [Phrase((word,)) for word in words if word not in STOP_WORDS]
        for position, phrase in enumerate(phrases):
            _add(query, phrase, negative, pending_or=pending_or and position == 0)
        pending_or = False
    if len(query.required) + len(query.excluded) > MAX_TERMS:
        if strict:
            raise BadQuery(f"q has more than {MAX_TERMS} terms; use fewer words")
        query.required = query.required[:MAX_TERMS]
    return query


def _add(query: Query, phrase: Phrase, negative: bool, pending_or: bool) -> None:
    if negative:
        query.excluded.append(phrase)
    elif pending_or:
        last = query.required.pop()
        query.required.append(Alternatives((*last.options, phrase)))
    else:
        query.required.append(Alternatives((phrase,)))
