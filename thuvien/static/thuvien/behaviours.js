/* Small page behaviours declared with data attributes, so no template needs an inline script or
   on* handler (the Content-Security-Policy forbids them):
   data-submit-on-change (select submits its form), data-select-on-click (input selects its text),
   data-print (button prints the page), data-back (link goes back in history). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-submit-on-change") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("[data-select-on-click],[data-print],[data-back]") : null;
    if (!el) { return; }
    if (el.hasAttribute("data-select-on-click")) { el.select(); }
    if (el.hasAttribute("data-print")) { event.preventDefault(); window.print(); }
    if (el.hasAttribute("data-back")) { event.preventDefault(); window.history.back(); }
  });
}());
