/* The research view: Mirador 4 (served from our static files) opening the object's manifest. */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("mirador");
    if (!el || !window.Mirador) { return; }
    window.thuvienMirador = Mirador.viewer({
      id: "mirador",
      windows: [{manifestId: new URL(el.dataset.manifest, window.location.href).href, thumbnailNavigationPosition: "far-bottom"}],
      window: {allowClose: false, sideBarOpen: true, defaultSideBarPanel: "search"},
      workspaceControlPanel: {enabled: false}
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
