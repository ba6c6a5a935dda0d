// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }) : null;
  var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];

  function relative(date) {
    var seconds = (date.getTime() - Date.now()) / 1000;
    var abs = Math.abs(seconds);
    if (abs < 45) return seconds < 0 ? "just now" : "in a moment";
    for (var i = 0; i < units.length; i++) {
      if (abs >= units[i][1] || units[i][0] === "minute") {
        return rtf.format(Math.round(seconds / units[i][1]), units[i][0]);
      }
    }
  }

  function humanise(root) {
    if (!rtf) return;
    root.querySelectorAll("time[data-relative]").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) return;
      el.title = date.toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" });
      // A promise ("next update by …") reads as a time of day, with the distance after it.
      el.textContent = date > Date.now()
        ? date.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }) + " (" + relative(date) + ")"
        : relative(date);
    });
  }

  function onSubmit(event) {
    // A second click while the first submit is under way sends nothing.
    var form = event.target;
    if (form.dataset.submitting === "1") { event.preventDefault(); event.stopImmediatePropagation(); return; }
    form.dataset.submitting = "1";
    setTimeout(function () { delete form.dataset.submitting; }, 4000);
  }

  // The newest message a community thread shows, so live updates ask only for later ones.
  window.openlineLastMessage = function () {
    var items = document.querySelectorAll("#thread > li[data-id]");
    var last = 0;
    items.forEach(function (li) { last = Math.max(last, parseInt(li.dataset.id, 10) || 0); });
    var live = document.getElementById("live");
    return Math.max(last, live ? parseInt(live.dataset.after, 10) || 0 : 0);
  };

  function replyForm() {
    return document.getElementById("comment-form") || document.getElementById("reply-form");
  }

  function replyTo(form, id, name) {
    form.querySelector("[name=reply_to]").value = id;
    var note = form.querySelector(".reply-note");
    note.hidden = false;
    note.querySelector(".reply-name").textContent = name;
  }

  function onClick(event) {
    var link = event.target.closest(".reply-link");
    var form = replyForm();
    if (link && form) {
      replyTo(form, link.dataset.replyTo, link.dataset.replyName);
      form.querySelector("textarea").focus();
    }
    // Quote: the message's text, as a Markdown quote, at the end of the reply (the link
    // also works without script: the page comes back with the quote in the form).
    var quote = event.target.closest(".quote-link");
    if (quote && form) {
      var item = document.getElementById("m" + quote.dataset.quoteOf);
      var prose = item && item.querySelector(".prose");
      if (prose) {
        event.preventDefault();
        var name = item.querySelector(".meta strong").textContent;
        var selected = String(window.getSelection ? window.getSelection() : "").trim();
        var text = selected && prose.contains(window.getSelection().anchorNode) ? selected : prose.innerText.trim();
        var quoted = text.slice(0, 1000).split("\n").map(function (line) { return line ? "> " + line : ">"; }).join("\n");
        var area = form.querySelector("textarea");
        area.value = (area.value ? area.value.replace(/\s*$/, "\n\n") : "") + "> **" + name + "** wrote:\n" + quoted + "\n\n";
        replyTo(form, quote.dataset.quoteOf, name);
        area.focus();
      }
    }
    var cancel = event.target.closest(".cancel-reply");
    form = replyForm();
    if (cancel && form) {
      form.querySelector("[name=reply_to]").value = "";
      form.querySelector(".reply-note").hidden = true;
    }
  }

  document.addEventListener("DOMContentLoaded", function () { humanise(document); });
  document.addEventListener("htmx:afterSettle", function (e) {
    humanise(e.target);
    delete e.target.dataset.submitting;
  });
  // A refused action (400 invalid, 409 conflict, 429 too fast) comes back as the fragment
  // that says why; htmx drops 4xx responses unless told to swap them.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if ([400, 409, 429].indexOf(e.detail.xhr.status) !== -1 && e.detail.serverResponse) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  // Anything else that fails (403, 404, 500, no network) must not fail silently.
  function announce(text) {
    var box = document.getElementById("htmx-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "htmx-error";
      box.className = "notice notice-error floating";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (e) {
    var status = e.detail.xhr.status;
    if ([400, 409, 429].indexOf(status) !== -1) return;
    announce(status === 403 ? "You are not allowed to do that." :
      status === 404 ? "That is no longer there. Please reload the page." :
      "Something went wrong on our side (" + status + "). Please reload and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check your connection and try again.");
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target.closest && e.target.closest("form");
    if (form) delete form.dataset.submitting;
  });
  document.addEventListener("submit", onSubmit, true);
  document.addEventListener("click", onClick);
})();
