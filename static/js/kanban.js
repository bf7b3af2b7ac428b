// The pipeline's status changes without a library: HTML5 drag and drop on the kanban board
// and the status select of the leads list. Both post to <base>/leads/<id>/status; moving a
// lead to "lost" first asks for the reason (#lost-dialog); a refused change shows the
// server's toast and puts the card (or the select) back where it was.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function showToast(html) {
    var box = document.getElementById("toasts");
    var toast = html && fragment(html);
    if (!box || !toast) return;
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 5000);
  }

  // Resolves with the reason ("" when none is needed) or null when the user gives up.
  function askReason(status) {
    if (status !== "lost") return Promise.resolve("");
    var dialog = document.getElementById("lost-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return Promise.resolve(null);
    var input = dialog.querySelector("input[name=reason]");
    input.value = "";
    dialog.returnValue = "";
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () {
        var reason = input.value.trim();
        resolve(dialog.returnValue === "ok" && reason ? reason : null);
      }, { once: true });
      dialog.showModal();
      input.focus();
    });
  }

  // POST the change as an HTMX request would: the answer is a fragment or an error toast.
  function postStatus(url, fields) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken(),
                 "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString()
    }).then(function (response) {
      var redirect = response.headers.get("HX-Redirect");
      if (redirect) {
        window.location.href = redirect;
        return { ok: false, html: "" };
      }
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    }, function () {
      return { ok: false, html: "" };
    });
  }

  function processed(element) {
    if (window.htmx && element) window.htmx.process(element);
    return element;
  }

  // --- kanban board ---------------------------------------------------------------------
  var dragged = null;

  function columnOf(status) {
    return document.querySelector('.kanban-col[data-status="' + status + '"]');
  }

  function bumpCount(status, delta) {
    var counter = document.querySelector('[data-testid="count-' + status + '"]');
    if (counter) counter.textContent = String(Math.max(0, parseInt(counter.textContent, 10) + delta));
  }

  function clearHints() {
    document.querySelectorAll(".kanban-col").forEach(function (col) {
      col.classList.remove("drag-over", "drop-source");
    });
  }

  function putBack(card, home, next) {
    if (next && next.parentNode === home) home.insertBefore(card, next);
    else home.insertBefore(card, home.querySelector(".kanban-more"));
  }

  function moveCard(card, target) {
    var from = card.getAttribute("data-status");
    var to = target.getAttribute("data-status");
    if (from === to) return;
    var home = card.parentNode;
    var next = card.nextElementSibling;
    var cards = target.querySelector(".kanban-cards");
    cards.insertBefore(card, cards.firstElementChild);
    card.classList.add("pending");
    askReason(to).then(function (reason) {
      if (reason === null) {
        card.classList.remove("pending");
        putBack(card, home, next);
        return;
      }
      return postStatus(card.getAttribute("data-url"), { status: to, reason: reason, view: "card" })
        .then(function (result) {
          card.classList.remove("pending");
          if (!result.ok) {
            putBack(card, home, next);
            showToast(result.html);
            return;
          }
          var fresh = fragment(result.html);
          if (fresh) card.replaceWith(processed(fresh));
          bumpCount(from, -1);
          bumpCount(to, 1);
        });
    });
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".kcard") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    var source = card.closest(".kanban-col");
    if (source) source.classList.add("drop-source");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-lead-id"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearHints();
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var col = event.target.closest ? event.target.closest(".kanban-col") : null;
    if (!col) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".kanban-col.drag-over").forEach(function (other) {
      if (other !== col) other.classList.remove("drag-over");
    });
    col.classList.add("drag-over");
  });

  document.addEventListener("drop", function (event) {
    var col = event.target.closest ? event.target.closest(".kanban-col") : null;
    if (!col || !dragged) return;
    event.preventDefault();
    var card = dragged;
    dragged = null;
    card.classList.remove("dragging");
    clearHints();
    moveCard(card, col);
  });

  // --- leads list: inline status select -------------------------------------------------
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-status-select]")) return;
    var current = select.getAttribute("data-current");
    var to = select.value;
    if (to === current) return;
    askReason(to).then(function (reason) {
      if (reason === null) {
        select.value = current;
        return;
      }
      return postStatus(select.getAttribute("data-url"), { status: to, reason: reason, view: "row" })
        .then(function (result) {
          if (!result.ok) {
            select.value = current;
            showToast(result.html);
            return;
          }
          var row = select.closest("tr");
          var fresh = fragment(result.html);
          if (row && fresh) row.replaceWith(processed(fresh));
        });
    });
  });

  window.crmPipeline = { moveCard: function (card, status) { moveCard(card, columnOf(status)); } };
})();
