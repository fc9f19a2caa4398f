// The MARC editor without reloads: field and subfield names from the MARC 21 dictionary, indicator hints,
// add / remove / reorder fields and subfields, keyboard shortcuts. Plain JavaScript; the form still posts
// the same inputs (order, tag, ind1, ind2, value, delete) as without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("marc-editor");
  if (!form) return;
  var dict = JSON.parse(document.getElementById("marc-dictionary").textContent);
  var words = JSON.parse(document.getElementById("marc-editor-words").textContent);
  var list = document.getElementById("marc-fields");
  var template = document.getElementById("marc-field-template");

  function button(label, cls, title) {
    var b = document.createElement("button");
    b.type = "button"; b.className = cls; b.textContent = label; b.title = title; b.setAttribute("aria-label", title);
    return b;
  }
  function isControl(tag) { return /^00[0-9]$/.test(tag); }
  function parseSubfields(value) {
    if (value.charAt(0) !== "$") return null;
    return value.split("$").slice(1).map(function (part) { return {code: part.charAt(0), text: part.slice(1)}; });
  }
  function joinSubfields(parts) {
    return parts.map(function (p) { return "$" + p.code + p.text; }).join("");
  }
  function renumber() {
    Array.prototype.forEach.call(list.querySelectorAll(".mf-order"), function (input, i) { input.value = i + 1; });
  }
  function hint(def, which, value) {
    var table = def && def[which] || {};
    var keys = Object.keys(table);
    if (!keys.length) return "";
    var shown = value === "" || value === " " || value === "\\" ? " " : value;
    var meaning = table[shown] || (shown === " " ? words.blank : "?");
    return words[which] + " = " + (shown === " " ? "\\" : shown) + ": " + meaning;
  }

  function refresh(li) {
    var tag = li.querySelector(".mf-tag").value.trim();
    var def = dict[tag];
    var name = li.querySelector(".mf-name");
    name.textContent = def ? def.n : (tag.length === 3 ? words.unknown : "");
    var control = isControl(tag);
    li.querySelectorAll(".mf-ind").forEach(function (input) { input.readOnly = control; input.style.visibility = control ? "hidden" : ""; });
    var ind1 = li.querySelector("[name=ind1]"), ind2 = li.querySelector("[name=ind2]");
    li.querySelector(".mf-hint").textContent = control ? "" :
      [hint(def, "i1", ind1.value), hint(def, "i2", ind2.value)].filter(Boolean).join(" · ");
    ind1.title = def ? Object.keys(def.i1).map(function (k) { return (k === " " ? "\\" : k) + ": " + def.i1[k]; }).join("\n") : "";
    ind2.title = def ? Object.keys(def.i2).map(function (k) { return (k === " " ? "\\" : k) + ": " + def.i2[k]; }).join("\n") : "";
    renderSubfields(li, def, control);
  }

  function renderSubfields(li, def, control) {
    var box = li.querySelector(".sf-list");
    if (!box) {
      box = document.createElement("ol"); box.className = "sf-list";
      li.appendChild(box);
    }
    box.textContent = "";
    var adder = li.querySelector(".sf-add");
    if (control) { if (adder) adder.hidden = true; return; }
    var valueInput = li.querySelector(".mf-value");
    var parts = parseSubfields(valueInput.value.trim()) || [];
    parts.forEach(function (part, i) {
      var item = document.createElement("li");
      var code = document.createElement("code"); code.textContent = "$" + part.code;
      var label = document.createElement("span");
      label.className = "sf-name";
      label.textContent = " " + ((def && def.s[part.code]) || "") + (part.text ? ": " + part.text : "");
      item.appendChild(code); item.appendChild(label);
      var up = button("↑", "sf-up", words.sfup), down = button("↓", "sf-down", words.sfdown),
          del = button("×", "sf-remove", words.sfremove);
      up.disabled = i === 0; down.disabled = i === parts.length - 1;
      up.onclick = function () { move(parts, i, i - 1); };
      down.onclick = function () { move(parts, i, i + 1); };
      del.onclick = function () { parts.splice(i, 1); write(); };
      item.appendChild(up); item.appendChild(down); item.appendChild(del);
      box.appendChild(item);
    });
    function move(arr, from, to) { var x = arr.splice(from, 1)[0]; arr.splice(to, 0, x); write(); }
    function write() { valueInput.value = joinSubfields(parts); refresh(li); }
    if (!adder) {
      adder = document.createElement("span"); adder.className = "sf-add";
      var select = document.createElement("select"); select.setAttribute("aria-label", words.addsf);
      var add = button("+ $", "sf-add-button", words.addsf);
      add.onclick = function () {
        var code = select.value || "a";
        valueInput.value = valueInput.value.trim() + "$" + code;
        refresh(li); valueInput.focus();
        valueInput.setSelectionRange(valueInput.value.length, valueInput.value.length);
      };
      adder.appendChild(select); adder.appendChild(add);
      li.querySelector(".mf-info").appendChild(adder);
    }
    adder.hidden = false;
    var sel = adder.querySelector("select");
    var codes = def ? Object.keys(def.s) : [];
    if (sel.dataset.tag !== (def ? def.n : "")) {
      sel.textContent = "";
      (codes.length ? codes : "abcdefghijklmnopqrstuvwxyz0123456789".split("")).forEach(function (c) {
        var o = document.createElement("option"); o.value = c;
        o.textContent = "$" + c + (def && def.s[c] ? " " + def.s[c] : "");
        sel.appendChild(o);
      });
      sel.dataset.tag = def ? def.n : "";
    }
  }

  function enhance(li) {
    var del = li.querySelector(".mf-delete");
    del.hidden = true;
    li.querySelector(".mf-order").type = "hidden";
    var row = li.querySelector(".mf-row");
    var up = button("↑", "mf-up", words.up), down = button("↓", "mf-down", words.down),
        remove = button("×", "mf-remove", words.remove);
    up.onclick = function () { moveField(li, -1); };
    down.onclick = function () { moveField(li, 1); };
    remove.onclick = function () { removeField(li); };
    row.appendChild(up); row.appendChild(down); row.appendChild(remove);
    li.addEventListener("input", function () { refresh(li); });
    li.addEventListener("keydown", function (e) {
      if (!e.altKey) return;
      if (e.key === "ArrowUp") { e.preventDefault(); moveField(li, -1); }
      else if (e.key === "ArrowDown") { e.preventDefault(); moveField(li, 1); }
      else if (e.key === "Delete") { e.preventDefault(); removeField(li); }
      else if (e.key === "n" || e.key === "N") { e.preventDefault(); addField(li); }
    });
    refresh(li);
  }
  function moveField(li, step) {
    var target = step < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!target) return;
    if (step < 0) list.insertBefore(li, target); else list.insertBefore(target, li);
    renumber();
    li.querySelector(step < 0 ? ".mf-up" : ".mf-down").focus();
  }
  function removeField(li) {
    var next = li.nextElementSibling || li.previousElementSibling;
    li.remove(); renumber();
    if (next) next.querySelector(".mf-tag").focus();
  }
  function addField(after) {
    var li = template.content.firstElementChild.cloneNode(true);
    if (after && after.nextSibling) list.insertBefore(li, after.nextSibling); else list.appendChild(li);
    enhance(li); renumber();
    li.querySelector(".mf-tag").focus();
    return li;
  }

  list.querySelectorAll(".mf").forEach(enhance);
  var addButton = document.getElementById("add-field");
  addButton.hidden = false;
  addButton.onclick = function () { addField(null); };
  form.querySelectorAll(".no-js").forEach(function (el) { el.hidden = true; });
  renumber();
})();
