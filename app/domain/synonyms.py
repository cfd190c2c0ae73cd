"""Domain vocabulary applied at query time: "ECT" also finds "electroconvulsive therapy"."""

from collections.abc import Iterable

from app.domain.query import Alternatives, Phrase, Query, words_of

SynonymTable = dict[tuple[str, ...], tuple[Phrase, ...]]


def synonym_table(groups: Iterable[Iterable[str]]) -> SynonymTable:
    """Map every entry's words to its whole group (an entry in two groups gets both)."""
    table: SynonymTable = {}
    for group in groups:
        phrases = tuple(dict.fromkeys(Phrase(words) for entry in group if (words := words_of(entry))))
        for phrase in phrases:
            table[phrase.words] = tuple(dict.fromkeys((*table.get(phrase.words, ()), *phrases)))
    return table


def _lookup(table: SynonymTable, words: tuple[str, ...]) -> tuple[Phrase, ...]:
    """Exact entry first, then the same words with a plural -s dropped from the last one."""
    if words in table:
        return table[words]
    if words[-1].endswith("s") and len(words[-1]) > 3:
        return table.get((*words[:-1], words[-1][:-1]), ())
    return ()


def _join_known_phrases(groups: list[Alternatives], table: SynonymTable) -> list[Alternatives]:
    """Typed words that form a known entry ("liver damage") are searched as that phrase."""
    joined: list[Alternatives] = []
    position = 0
    while position < len(groups):
        for size in (3, 2):
            window = groups[position : position + size]
            plain = len(window) == size and all(len(g.options) == 1 and len(g.options[0].words) == 1 for g in window)
            words = tuple(g.options[0].words[0] for g in window) if plain else ()
            if words in table:
                joined.append(Alternatives((Phrase(words),)))
                position += size
                break
        else:
            joined.append(groups[position])
            position += 1
    return joined


def expand(query: Query, table: SynonymTable) -> Query:
    """Each required phrase also matches its synonyms; exclusions stay literal."""
    required = []
    for group in _join_known_phrases(query.required, table):
        options: dict[Phrase, None] = dict.fromkeys(group.options)
        for option in group.options:
            options.update(dict.fromkeys(_lookup(table, option.words)))
        required.append(Alternatives(_without_redundant(tuple(options))))
    return Query(required=required, excluded=list(query.excluded))


def _without_redundant(options: tuple[Phrase, ...]) -> tuple[Phrase, ...]:
    """ "iv ketamine" adds nothing beside "ketamine": any text with the phrase has the word."""
    single = {option.words[0] for option in options if len(option.words) == 1}
    return tuple(option for option in options if len(option.words) == 1 or not single.intersection(option.words))
