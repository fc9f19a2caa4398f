/* Page viewer for phones: OpenSeadragon over the IIIF image service, one page at a time,
   thumbnails, and search inside (Content Search 2.0) with the hits highlighted on the page. */
(function () {
  "use strict";
  function init() {
    var root = document.querySelector(".dv");
    if (!root || !window.OpenSeadragon) { return; }
    var cfg = JSON.parse(document.getElementById("dv-config").textContent);
    var images = cfg.images.map(function (u) { return u + "/info.json"; });
    var hits = [];
    var start = Math.min(Math.max(parseInt(root.dataset.start, 10) || 1, 1), images.length) - 1;
    var viewer = OpenSeadragon({
      id: "dv-osd", prefixUrl: "/static/openseadragon/images/", tileSources: images,
      sequenceMode: true, initialPage: start, showNavigationControl: false, showSequenceControl: false,
      preserveViewport: false, visibilityRatio: 1, minZoomImageRatio: 0.9, crossOriginPolicy: "Anonymous",
      gestureSettingsTouch: {pinchRotate: false}
    });
    window.thuvienViewer = viewer;
    var n = root.querySelector(".dv-n");
    var thumbs = root.querySelectorAll(".dv-thumbs button");
    function current() { return viewer.currentPage(); }
    function go(i) { if (i >= 0 && i < images.length) { viewer.goToPage(i); } }
    function step(d) { go(current() + (cfg.rtl ? -d : d)); }
    root.querySelector(".dv-prev").addEventListener("click", function () { step(-1); });
    root.querySelector(".dv-next").addEventListener("click", function () { step(1); });
    thumbs.forEach(function (b) { b.addEventListener("click", function () { go(parseInt(b.dataset.i, 10)); }); });
    function showHits() {
      viewer.clearOverlays();
      var item = viewer.world.getItemAt(0);
      if (!item) { return; }
      hits.forEach(function (h) {
        if (h.page !== current()) { return; }
        var el = document.createElement("div");
        el.className = "dv-hit";
        viewer.addOverlay({element: el, location: item.imageToViewportRectangle(h.x, h.y, h.w, h.h)});
      });
    }
    viewer.addHandler("page", function (e) {
      n.textContent = String(e.page + 1);
      thumbs.forEach(function (b, i) { b.classList.toggle("on", i === e.page); });
      if (thumbs[e.page]) { thumbs[e.page].scrollIntoView({block: "nearest", inline: "center"}); }
    });
    viewer.addHandler("open", showHits);
    var pageOf = {};
    cfg.images.forEach(function (u, i) { pageOf[i + 1] = i; });
    var form = root.querySelector(".dv-search");
    var list = root.querySelector(".dv-hits");
    var count = root.querySelector(".dv-count");
    function search(q) {
      fetch(cfg.search + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var ctx = {};
          ((data.annotations || [])[0] || {items: []}).items.forEach(function (a) {
            ctx[a.target.source] = a.target.selector[0];
          });
          hits = []; list.textContent = "";
          (data.items || []).forEach(function (a) {
            var m = /\/canvas\/(\d+)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(a.target);
            if (!m) { return; }
            var order = parseInt(m[1], 10);
            var h = {page: pageOf[order], x: +m[2], y: +m[3], w: +m[4], h: +m[5]};
            if (h.page === undefined) { return; }
            hits.push(h);
            var s = ctx[a.id] || {prefix: "", exact: a.body.value, suffix: ""};
            var li = document.createElement("li");
            var b = document.createElement("button");
            b.type = "button";
            var mark = document.createElement("mark");
            mark.textContent = s.exact;
            var strong = document.createElement("strong");
            strong.textContent = (root.dataset.pageWord || "Trang") + " " + order + ": ";
            b.append(strong, "…" + s.prefix + " ", mark, " " + s.suffix + "…");
            b.addEventListener("click", function () { go(h.page); });
            li.appendChild(b);
            list.appendChild(li);
          });
          count.textContent = hits.length ? hits.length + " " + count.dataset.some : count.dataset.none;
          if (hits.length && hits[0].page !== current()) { go(hits[0].page); } else { showHits(); }
        });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = form.elements.q.value.trim();
      if (q) { search(q); }
    });
    if (root.dataset.q) { viewer.addOnceHandler("open", function () { search(root.dataset.q); }); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
