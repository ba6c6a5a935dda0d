// Keyboard shortcuts for the staff queue and conversation page. Every action also has a
// button or link; these only save the mouse trip. "?" lists them.
(function () {
  "use strict";

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".queue-row")); }

  function current() { return document.querySelector(".queue-row.is-current"); }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var at = list.indexOf(current());
    var next = list[Math.max(0, Math.min(list.length - 1, at === -1 ? 0 : at + step))];
    list.forEach(function (row) { row.classList.remove("is-current"); row.removeAttribute("aria-current"); });
    next.classList.add("is-current");
    next.setAttribute("aria-current", "true");
    next.scrollIntoView({ block: "nearest" });
  }

  function focus(el) {
    if (!el) return;
    el.focus();
    if (el.select && el.type !== "textarea" && el.tagName !== "TEXTAREA") el.select();
  }

  function showHelp() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  // Show only the bulk form's field that goes with the chosen action.
  function syncBulk() {
    var action = document.getElementById("bulk-action");
    if (!action) return;
    document.querySelectorAll("[data-for-action]").forEach(function (el) {
      el.hidden = el.dataset.forAction !== action.value;
    });
  }

  var keys = {
    j: function () { move(1); },
    k: function () { move(-1); },
    x: function () {
      var box = current() && current().querySelector("input[name=ids]");
      if (box) box.checked = !box.checked;
    },
    o: function () {
      var link = current() && current().querySelector("a.whole-conversation");
      if (link) window.location.href = link.href;
    },
    r: function () {
      var row = current();
      focus(row ? row.querySelector("textarea") : document.getElementById("reply-body") || document.querySelector("textarea"));
    },
    n: function () { focus(document.querySelector(".note-form textarea")); },
    e: function () { focus(current() && current().querySelector("input[name=reason]")); },
    a: function () { focus(document.getElementById("bulk-action")); },
    "/": function () { focus(document.getElementById("queue-search")); },
    "?": showHelp
  };
  keys.Enter = keys.o;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(event.target) || event.target.closest && event.target.closest("dialog[open]")) return;
    if (event.key === "Enter" && event.target !== document.body) return;
    var action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  document.addEventListener("change", function (event) {
    if (event.target.id === "bulk-action") syncBulk();
    if (event.target.matches && event.target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = event.target.checked; });
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-shortcuts-help]")) showHelp();
  });
  document.addEventListener("DOMContentLoaded", syncBulk);
})();
