"""Follow a case on the page: a case the chosen lever changes, its lines that differ marked, headed in words.

`find_case` runs the year once under the baseline and once under the lever (the same
seed, so the same investigations) and picks the first case on the route whose story
differs; when the lever changes no case on that route it says so, and shows the first
case anyway. `target_value` offers, as the lever's new value, the opposite of the value
in force that year, so "Follow" never shows the same story twice by default.
"""

from __future__ import annotations

import datetime as dt
import difflib

import attrs
from htmltools import Tag
from shiny import ui

from sim.experiments.trace import Story, every_story
from sim.web.choices import LEVER_BY_PATH

CASES_LOOKED_AT = 400  # the route's first cases searched for one the lever changes


@attrs.frozen
class Followed:
    """One case's story in the baseline and under the lever; `affected` is whether they differ."""

    before: Story | None
    after: Story | None
    case: str = ""
    affected: bool = False


def find_case(base, variant, seed: int, route: str) -> Followed:
    """The first case on `route` (its first route) whose story the variant changes; else the first case."""
    before = [s for s in every_story(base, seed).values() if s.route == route][:CASES_LOOKED_AT]
    if not before:
        return Followed(None, None)
    if variant is None:
        return Followed(before[0], None, before[0].case)
    after = every_story(variant, seed)
    for story in before:
        other = after.get(story.case)
        if other is None or _texts(other) != _texts(story):
            return Followed(story, other, story.case, True)
    return Followed(before[0], after.get(before[0].case), before[0].case, False)


def _texts(story: Story) -> list[str]:
    return [text for _when, text in story.lines]


def target_value(lever_path: str, base, year: str) -> str:
    """The value to offer in the "to" box: the opposite of the value most states have in mid-`year`."""
    lever = LEVER_BY_PATH[lever_path]
    book = base.policy_book
    day = dt.date(int(year), 7, 1)
    current = [_get(book.policy_on(day, state), lever_path) for state in book.states]
    usual = max(set(current), key=current.count)
    if lever.kind == "bool":
        return "false" if usual else "true"
    return next((o for o in lever.options if o != usual), lever.options[0])


def _get(policy, path: str):
    for part in path.split("."):
        policy = getattr(policy, part)
    return policy


def change_words(levers) -> str:
    """A lever change in words: "Owner told after an emergency disclosure: yes"."""
    parts = []
    for path, value in levers:
        lever = LEVER_BY_PATH.get(path)
        label = lever.label if lever else path
        shown = ("yes" if value else "no") if isinstance(value, bool) else (
            lever.option_words.get(str(value), str(value)) if lever else str(value))
        parts.append(f"{label}: {shown}")
    return "; ".join(parts)


def story_view(spec, route: str, followed: Followed, terminal: Tag) -> Tag:
    """The baseline's story, then the same case under the lever with the lines that differ marked."""
    if followed.before is None:
        return ui.p(f"No case took the {route} route in {spec.horizon} with seed {spec.seed}: try another year.",
                    id="story-none")
    parts = [ui.h4(f"Case {followed.case}, {spec.horizon}: the rules as they were"),
             _story(followed.before, "story-before", set())]
    if spec.levers:
        words = change_words(spec.levers)
        parts.append(ui.h4(f"The same case if the rule changes ({words})", id="story-after-title"))
        if not followed.affected:
            parts.append(ui.p(f"This change does not affect this case, nor any of the first {CASES_LOOKED_AT} "
                              f"{route} cases of {spec.horizon}: they end the same way. (A lever may not act in "
                              "that year at all: the What if tab says so.)", class_="rs-note", id="story-unaffected"))
        if followed.after is None:
            parts.append(ui.p("With this change, the case never reached the company.", id="story-after"))
        else:
            parts.append(_story(followed.after, "story-after", _changed_lines(followed.before, followed.after)))
    parts.append(terminal)
    return ui.div(*parts)


def _changed_lines(before: Story, after: Story) -> set[int]:
    """Indexes of the lines of `after` that `before` does not have (in order)."""
    matcher = difflib.SequenceMatcher(a=_texts(before), b=_texts(after), autojunk=False)
    changed = set()
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(j1, j2))
    return changed


def _story(story: Story, element_id: str, marked: set[int]) -> Tag:
    items = []
    for k, (when, text) in enumerate(story.lines):
        line = ui.tags.mark(text, class_="rs-changed") if k in marked else text
        items.append(ui.tags.li(ui.tags.span(when.strftime("%d %b %Y %H:%M"), class_="rs-when"), line))
    return ui.tags.ol(*items, class_="rs-story", id=element_id)
