"""The headline: never parsed by NER (title case fools it); entities of the body are found in it."""

import re


def find_in_title(title: str, forms_by_entity: dict[int, set[str]]) -> dict[int, list[tuple[int, int]]]:
    """Where the surface forms of each entity occur in ``title`` as whole words.

    Longer forms win over shorter ones that overlap them; a form that belongs to two entities
    is not matched. Returns, per entity index, ``(start, end)`` offsets into ``title``.
    """
    owners: dict[str, set[int]] = {}
    for index, forms in forms_by_entity.items():
        for form in forms:
            owners.setdefault(form, set()).add(index)
    taken: list[tuple[int, int]] = []
    found: dict[int, list[tuple[int, int]]] = {}
    for form in sorted(owners, key=len, reverse=True):
        if len(owners[form]) != 1:
            continue
        if form not in title:  # the common case, and no pattern to compile
            continue
        (index,) = owners[form]
        for match in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", title):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.setdefault(index, []).append((start, end))
    return {index: sorted(spans) for index, spans in found.items()}
