// The rules page: drag a rule to reorder it (the arrows do the same without JavaScript),
// and show each confidence slider's value as it moves.
(function () {
  "use strict";

  function showConfidence(input) {
    var out = input.parentElement.querySelector("output.confidence-value");
    if (out) out.textContent = Math.round(parseFloat(input.value) * 100) + " %";
  }
  document.querySelectorAll("input.confidence").forEach(function (input) {
    showConfidence(input);
    input.addEventListener("input", function () { showConfidence(input); });
  });

  var list = document.getElementById("rules");
  var form = document.getElementById("reorder-form");
  if (!list || !form) return;
  var dragged = null;

  function rows() { return Array.prototype.slice.call(list.querySelectorAll("li[draggable=true]")); }

  list.addEventListener("dragstart", function (e) {
    var li = e.target.closest("li[draggable=true]");
    if (!li) return;
    dragged = li;
    li.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", li.dataset.id);
  });
  list.addEventListener("dragover", function (e) {
    var over = e.target.closest("li[draggable=true]");
    if (!dragged || !over || over === dragged) return;
    e.preventDefault();
    var box = over.getBoundingClientRect();
    var after = e.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });
  list.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    var body = new FormData(form);
    rows().forEach(function (li) { body.append("order", li.dataset.id); });
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
      // A refused order (the rules changed meanwhile) shows the stored one again.
      if (!r.ok) { window.location.reload(); return; }
      window.location.reload();
    });
  });
})();
