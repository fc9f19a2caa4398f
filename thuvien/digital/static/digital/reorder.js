// Page reordering on the staff object page: drag and drop (SortableJS, served from our static files)
// or the up/down buttons (keyboard); every change is saved at once through the reorder service.
(function () {
  "use strict";
  function init() {
    var form = document.getElementById("reorder");
    var list = document.getElementById("reorder-list");
    if (!form || !list) return;
    var status = document.getElementById("reorder-status");
    var pending = null;
    function say(text) { if (status) status.textContent = text; }
    function save() {
      say(form.dataset.saving);
      var body = new FormData(form);  // the hidden inputs, in the list's current order
      var done = fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                                     headers: {"X-Requested-With": "fetch"}})
        .then(function (resp) {
          if (resp.status === 204) { say(form.dataset.saved); form.dataset.version = String(Date.now()); return; }
          return resp.text().then(function (text) { say(form.dataset.failed + " " + text); });
        })
        .catch(function () { say(form.dataset.failed); });
      pending = done;
      return done;
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); save(); });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var item = button.closest("li");
      if (button.classList.contains("up") && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (button.classList.contains("down") && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      } else {
        return;
      }
      button.focus();
      save();
    });
    if (window.Sortable) {
      window.Sortable.create(list, {animation: 150, ghostClass: "reorder-ghost", filter: "button",
                                    preventOnFilter: false, onEnd: function (evt) {
        if (evt.oldIndex !== evt.newIndex) save();
      }});
    }
    window.thuvienReorderPending = function () { return pending; };
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
