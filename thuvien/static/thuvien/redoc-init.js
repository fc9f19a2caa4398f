// ReDoc over our OpenAPI document (templates/api/redoc.html); no inline script, so the page keeps a CSP.
(function () {
  var el = document.getElementById("redoc-ui");
  window.Redoc.init(el.dataset.spec, {}, el);
})();
