// After htmx swaps a page's content in, the form that had focus is gone and focus falls to
// <body>: a keyboard or screen-reader user would start again from the top (WCAG 2.4.3).
// htmx keeps focus itself when an element with the same id comes back (an item's "Change"
// link); otherwise the page names what was just saved in data-focus-after-swap, and focus
// goes there. Without JavaScript the redirect's #anchor does the same for the reading place.
document.addEventListener("htmx:afterSettle", () => {
  const active = document.activeElement;
  if (active !== null && active !== document.body) return;
  const content = document.querySelector("[data-focus-after-swap]");
  if (content === null) return;
  const target = document.getElementById(content.dataset.focusAfterSwap || "");
  if (target === null) return;
  if (!target.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
    target.setAttribute("tabindex", "-1"); // focusable by script only, not a new tab stop
  }
  target.focus();
});
