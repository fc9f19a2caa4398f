/* Small page behaviours declared with data attributes, so no template needs an inline script or
   on* handler (the Content-Security-Policy forbids them):
   data-submit-on-change (select submits its form), data-select-on-click (input selects its text),
   data-print (button prints the page), data-back (link goes back in history),
   data-menu-toggle (button opens and closes the panel named by its aria-controls: the staff menu on
   phones; Escape or a click elsewhere closes it). A .table-wrap that scrolls sideways (a wide table
   on a phone) is made focusable, so it can be scrolled with the keyboard (WCAG 2.1.1). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-submit-on-change") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
  document.documentElement.classList.add("js");
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap,.table-scroll").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
      } else if (el.getAttribute("tabindex") === "0") {
        el.removeAttribute("tabindex");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusableScrollers);
  } else {
    focusableScrollers();
  }
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("htmx:afterSwap", focusableScrollers);
  function closeMenus(except) {
    document.querySelectorAll("[data-menu-toggle][aria-expanded=true]").forEach(function (b) {
      if (b === except) { return; }
      b.setAttribute("aria-expanded", "false");
      var panel = document.getElementById(b.getAttribute("aria-controls"));
      if (panel) { panel.classList.remove("open"); }
    });
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target && event.target.closest ? event.target.closest("[data-menu-toggle]") : null;
    if (toggle) {
      var panel = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") !== "true";
      closeMenus(toggle);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (panel) {
        panel.classList.toggle("open", open);
        var first = open ? panel.querySelector("a,button") : null;
        if (first) { first.focus(); }
      }
      return;
    }
    if (!(event.target && event.target.closest && event.target.closest(".staff-panel.open"))) { closeMenus(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("[data-menu-toggle][aria-expanded=true]");
    if (open) { closeMenus(null); open.focus(); }
  });
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("[data-select-on-click],[data-print],[data-back]") : null;
    if (!el) { return; }
    if (el.hasAttribute("data-select-on-click")) { el.select(); }
    if (el.hasAttribute("data-print")) { event.preventDefault(); window.print(); }
    if (el.hasAttribute("data-back")) { event.preventDefault(); window.history.back(); }
  });
}());
