// The schedule board without a library: blocks placed from their data attributes, HTML5 drag and
// drop from the queue or between lanes, a pointer-driven resize handle, and buttons (earlier,
// later, shorter, longer, "move to...") for the keyboard and narrow screens. Every change posts to
// the board's drop URL; the server answers the fresh board (#board-live) or a dialog (conflict
// with "assign anyway", or the reason of a refusal) shown in the page's modal.
(function () {
  "use strict";

  var SNAP = 30;  // minutes a drop snaps to
  var busy = false;  // a drag or resize is going on: the live poll waits

  function board() { return document.getElementById("board-live"); }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Blocks get their place from minutes since the board's opening (the CSP allows no style attributes).
  function place(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll(".block[data-start]").forEach(function (el) {
      el.style.setProperty("--start", el.dataset.start);
      el.style.setProperty("--length", el.dataset.length);
    });
    root.querySelectorAll(".swatch[data-color]").forEach(function (el) {
      el.style.background = el.dataset.color;
    });
  }

  function showDialog(html) {
    var modal = document.getElementById("modal");
    var body = document.getElementById("modal-body");
    if (!modal || !body) return;
    body.innerHTML = html;
    if (!modal.open) modal.showModal();
    var first = body.querySelector("button[type=submit], button");
    if (first) first.focus();
  }

  function closeDialogs() {
    ["modal", "assign-dialog"].forEach(function (id) {
      var dialog = document.getElementById(id);
      if (dialog && dialog.open) dialog.close();
    });
  }

  // A drop's answer: each lane (and the queue) it holds replaces the element of the same id; with a
  // version, the board showed everything before this drop and the live poll goes on from the new one.
  function patch(answer) {
    Array.prototype.slice.call(answer.children).forEach(function (part) {
      var old = part.id ? document.getElementById(part.id) : null;
      if (!old) return;
      old.replaceWith(part);
      if (window.htmx) window.htmx.process(part);
      place(part);
    });
    var live = board();
    var version = answer.getAttribute("data-version");
    if (live && version) {
      live.dataset.version = version;
      live.setAttribute("hx-get", live.getAttribute("hx-get").replace(/since=\d+/, "since=" + version));
      if (window.htmx) window.htmx.process(live);
    }
  }

  // Post one change with the board's view; put the changed lanes in or show the dialog.
  function post(fields) {
    var live = board();
    if (!live) return Promise.resolve(false);
    var body = new URLSearchParams();
    body.set("view", live.dataset.view);
    body.set("date", live.dataset.date);
    body.set("board_version", live.dataset.version);
    Object.keys(fields).forEach(function (name) {
      if (fields[name] !== undefined && fields[name] !== null) body.set(name, fields[name]);
    });
    live.classList.add("pending");
    return fetch(live.dataset.dropUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken(),
                 "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (response) {
      return response.text().then(function (html) {
        live.classList.remove("pending");
        if (!response.ok) {
          showDialog(html);
          return false;
        }
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        if (fresh && fresh.hasAttribute("data-board-patch")) {
          patch(fresh);
        } else if (fresh) {
          board().replaceWith(fresh);
          if (window.htmx) window.htmx.process(fresh);
          place(fresh);
        }
        return true;
      });
    }, function () {
      live.classList.remove("pending");
      return false;
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The time under the pointer in a lane, snapped down to SNAP minutes ("HH:MM").
  function timeAt(lane, event) {
    var live = board();
    var rect = lane.getBoundingClientRect();
    var vertical = lane.classList.contains("lane-y");
    var share = vertical ? (event.clientY - rect.top) / rect.height : (event.clientX - rect.left) / rect.width;
    var span = parseInt(live.dataset.span, 10);
    var minutes = Math.floor(Math.min(Math.max(share, 0), 0.999) * span / SNAP) * SNAP;
    minutes += parseInt(live.dataset.opens, 10) * 60;
    return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }

  // --- drag and drop ------------------------------------------------------------------------
  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest ? event.target.closest(".block[draggable], .queue-item[draggable]") : null;
    if (!item) return;
    dragged = item;
    busy = true;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.order);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    busy = false;
    document.querySelectorAll(".drag-over").forEach(function (el) { el.classList.remove("drag-over"); });
  });

  function dropTarget(event) {
    if (!dragged || !event.target.closest) return null;
    return event.target.closest(".lane, [data-queue]");
  }

  document.addEventListener("dragover", function (event) {
    var target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".drag-over").forEach(function (el) { if (el !== target) el.classList.remove("drag-over"); });
    target.classList.add("drag-over");
  });

  document.addEventListener("drop", function (event) {
    var target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    var item = dragged;
    dragged = null;
    busy = false;
    target.classList.remove("drag-over");
    var fields = { order_id: item.dataset.order, version: item.dataset.version };
    if (target.hasAttribute("data-queue")) {
      if (!item.classList.contains("block")) return;
      fields.unassign = "1";
    } else {
      fields.technician_id = target.dataset.technician;
      fields.day = target.dataset.day;
      fields.time = timeAt(target, event);
    }
    post(fields);
  });

  // --- resize: drag a block's end to change its duration -----------------------------------
  var resizing = null;

  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest ? event.target.closest("[data-resize]") : null;
    if (!handle) return;
    event.preventDefault();
    var block = handle.closest(".block");
    var lane = block.closest(".lane");
    resizing = { block: block, lane: lane, x: event.clientX, y: event.clientY,
                 length: parseInt(block.dataset.length, 10), duration: parseInt(block.dataset.duration, 10) };
    busy = true;
    handle.setPointerCapture(event.pointerId);
  });

  function resized(event) {
    var live = board();
    var rect = resizing.lane.getBoundingClientRect();
    var vertical = resizing.lane.classList.contains("lane-y");
    var moved = vertical ? (event.clientY - resizing.y) / rect.height : (event.clientX - resizing.x) / rect.width;
    var delta = Math.round(moved * parseInt(live.dataset.span, 10) / 15) * 15;
    return Math.max(15, resizing.duration + delta);
  }

  document.addEventListener("pointermove", function (event) {
    if (!resizing) return;
    var minutes = resized(event);
    resizing.block.style.setProperty("--length", String(resizing.length + minutes - resizing.duration));
  });

  document.addEventListener("pointerup", function (event) {
    if (!resizing) return;
    var minutes = resized(event);
    var block = resizing.block;
    resizing = null;
    busy = false;
    if (minutes === parseInt(block.dataset.duration, 10)) return;
    post({ order_id: block.dataset.order, version: block.dataset.version, duration_minutes: minutes });
  });

  // --- buttons: the same changes without dragging -------------------------------------------
  function openAssign(item) {
    var dialog = document.getElementById("assign-dialog");
    if (!dialog) return;
    var form = dialog.querySelector("form[data-board-form]");
    form.elements.order_id.value = item.dataset.order;
    form.elements.version.value = item.dataset.version;
    form.elements.duration_minutes.value = item.dataset.duration || 60;
    if (item.dataset.technician) form.elements.technician_id.value = item.dataset.technician;
    if (item.dataset.day) form.elements.day.value = item.dataset.day;
    if (item.dataset.time) form.elements.time.value = item.dataset.time;
    var link = item.querySelector("a");
    dialog.querySelector("[data-assign-title]").textContent = link ? link.textContent : "";
    dialog.querySelector("[data-unassign-order]").hidden = !item.classList.contains("block");
    dialog.showModal();
    form.elements.technician_id.focus();
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var button = event.target.closest("button");
    if (!button) return;
    var item = button.closest(".block, .queue-item");
    if (button.hasAttribute("data-dismiss")) {
      closeDialogs();
    } else if (button.hasAttribute("data-unassign-order")) {
      var form = button.form;
      closeDialogs();
      post({ order_id: form.elements.order_id.value, version: form.elements.version.value, unassign: "1" });
    } else if (item && button.hasAttribute("data-assign")) {
      openAssign(item);
    } else if (item && button.dataset.shift) {
      post({ order_id: item.dataset.order, version: item.dataset.version, shift: button.dataset.shift });
    } else if (item && button.dataset.grow) {
      var minutes = Math.max(15, parseInt(item.dataset.duration, 10) + parseInt(button.dataset.grow, 10));
      post({ order_id: item.dataset.order, version: item.dataset.version, duration_minutes: minutes });
    }
  });

  // The assign form and the conflict dialog's "assign anyway" post through the same path.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-board-form]") : null;
    if (!form) return;
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    closeDialogs();
    post(fields);
  });

  // The live poll waits while something is being dragged or resized.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (busy && event.detail.elt && event.detail.elt.id === "board-live") event.preventDefault();
  });

  if (window.htmx) window.htmx.onLoad(place);
  document.addEventListener("DOMContentLoaded", function () { place(document); });
})();
