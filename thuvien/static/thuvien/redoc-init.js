// ReDoc over our OpenAPI document (templates/api/redoc.html); no inline script, so the page keeps a CSP.
// ReDoc's "API docs by Redocly" line loads a logo from cdn.redoc.ly: on an intranet without internet that
// is a failed request (and our CSP refuses it anyway), so the logo's address is replaced, before ReDoc
// renders, by an empty image of our own; the line itself stays.
(function () {
  var FOREIGN_LOGO = "https://cdn.redoc.ly/";
  var EMPTY = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
  function local(value) { return String(value).indexOf(FOREIGN_LOGO) === 0 ? EMPTY : value; }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return setAttribute.call(this, name, this.tagName === "IMG" && name === "src" ? local(value) : value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true, enumerable: src.enumerable, get: src.get,
    set: function (value) { src.set.call(this, local(value)); }
  });
  var el = document.getElementById("redoc-ui");
  window.Redoc.init(el.dataset.spec, {}, el);
})();
