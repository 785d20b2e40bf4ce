"""What the page adds for small screens (390 px, a phone) and for a few moments a newcomer met.

Style: the command box wraps instead of running off the screen; on a phone the chart
keeps a readable width and scrolls sideways; a changed line of a story is marked; a
lever's slider shows only once its box is ticked. Behaviour (static script, no HTML
built from strings): after Run (or Follow) the page scrolls to the answer on a phone, and the
collapsed menu closes once a tab is chosen.
"""

from __future__ import annotations

from shiny import ui

CSS = """
#result-command { white-space: pre-wrap; overflow-wrap: anywhere; }
mark.rs-changed { background: #fff1a8; padding: 0 0.15rem; }
.rs-warning { border-left: 3px solid #b36b00; padding-left: 0.6rem; color: #5a3a00; }
.rs-chart-wrap { overflow-x: auto; }
@media (max-width: 700px) {
  .rs-chart { max-width: none; width: 960px; }  /* its type stays about 12 px: scroll sideways */
}
"""

# Bootstrap and Shiny's own events; nothing here builds markup.
SCRIPT = """
document.addEventListener('click', function (event) {
  var link = event.target.closest('.navbar-collapse .nav-link');
  var open = document.querySelector('.navbar-collapse.show');
  if (link && open && window.bootstrap) { window.bootstrap.Collapse.getOrCreateInstance(open).hide(); }
});
document.addEventListener('DOMContentLoaded', function () {
  // Shiny announces a new output through jQuery, whose events native listeners do not see.
  window.jQuery(document).on('shiny:value', function (event) {
    var target = {results_view: 'result-title', follow_view: 'story-before'}[event.name];
    if (!target || window.innerWidth > 700) { return; }
    setTimeout(function () {
      var answer = document.getElementById(target);
      if (answer) { answer.scrollIntoView({block: 'start'}); }
    }, 100);
  });
});
"""


def head(page_css: str) -> ui.TagList:
    """The page's header: its own style, this module's style and script."""
    return ui.TagList(ui.tags.style(page_css + CSS), ui.tags.script(SCRIPT))
