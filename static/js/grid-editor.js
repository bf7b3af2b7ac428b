// Floor-grid canvas editor (admin): draw, move, resize, merge and split apartment cells on a
// grid of squares, bind them to apartments, undo/redo, save versions, view/restore and copy layouts.
// Plain JS, no build step. Reads its data (#editor-data) and translated strings (#editor-i18n)
// from JSON blobs in the page; talks to the admin JSON API with the session cookie + X-CSRF-Token.
(function () {
  "use strict";

  var STATUS_COLORS = { free: "#bbf7d0", booked: "#fde68a", sold: "#fecaca", not_for_sale: "#e5e7eb" };
  var HANDLE = 10;          // side of the resize handle, CSS px
  var DRAG_THRESHOLD = 4;   // px a press must travel before it becomes a drag
  var MAX_HISTORY = 200;    // undo steps kept
  var MIN_SQUARE = 16;      // smallest square, CSS px (the canvas scrolls beyond that)
  var MAX_SQUARE = 56;      // largest square, CSS px
  var MAX_CANVAS_HEIGHT = 620;

  var root = document.getElementById("grid-editor");
  if (!root) { return; }
  var data = readJson("editor-data");
  var T = readJson("editor-i18n");
  var el = {
    canvas: document.getElementById("ge-canvas"),
    wrap: document.getElementById("ge-canvas-wrap"),
    cols: document.getElementById("ge-cols"),
    rows: document.getElementById("ge-rows"),
    sizeError: document.getElementById("ge-size-error"),
    undo: document.getElementById("ge-undo"),
    redo: document.getElementById("ge-redo"),
    merge: document.getElementById("ge-merge"),
    split: document.getElementById("ge-split"),
    del: document.getElementById("ge-delete"),
    save: document.getElementById("ge-save"),
    state: document.getElementById("ge-state"),
    status: document.getElementById("ge-status"),
    problems: document.getElementById("ge-problems"),
    problemList: document.getElementById("ge-problem-list"),
    preview: document.getElementById("ge-preview"),
    previewText: document.getElementById("ge-preview-text"),
    previewClose: document.getElementById("ge-preview-close"),
    cellInfo: document.getElementById("ge-cell-info"),
    cellFields: document.getElementById("ge-cell-fields"),
    apartment: document.getElementById("ge-apartment"),
    newApartment: document.getElementById("ge-new-apartment"),
    placed: document.getElementById("ge-placed"),
    copyForm: document.getElementById("ge-copy"),
    copyFrom: document.getElementById("ge-copy-from"),
    copyTo: document.getElementById("ge-copy-to"),
    copyResult: document.getElementById("ge-copy-result"),
    versions: document.getElementById("version-rows"),
  };
  var ctx = el.canvas.getContext("2d");
  var apartments = {};
  data.apartments.forEach(function (a) { apartments[a.id] = a; });

  var state = {
    layout: cleanLayout(data.grid),  // the draft being edited
    version: data.grid.version,      // newest saved version (0: never saved)
    savedJson: "",                   // the newest saved layout, to tell unsaved changes
    selection: [],                   // indices of selected cells, first = primary
    problems: {},                    // cell index -> true, from the last refused save
    preview: null,                   // {version, layout} while viewing a saved version
    undo: [],
    redo: [],
    drag: null,                      // the mouse gesture in progress
    square: 40,                      // CSS px per grid square
    busy: false,                     // a save/restore request is running
  };
  state.savedJson = layoutJson(state.layout);

  // ---------------------------------------------------------------- helpers

  // Parse the JSON blob in the element with this id.
  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  // A translated string with its %(name)s placeholders filled.
  function fmt(key, params) {
    var text = T[key] || key;
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return params && params[name] !== undefined ? String(params[name]) : whole;
    });
  }

  // Keep a number within [low, high].
  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  // A cell with exactly the fields the API stores, in a fixed order.
  function cleanCell(c) {
    return { x: c.x, y: c.y, w: c.w, h: c.h, apartment_id: c.apartment_id == null ? null : c.apartment_id };
  }

  // A deep copy of a layout with only {cols, rows, cells}.
  function cleanLayout(l) {
    return { cols: l.cols, rows: l.rows, cells: (l.cells || []).map(cleanCell) };
  }

  // A layout as a comparable string.
  function layoutJson(l) {
    return JSON.stringify(cleanLayout(l));
  }

  // The layout on the canvas: the previewed version, or the draft.
  function current() {
    return state.preview ? state.preview.layout : state.layout;
  }

  // True when the draft differs from the newest saved layout.
  function isDirty() {
    return layoutJson(state.layout) !== state.savedJson;
  }

  // True when the canvas may be edited; tells the user why not otherwise.
  function editable() {
    if (state.preview) { setStatus(fmt("readOnly"), "warn"); return false; }
    return true;
  }

  // Natural order of apartment numbers ("2" before "10"), like the server's copy.
  function byNumber(a, b) {
    var da = parseInt(String(a.number).replace(/\D/g, ""), 10) || 0;
    var db = parseInt(String(b.number).replace(/\D/g, ""), 10) || 0;
    return da - db || String(a.number).localeCompare(String(b.number));
  }

  // An area like "42.50" shown as "42.5".
  function shortArea(area) {
    var n = Number(area);
    return isNaN(n) ? String(area) : String(Math.round(n * 100) / 100);
  }

  // Apartment id -> index of the first cell bound to it, in a layout.
  function boundCells(layout) {
    var map = {};
    layout.cells.forEach(function (c, i) {
      if (c.apartment_id != null && map[c.apartment_id] === undefined) { map[c.apartment_id] = i; }
    });
    return map;
  }

  // Squares ("x,y") covered by more than one cell.
  function overlapSquares(layout) {
    var seen = {}, twice = {};
    layout.cells.forEach(function (c) {
      for (var x = c.x; x < c.x + c.w; x++) {
        for (var y = c.y; y < c.y + c.h; y++) {
          var key = x + "," + y;
          if (seen[key]) { twice[key] = true; } else { seen[key] = true; }
        }
      }
    });
    return twice;
  }

  // Index of the topmost cell covering square (gx, gy), or -1.
  function cellAt(layout, gx, gy) {
    for (var i = layout.cells.length - 1; i >= 0; i--) {
      var c = layout.cells[i];
      if (gx >= c.x && gx < c.x + c.w && gy >= c.y && gy < c.y + c.h) { return i; }
    }
    return -1;
  }

  // ---------------------------------------------------------------- history

  // Remember the draft before a change, for Undo.
  function pushUndo() {
    state.undo.push(layoutJson(state.layout));
    if (state.undo.length > MAX_HISTORY) { state.undo.shift(); }
    state.redo = [];
  }

  // Apply a change to the draft (if editable), keeping the previous draft for Undo.
  function commit(mutate) {
    if (!editable()) { return false; }
    pushUndo();
    mutate(state.layout);
    afterChange();
    return true;
  }

  // Refresh everything after the draft changed: highlights from the last save no longer apply.
  function afterChange() {
    state.problems = {};
    state.selection = state.selection.filter(function (i) { return i < state.layout.cells.length; });
    syncSizeInputs();
    resizeCanvas();
    refresh();
  }

  // Go back one step in the draft's history.
  function undo() {
    if (!editable()) { return; }
    if (!state.undo.length) { setStatus(fmt("nothingToUndo")); return; }
    state.redo.push(layoutJson(state.layout));
    state.layout = JSON.parse(state.undo.pop());
    state.selection = [];
    afterChange();
    setStatus(fmt("undone"));
  }

  // Go forward one step after an Undo.
  function redo() {
    if (!editable()) { return; }
    if (!state.redo.length) { setStatus(fmt("nothingToRedo")); return; }
    state.undo.push(layoutJson(state.layout));
    state.layout = JSON.parse(state.redo.pop());
    state.selection = [];
    afterChange();
    setStatus(fmt("redone"));
  }

  // ---------------------------------------------------------------- canvas

  // Fit the square size to the available width (and a sane height), device-pixel-ratio aware.
  function resizeCanvas() {
    var layout = current();
    var pad = window.getComputedStyle(el.wrap);
    var inner = el.wrap.clientWidth - parseFloat(pad.paddingLeft) - parseFloat(pad.paddingRight);
    var avail = Math.max(200, inner - 4);  // room for the focus ring
    var byWidth = Math.floor((avail - 1) / layout.cols);
    var byHeight = Math.floor((MAX_CANVAS_HEIGHT - 1) / layout.rows);
    state.square = clamp(Math.min(byWidth, byHeight), MIN_SQUARE, MAX_SQUARE);
    var width = layout.cols * state.square + 1;
    var height = layout.rows * state.square + 1;
    var dpr = window.devicePixelRatio || 1;
    el.canvas.style.width = width + "px";
    el.canvas.style.height = height + "px";
    el.canvas.width = Math.round(width * dpr);
    el.canvas.height = Math.round(height * dpr);
    el.canvas.dataset.square = String(state.square);
    el.canvas.dataset.cols = String(layout.cols);
    el.canvas.dataset.rows = String(layout.rows);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  var hatchCache = {};
  // A diagonal hatch pattern for unbound (grey) or faulty (red) areas.
  function hatch(kind) {
    if (hatchCache[kind]) { return hatchCache[kind]; }
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var t = tile.getContext("2d");
    t.fillStyle = kind === "red" ? "rgba(254,202,202,.85)" : "#f3f4f6";
    t.fillRect(0, 0, 8, 8);
    t.strokeStyle = kind === "red" ? "rgba(185,28,28,.7)" : "#cbd5e1";
    t.lineWidth = 2;
    t.beginPath();
    t.moveTo(0, 8); t.lineTo(8, 0);
    t.moveTo(-2, 2); t.lineTo(2, -2);
    t.moveTo(6, 10); t.lineTo(10, 6);
    t.stroke();
    hatchCache[kind] = ctx.createPattern(tile, "repeat");
    return hatchCache[kind];
  }

  // The pixel rectangle of a cell, inset so neighbours stay apart.
  function cellRect(c) {
    var sq = state.square;
    return { x: c.x * sq + 2, y: c.y * sq + 2, w: c.w * sq - 3, h: c.h * sq - 3 };
  }

  // A rounded rectangle path (plain rectangle on old browsers).
  function roundRect(r, radius) {
    ctx.beginPath();
    if (ctx.roundRect) { ctx.roundRect(r.x, r.y, r.w, r.h, radius); } else { ctx.rect(r.x, r.y, r.w, r.h); }
  }

  // Draw the squares of the grid.
  function drawSquares(layout) {
    var sq = state.square, width = layout.cols * sq, height = layout.rows * sq;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width + 1, height + 1);
    ctx.strokeStyle = "#e5e7eb";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (var i = 0; i <= layout.cols; i++) { ctx.moveTo(i * sq + 0.5, 0); ctx.lineTo(i * sq + 0.5, height + 1); }
    for (var j = 0; j <= layout.rows; j++) { ctx.moveTo(0, j * sq + 0.5); ctx.lineTo(width + 1, j * sq + 0.5); }
    ctx.stroke();
  }

  // Draw one cell: status colour (or hatch), number and rooms, its index, outlines.
  function drawCell(cell, index, opts) {
    var r = cellRect(cell);
    var apt = cell.apartment_id != null ? apartments[cell.apartment_id] : null;
    var unknown = cell.apartment_id != null && !apt;
    ctx.globalAlpha = opts.ghost ? 0.55 : 1;
    roundRect(r, 4);
    ctx.fillStyle = apt ? (STATUS_COLORS[apt.status] || "#e5e7eb") : hatch(unknown ? "red" : "grey");
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = "rgba(15,23,42,.45)";
    if (opts.ghost) { ctx.setLineDash([5, 3]); ctx.strokeStyle = "#1f6feb"; ctx.lineWidth = 2; }
    ctx.stroke();
    ctx.setLineDash([]);
    drawLabel(cell, r, apt, unknown, index);
    if (opts.selected) { outline(r, "#1f6feb", 3); }
    if (opts.problem) { outline(opts.selected ? inset(r, 3) : r, "#b91c1c", 3); }
    if (opts.handle) { drawHandle(r); }
    ctx.globalAlpha = 1;
  }

  // Write the apartment's number and rooms (or "—") in the middle of a cell, its index at the corner.
  function drawLabel(cell, r, apt, unknown, index) {
    var size = clamp(Math.floor(Math.min(r.w / 4.5, r.h / 2.6)), 9, 16);
    var cx = r.x + r.w / 2, cy = r.y + r.h / 2;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#111827";
    var number = apt ? String(apt.number) : (unknown ? "#" + cell.apartment_id : "—");
    var rooms = apt ? fmt("rooms", { rooms: apt.rooms }) : "";
    var twoLines = rooms && r.h >= size * 2.6;
    ctx.font = "700 " + size + "px system-ui, sans-serif";
    ctx.fillText(number, cx, twoLines ? cy - size * 0.55 : cy, r.w - 4);
    if (twoLines) {
      ctx.font = Math.max(9, size - 3) + "px system-ui, sans-serif";
      ctx.fillStyle = "rgba(17,24,39,.7)";
      ctx.fillText(rooms, cx, cy + size * 0.7, r.w - 4);
    }
    if (r.w >= 28 && r.h >= 28) {
      ctx.font = "10px system-ui, sans-serif";
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.fillStyle = "rgba(71,85,105,.9)";
      ctx.fillText(String(index + 1), r.x + 3, r.y + 2);
    }
  }

  // A rectangle shrunk by `by` px on every side.
  function inset(r, by) {
    return { x: r.x + by, y: r.y + by, w: r.w - 2 * by, h: r.h - 2 * by };
  }

  // A thick outline around a cell rectangle.
  function outline(r, color, width) {
    ctx.lineWidth = width;
    ctx.strokeStyle = color;
    roundRect({ x: r.x + 0.5, y: r.y + 0.5, w: r.w - 1, h: r.h - 1 }, 4);
    ctx.stroke();
  }

  // The resize handle at a cell's bottom-right corner.
  function drawHandle(r) {
    ctx.fillStyle = "#1f6feb";
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1.5;
    ctx.fillRect(r.x + r.w - HANDLE, r.y + r.h - HANDLE, HANDLE, HANDLE);
    ctx.strokeRect(r.x + r.w - HANDLE, r.y + r.h - HANDLE, HANDLE, HANDLE);
  }

  // Tint squares covered by two cells so overlaps show before saving.
  function drawOverlaps(layout) {
    var twice = overlapSquares(layout), sq = state.square;
    ctx.fillStyle = hatch("red");
    Object.keys(twice).forEach(function (key) {
      var p = key.split(",");
      ctx.fillRect(p[0] * sq + 1, p[1] * sq + 1, sq - 1, sq - 1);
    });
  }

  // The layout as it would be with the current drag applied (for drawing the gesture).
  function draggedLayout() {
    var d = state.drag, layout = current();
    if (!d || !d.moved) { return layout; }
    if (d.kind === "move") {
      var delta = moveDelta(d);
      return { cols: layout.cols, rows: layout.rows, cells: layout.cells.map(function (c, i) {
        return d.indices.indexOf(i) >= 0 ? { x: c.x + delta.dx, y: c.y + delta.dy, w: c.w, h: c.h,
                                             apartment_id: c.apartment_id } : c;
      }) };
    }
    if (d.kind === "resize") {
      var size = resizeSize(d);
      return { cols: layout.cols, rows: layout.rows, cells: layout.cells.map(function (c, i) {
        return i === d.index ? { x: c.x, y: c.y, w: size.w, h: size.h, apartment_id: c.apartment_id } : c;
      }) };
    }
    return layout;
  }

  // Draw the whole canvas: squares, cells, overlaps, selection, the gesture in progress.
  function draw() {
    var layout = draggedLayout();
    var d = state.drag && state.drag.moved ? state.drag : null;
    drawSquares(layout);
    layout.cells.forEach(function (cell, i) {
      var moving = d && ((d.kind === "move" && d.indices.indexOf(i) >= 0) || (d.kind === "resize" && d.index === i));
      var selected = !state.preview && state.selection.indexOf(i) >= 0;
      drawCell(cell, i, {
        ghost: moving,
        selected: selected && !moving,
        problem: !!state.problems[i],
        handle: selected && !moving && state.selection.length === 1,
      });
    });
    drawOverlaps(layout);
    if (d && d.kind === "draw") { drawNewCell(drawRect(d)); }
    el.wrap.classList.toggle("is-preview", !!state.preview);
  }

  // The dashed rectangle of a cell being drawn.
  function drawNewCell(rect) {
    var r = cellRect(rect);
    ctx.fillStyle = "rgba(31,111,235,.15)";
    ctx.fillRect(r.x, r.y, r.w, r.h);
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#1f6feb";
    ctx.strokeRect(r.x, r.y, r.w, r.h);
    ctx.setLineDash([]);
  }

  // ---------------------------------------------------------------- mouse

  // Where a pointer event is: CSS px in the canvas and the grid square under it.
  function pointAt(evt) {
    var box = el.canvas.getBoundingClientRect(), layout = current();
    var px = evt.clientX - box.left, py = evt.clientY - box.top;
    return {
      px: px, py: py,
      gx: clamp(Math.floor(px / state.square), 0, layout.cols - 1),
      gy: clamp(Math.floor(py / state.square), 0, layout.rows - 1),
    };
  }

  // True when the point is on the resize handle of the single selected cell.
  function onHandle(p) {
    if (state.selection.length !== 1) { return false; }
    var r = cellRect(current().cells[state.selection[0]]);
    var slack = 4;
    return p.px >= r.x + r.w - HANDLE - slack && p.px <= r.x + r.w + slack &&
           p.py >= r.y + r.h - HANDLE - slack && p.py <= r.y + r.h + slack;
  }

  // The normalised rectangle of squares swept by a "draw" gesture.
  function drawRect(d) {
    var x = Math.min(d.start.gx, d.cur.gx), y = Math.min(d.start.gy, d.cur.gy);
    return { x: x, y: y, w: Math.abs(d.cur.gx - d.start.gx) + 1, h: Math.abs(d.cur.gy - d.start.gy) + 1 };
  }

  // How far a "move" gesture shifts its cells, kept inside the grid.
  function moveDelta(d) {
    var layout = current(), dx = d.cur.gx - d.start.gx, dy = d.cur.gy - d.start.gy;
    d.indices.forEach(function (i) {
      var c = layout.cells[i];
      dx = clamp(dx, -c.x, layout.cols - c.x - c.w);
      dy = clamp(dy, -c.y, layout.rows - c.y - c.h);
    });
    return { dx: dx, dy: dy };
  }

  // The new size of a cell under a "resize" gesture (at least one square).
  function resizeSize(d) {
    var c = current().cells[d.index];
    return { w: Math.max(1, d.cur.gx - c.x + 1), h: Math.max(1, d.cur.gy - c.y + 1) };
  }

  // Start a gesture: resize on the handle, select/move on a cell, draw on empty squares.
  function onPointerDown(evt) {
    if (evt.button !== 0) { return; }
    el.canvas.focus();
    var p = pointAt(evt), layout = current();
    var hit = cellAt(layout, p.gx, p.gy);
    if (state.preview) { setStatus(fmt("readOnly"), "warn"); return; }
    el.canvas.setPointerCapture(evt.pointerId);
    var base = { start: p, cur: p, startPx: { x: evt.clientX, y: evt.clientY }, moved: false };
    if (onHandle(p)) {
      state.drag = Object.assign(base, { kind: "resize", index: state.selection[0] });
    } else if (hit >= 0 && evt.shiftKey) {
      toggleSelection(hit);
      state.drag = null;
    } else if (hit >= 0) {
      if (state.selection.indexOf(hit) < 0) { state.selection = [hit]; }
      state.drag = Object.assign(base, { kind: "move", index: hit, indices: state.selection.slice() });
      refresh();
    } else {
      if (!evt.shiftKey) { state.selection = []; }
      state.drag = Object.assign(base, { kind: "draw" });
      refresh();
    }
  }

  // Follow the pointer: update the gesture, or the cursor when nothing is pressed.
  function onPointerMove(evt) {
    var p = pointAt(evt), d = state.drag;
    if (!d) { el.canvas.style.cursor = cursorFor(p); return; }
    if (!d.moved && Math.abs(evt.clientX - d.startPx.x) + Math.abs(evt.clientY - d.startPx.y) < DRAG_THRESHOLD) {
      return;
    }
    d.moved = true;
    d.cur = p;
    draw();
  }

  // The mouse cursor for a point: resize on the handle, move on a cell, crosshair elsewhere.
  function cursorFor(p) {
    if (state.preview) { return "default"; }
    if (onHandle(p)) { return "nwse-resize"; }
    return cellAt(current(), p.gx, p.gy) >= 0 ? "move" : "crosshair";
  }

  // Finish a gesture: add, move or resize cells (each one Undo step), or just select.
  function onPointerUp(evt) {
    var d = state.drag;
    state.drag = null;
    if (!d) { return; }
    if (el.canvas.hasPointerCapture(evt.pointerId)) { el.canvas.releasePointerCapture(evt.pointerId); }
    if (evt.type === "pointercancel") { draw(); return; }
    if (d.kind === "draw" && d.moved) {
      var rect = drawRect(d);
      commit(function (l) { l.cells.push(cleanCell(rect)); });
      state.selection = [state.layout.cells.length - 1];
    } else if (d.kind === "move" && d.moved) {
      var delta = moveDelta(d);
      if (delta.dx || delta.dy) {
        commit(function (l) { d.indices.forEach(function (i) { l.cells[i].x += delta.dx; l.cells[i].y += delta.dy; }); });
      }
    } else if (d.kind === "resize" && d.moved) {
      var size = resizeSize(d), c = state.layout.cells[d.index];
      if (size.w !== c.w || size.h !== c.h) {
        commit(function (l) { l.cells[d.index].w = size.w; l.cells[d.index].h = size.h; });
      }
    } else if (d.kind === "move") {
      state.selection = [d.index];  // a plain click selects just this cell
    }
    refresh();
  }

  // Add a cell to the selection, or take it out.
  function toggleSelection(index) {
    var at = state.selection.indexOf(index);
    if (at >= 0) { state.selection.splice(at, 1); } else { state.selection.push(index); }
    refresh();
  }

  // ---------------------------------------------------------------- keyboard and tools

  // Keyboard: Ctrl+Z / Ctrl+Y, Delete, arrows move the selection, Escape clears it.
  function onKeyDown(evt) {
    var target = evt.target;
    if (target && (/^(INPUT|SELECT|TEXTAREA)$/).test(target.tagName)) { return; }
    var mod = evt.ctrlKey || evt.metaKey, key = evt.key;
    if (mod && (key === "z" || key === "Z" || key === "я" || key === "Я")) {
      evt.preventDefault();
      if (evt.shiftKey) { redo(); } else { undo(); }
    } else if (mod && (key === "y" || key === "Y" || key === "н" || key === "Н")) {
      evt.preventDefault();
      redo();
    } else if ((key === "Delete" || key === "Backspace") && state.selection.length) {
      evt.preventDefault();
      deleteSelected();
    } else if (key === "Escape") {
      state.drag = null;
      state.selection = [];
      refresh();
    } else if (target === el.canvas && state.selection.length && key.indexOf("Arrow") === 0) {
      evt.preventDefault();
      var step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[key];
      if (step) { moveSelectedBy(step[0], step[1]); }
    }
  }

  // Shift the selected cells by whole squares, staying inside the grid.
  function moveSelectedBy(dx, dy) {
    var d = { start: { gx: 0, gy: 0 }, cur: { gx: dx, gy: dy }, indices: state.selection.slice() };
    var delta = moveDelta(d);
    if (!delta.dx && !delta.dy) { return; }
    commit(function (l) { d.indices.forEach(function (i) { l.cells[i].x += delta.dx; l.cells[i].y += delta.dy; }); });
  }

  // Remove the selected cells.
  function deleteSelected() {
    var doomed = state.selection.slice().sort(function (a, b) { return b - a; });
    if (!doomed.length) { setStatus(fmt("nothingSelected"), "warn"); return; }
    if (commit(function (l) { doomed.forEach(function (i) { l.cells.splice(i, 1); }); })) {
      state.selection = [];
      refresh();
      setStatus(fmt("deleted", { count: doomed.length }));
    }
  }

  // Join the selected cells into their bounding rectangle, when they fill it exactly.
  function mergeSelected() {
    if (!editable()) { return; }
    var picked = state.selection.slice();
    if (picked.length < 2) { setStatus(fmt("mergeNeedTwo"), "warn"); return; }
    var cells = picked.map(function (i) { return state.layout.cells[i]; });
    var box = boundingBox(cells);
    var area = cells.reduce(function (sum, c) { return sum + c.w * c.h; }, 0);
    var covered = overlapSquares({ cells: cells });
    var intruder = state.layout.cells.some(function (c, i) { return picked.indexOf(i) < 0 && intersects(c, box); });
    if (area !== box.w * box.h || Object.keys(covered).length || intruder) {
      setStatus(fmt("mergeNotRect"), "warn");
      return;
    }
    var bound = cells.filter(function (c) { return c.apartment_id != null; });
    var keep = bound.length ? bound[0].apartment_id : null;
    var at = Math.min.apply(null, picked);
    commit(function (l) {
      l.cells = l.cells.filter(function (c, i) { return picked.indexOf(i) < 0; });
      l.cells.splice(at, 0, { x: box.x, y: box.y, w: box.w, h: box.h, apartment_id: keep });
    });
    state.selection = [at];
    refresh();
    var distinct = bound.filter(function (c, i, all) {
      return all.findIndex(function (o) { return o.apartment_id === c.apartment_id; }) === i;
    });
    setStatus(distinct.length > 1 ? fmt("mergedKeeps", { number: apartmentLabel(keep) }) : fmt("merged"));
  }

  // The smallest rectangle holding every given cell.
  function boundingBox(cells) {
    var x0 = Math.min.apply(null, cells.map(function (c) { return c.x; }));
    var y0 = Math.min.apply(null, cells.map(function (c) { return c.y; }));
    var x1 = Math.max.apply(null, cells.map(function (c) { return c.x + c.w; }));
    var y1 = Math.max.apply(null, cells.map(function (c) { return c.y + c.h; }));
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }

  // True when two rectangles share a square.
  function intersects(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  // Cut the selected cell in two across its longer side; the left/top half keeps the apartment.
  function splitSelected() {
    if (!editable()) { return; }
    if (state.selection.length !== 1) { setStatus(fmt("splitNeedOne"), "warn"); return; }
    var index = state.selection[0], c = state.layout.cells[index];
    if (c.w === 1 && c.h === 1) { setStatus(fmt("splitTooSmall"), "warn"); return; }
    var first, second;
    if (c.w >= c.h) {
      var left = Math.ceil(c.w / 2);
      first = { x: c.x, y: c.y, w: left, h: c.h, apartment_id: c.apartment_id };
      second = { x: c.x + left, y: c.y, w: c.w - left, h: c.h, apartment_id: null };
    } else {
      var top = Math.ceil(c.h / 2);
      first = { x: c.x, y: c.y, w: c.w, h: top, apartment_id: c.apartment_id };
      second = { x: c.x, y: c.y + top, w: c.w, h: c.h - top, apartment_id: null };
    }
    commit(function (l) { l.cells.splice(index, 1, first, second); });
    state.selection = [index, index + 1];
    refresh();
    setStatus(fmt("split"));
  }

  // Apply the columns/rows inputs to the grid after checking their range and the cells;
  // returns the problem shown next to the inputs ("" when the size is fine).
  function applySize() {
    var cols = Number(el.cols.value), rows = Number(el.rows.value);
    var problem = "";
    if (!Number.isInteger(cols) || cols < 1 || cols > data.max_cols) {
      problem = fmt("colsRange", { max: data.max_cols });
      el.cols.setAttribute("aria-invalid", "true");
    } else if (!Number.isInteger(rows) || rows < 1 || rows > data.max_rows) {
      problem = fmt("rowsRange", { max: data.max_rows });
      el.rows.setAttribute("aria-invalid", "true");
    } else {
      var needCols = 1, needRows = 1;
      state.layout.cells.forEach(function (c) {
        needCols = Math.max(needCols, c.x + c.w);
        needRows = Math.max(needRows, c.y + c.h);
      });
      if (cols < needCols || rows < needRows) {
        problem = fmt("sizeCutsCells", { cols: needCols, rows: needRows });
      }
    }
    if (problem) { showSizeError(problem); return problem; }
    showSizeError("");
    if (cols === state.layout.cols && rows === state.layout.rows) { return ""; }
    if (!commit(function (l) { l.cols = cols; l.rows = rows; })) { syncSizeInputs(); }
    return "";
  }

  // Show (or clear) the message under the size inputs.
  function showSizeError(message) {
    el.sizeError.textContent = message;
    el.sizeError.hidden = !message;
    if (!message) { el.cols.removeAttribute("aria-invalid"); el.rows.removeAttribute("aria-invalid"); }
  }

  // Put the shown layout's size into the inputs.
  function syncSizeInputs() {
    var layout = current();
    el.cols.value = layout.cols;
    el.rows.value = layout.rows;
    showSizeError("");
  }

  // ---------------------------------------------------------------- side panel

  // Refresh the panel, the buttons, the saved/unsaved flag and the canvas.
  function refresh() {
    updatePanel();
    updateButtons();
    updateStateFlag();
    draw();
  }

  // How an apartment is named in messages: its number, or #id when it is not on this floor.
  function apartmentLabel(id) {
    return apartments[id] ? String(apartments[id].number) : "#" + id;
  }

  // The selected cell's description, apartment select and the "placed" counter.
  function updatePanel() {
    var layout = current(), sel = state.selection;
    var single = !state.preview && sel.length === 1;
    el.cellFields.disabled = !single;
    if (single) {
      var c = layout.cells[sel[0]];
      el.cellInfo.textContent = fmt("cellInfo", { n: sel[0] + 1, x: c.x + 1, y: c.y + 1, w: c.w, h: c.h });
      fillApartmentSelect(c, sel[0]);
    } else {
      el.cellInfo.textContent = sel.length > 1 && !state.preview ? fmt("manySelected", { count: sel.length })
                                                                 : fmt("selectCell");
      el.apartment.innerHTML = "";
    }
    var list = data.apartments, bound = boundCells(layout);
    var placed = list.filter(function (a) { return bound[a.id] !== undefined; }).length;
    el.placed.textContent = list.length ? fmt("placed", { bound: placed, total: list.length }) : fmt("noApartments");
  }

  // Fill the apartment select for a cell: this floor's apartments, bound ones marked with their cell.
  function fillApartmentSelect(cell, index) {
    var bound = boundCells(current());
    el.apartment.innerHTML = "";
    el.apartment.appendChild(new Option(fmt("notBound"), ""));
    data.apartments.slice().sort(byNumber).forEach(function (a) {
      var label = fmt("aptOption", { number: a.number, rooms: a.rooms, area: shortArea(a.area) });
      var where = bound[a.id];
      if (where !== undefined && where !== index) { label += " — " + fmt("inCell", { n: where + 1 }); }
      var option = new Option((where !== undefined && where !== index ? "● " : "") + label, String(a.id));
      el.apartment.appendChild(option);
    });
    if (cell.apartment_id != null && !apartments[cell.apartment_id]) {
      el.apartment.appendChild(new Option(fmt("otherFloorApt", { id: cell.apartment_id }), String(cell.apartment_id)));
    }
    el.apartment.value = cell.apartment_id == null ? "" : String(cell.apartment_id);
  }

  // Bind the selected cell to the apartment chosen in the select.
  function onApartmentChange() {
    if (state.selection.length !== 1) { return; }
    var index = state.selection[0];
    var value = el.apartment.value ? Number(el.apartment.value) : null;
    commit(function (l) { l.cells[index].apartment_id = value; });
  }

  // Enable tools only when they can do something.
  function updateButtons() {
    var sel = state.selection.length, ro = !!state.preview;
    el.undo.disabled = ro || !state.undo.length;
    el.redo.disabled = ro || !state.redo.length;
    el.merge.disabled = ro || sel < 2;
    el.split.disabled = ro || sel !== 1;
    el.del.disabled = ro || sel < 1;
    el.cols.disabled = el.rows.disabled = ro;
    el.save.disabled = state.busy || (!ro && state.version > 0 && !isDirty());
  }

  // The flag next to Save: preview, unsaved changes, the saved version, or never saved.
  function updateStateFlag() {
    var text, kind;
    if (state.preview) { text = fmt("statePreview", { version: state.preview.version }); kind = "warn"; }
    else if (isDirty()) { text = fmt("unsaved"); kind = "warn"; }
    else if (state.version > 0) { text = fmt("stateVersion", { version: state.version }); kind = "ok"; }
    else { text = fmt("stateNew"); kind = ""; }
    el.state.textContent = text;
    el.state.className = "ge-state " + kind;
  }

  // Show a message in the status line (kind: "", "ok", "warn", "error").
  function setStatus(text, kind) {
    el.status.textContent = text;
    el.status.className = "ge-status " + (kind || "");
  }

  // ---------------------------------------------------------------- server

  // Call the JSON API; resolves to {ok, status, data} (status 0 when the network failed).
  function api(method, path, body) {
    var token = document.querySelector('meta[name="csrf-token"]');
    var headers = { "Accept": "application/json" };
    if (method !== "GET") { headers["X-CSRF-Token"] = token ? token.content : ""; }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(data.api_base + path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (resp) {
      return resp.json().catch(function () { return null; }).then(function (json) {
        return { ok: resp.ok, status: resp.status, data: json };
      });
    }, function () { return { ok: false, status: 0, data: null }; });
  }

  // A readable message for a failed API answer.
  function errorText(resp) {
    if (resp.status === 0) { return fmt("networkError"); }
    var detail = resp.data && resp.data.detail;
    var msg = Array.isArray(detail) ? detail.map(function (d) { return d.msg; }).join(" ")
                                    : (detail || String(resp.status));
    return fmt("httpError", { status: resp.status, msg: msg });
  }

  // The floor's path in the API.
  function gridPath(suffix) {
    return "/floors/" + data.floor + "/grid" + (suffix || "");
  }

  // Save the shown layout (draft or previewed version) as the floor's next version.
  function save() {
    if (state.busy) { return; }
    // never save a size other than the one the inputs show: a bad size is refused here, next to the inputs
    var sizeProblem = state.preview ? "" : applySize();
    if (sizeProblem) {
      setStatus(sizeProblem, "error");
      (el.cols.getAttribute("aria-invalid") ? el.cols : el.rows).focus();
      return;
    }
    var layout = cleanLayout(current());
    state.busy = true;
    updateButtons();
    setStatus(fmt("saving"));
    api("PUT", gridPath(), layout).then(function (resp) {
      state.busy = false;
      if (resp.ok) {
        adoptSaved(resp.data);
        clearProblems();
        setStatus(fmt("saved", { version: resp.data.version }), "ok");
        refreshVersions();
      } else if (resp.status === 422 && Array.isArray(resp.data && resp.data.detail)) {
        showProblems(resp.data.detail);
        setStatus(fmt("problemCount", { count: resp.data.detail.length }), "error");
      } else {
        setStatus(errorText(resp), "error");
      }
      refresh();
    });
  }

  // Make a layout the server just saved the draft (the old draft stays reachable by Undo).
  function adoptSaved(grid) {
    var saved = cleanLayout(grid);
    if (layoutJson(saved) !== layoutJson(state.layout)) { pushUndo(); }
    state.layout = saved;
    state.savedJson = layoutJson(saved);
    state.version = grid.version;
    state.preview = null;
    state.selection = state.selection.filter(function (i) { return i < saved.cells.length; });
    showPreview();
    syncSizeInputs();
    resizeCanvas();
  }

  // List every problem of a refused save and outline its cells in red; clicking one selects the cell.
  function showProblems(detail) {
    state.problems = {};
    el.problemList.innerHTML = "";
    detail.forEach(function (d) {
      var loc = d.loc || [], index = loc[1] === "cells" && typeof loc[2] === "number" ? loc[2] : null;
      var text = d.msg;
      if (index !== null) {
        state.problems[index] = true;
        if (loc.length > 3) { text = fmt("cellField", { n: index + 1, field: loc.slice(3).join("."), msg: d.msg }); }
      } else if (loc[1] === "cols" || loc[1] === "rows") {
        text = fmt(loc[1] + "Range", { max: loc[1] === "cols" ? data.max_cols : data.max_rows });
        showSizeError(text);
        el[loc[1]].setAttribute("aria-invalid", "true");
      } else if (loc.length > 1) {
        text = loc.slice(1).join(".") + ": " + d.msg;
      }
      var item = document.createElement("li");
      item.textContent = text;
      item.dataset.testid = "grid-problem";
      if (index !== null) {
        item.dataset.cell = String(index);
        item.tabIndex = 0;
        item.addEventListener("click", function () { selectCell(index); });
        item.addEventListener("keydown", function (e) { if (e.key === "Enter") { selectCell(index); } });
      }
      el.problemList.appendChild(item);
    });
    el.problems.hidden = false;
  }

  // Hide the problem list and the red outlines.
  function clearProblems() {
    state.problems = {};
    el.problemList.innerHTML = "";
    el.problems.hidden = true;
  }

  // Select one cell by index (from the problem list or tests).
  function selectCell(index) {
    if (index < 0 || index >= current().cells.length) { return; }
    state.selection = [index];
    refresh();
    el.canvas.focus();
  }

  // Reload the versions table from the page itself (dates come formatted by the server).
  function refreshVersions() {
    return fetch(window.location.pathname, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (resp) { return resp.ok ? resp.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("version-rows");
        if (fresh) { el.versions.innerHTML = fresh.innerHTML; markPreviewRow(); }
      }, function () { /* the table stays as it was */ });
  }

  // Highlight the versions row being previewed.
  function markPreviewRow() {
    el.versions.querySelectorAll("tr[data-version]").forEach(function (row) {
      row.classList.toggle("is-previewed", !!state.preview && Number(row.dataset.version) === state.preview.version);
    });
  }

  // Load a saved version onto the canvas as a read-only preview.
  function viewVersion(version) {
    setStatus(fmt("loadingVersion", { version: version }));
    api("GET", gridPath("/versions/" + version)).then(function (resp) {
      if (!resp.ok) { setStatus(errorText(resp), "error"); return; }
      state.preview = { version: resp.data.version, layout: cleanLayout(resp.data) };
      state.drag = null;
      clearProblems();
      showPreview();
      syncSizeInputs();
      resizeCanvas();
      refresh();
      setStatus("");
    });
  }

  // Leave the preview and show the draft again.
  function closePreview() {
    state.preview = null;
    showPreview();
    syncSizeInputs();
    resizeCanvas();
    refresh();
  }

  // Show or hide the preview banner.
  function showPreview() {
    el.preview.hidden = !state.preview;
    if (state.preview) { el.previewText.textContent = fmt("previewBanner", { version: state.preview.version }); }
    markPreviewRow();
  }

  // Save an earlier version again as the newest one.
  function restoreVersion(version) {
    if (state.busy) { return; }
    state.busy = true;
    api("POST", gridPath("/versions/" + version + "/restore")).then(function (resp) {
      state.busy = false;
      if (resp.ok) {
        adoptSaved(resp.data);
        clearProblems();
        setStatus(fmt("restored", { old: version, version: resp.data.version }), "ok");
        refreshVersions();
      } else {
        setStatus(errorText(resp), "error");
      }
      refresh();
    });
  }

  // Clicks in the versions table: View or Restore.
  function onVersionsClick(evt) {
    var button = evt.target.closest("button[data-action]");
    if (!button) { return; }
    var version = Number(button.dataset.version);
    if (button.dataset.action === "view") { viewVersion(version); }
    if (button.dataset.action === "restore") { restoreVersion(version); }
  }

  // Copy the saved layout of this floor to the floors in the range.
  function copyLayout(evt) {
    evt.preventDefault();
    var from = Number(el.copyFrom.value), to = Number(el.copyTo.value);
    var ok = function (n) { return Number.isInteger(n) && n >= 1 && n <= data.floors; };
    if (!ok(from) || !ok(to)) { return copyMessage(fmt("copyRange", { floors: data.floors }), "error"); }
    if (isDirty()) { return copyMessage(fmt("copySaveFirst"), "warn"); }
    if (state.version === 0) { return copyMessage(fmt("copyNeverSaved"), "warn"); }
    copyMessage(fmt("copying"), "");
    api("POST", gridPath("/copy"), { to_floor_from: from, to_floor_to: to }).then(function (resp) {
      if (!resp.ok) { return copyMessage(errorText(resp), "error"); }
      if (!resp.data.length) { return copyMessage(fmt("copiedNone"), "warn"); }
      var floors = resp.data.map(function (g) { return g.floor; });
      copyMessage(fmt("copied", { floors: floorRanges(floors) }), "ok");
    });
  }

  // Show the result of a copy next to its form.
  function copyMessage(text, kind) {
    el.copyResult.textContent = text;
    el.copyResult.className = "ge-copy-result " + (kind || "");
  }

  // Floor numbers as short ranges: [2,3,4,6] -> "2–4, 6".
  function floorRanges(floors) {
    var sorted = floors.slice().sort(function (a, b) { return a - b; }), parts = [], i = 0;
    while (i < sorted.length) {
      var j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) { j++; }
      parts.push(i === j ? String(sorted[i]) : sorted[i] + "–" + sorted[j]);
      i = j + 1;
    }
    return parts.join(", ");
  }

  // Create an apartment on this floor from the small form and bind it to the selected cell.
  function createApartment(evt) {
    evt.preventDefault();
    if (state.selection.length !== 1 || !editable()) { return; }
    var form = el.newApartment, index = state.selection[0];
    var body = { floor: data.floor };
    ["number", "rooms", "area", "price_per_m2", "section"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value.trim() !== "") { body[name] = field.value.trim(); }
    });
    showFieldErrors(form, []);
    api("POST", "/apartments", body).then(function (resp) {
      if (!resp.ok) {
        var detail = resp.data && resp.data.detail;
        showFieldErrors(form, Array.isArray(detail) ? detail : [{ loc: [], msg: errorText(resp) }]);
        return;
      }
      var apt = resp.data;
      apartments[apt.id] = apt;
      data.apartments.push(apt);
      if (!state.layout.cells[index]) { return; }
      state.selection = [index];
      commit(function (l) { l.cells[index].apartment_id = apt.id; });
      form.reset();
      setStatus(fmt("created", { number: apt.number }), "ok");
    });
  }

  // Show the server's messages next to the fields they name (the rest under the form).
  function showFieldErrors(form, detail) {
    var slots = form.querySelectorAll("[data-error-for]");
    slots.forEach(function (slot) { slot.textContent = ""; slot.hidden = true; });
    form.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
    detail.forEach(function (d) {
      var loc = d.loc || [], name = loc.length > 1 ? loc[loc.length - 1] : "__all__";
      var slot = form.querySelector('[data-error-for="' + name + '"]') ||
                 form.querySelector('[data-error-for="__all__"]');
      slot.textContent = slot.textContent ? slot.textContent + " " + d.msg : d.msg;
      slot.hidden = false;
      if (form.elements[name]) { form.elements[name].setAttribute("aria-invalid", "true"); }
    });
  }

  // Warn before leaving the page with unsaved changes.
  function onBeforeUnload(evt) {
    if (!isDirty()) { return undefined; }
    evt.preventDefault();
    evt.returnValue = fmt("leave");
    return evt.returnValue;
  }

  // ---------------------------------------------------------------- wiring

  // Connect every control to its handler and draw the first frame.
  function start() {
    el.canvas.addEventListener("pointerdown", onPointerDown);
    el.canvas.addEventListener("pointermove", onPointerMove);
    el.canvas.addEventListener("pointerup", onPointerUp);
    el.canvas.addEventListener("pointercancel", onPointerUp);
    el.canvas.addEventListener("pointerleave", function () { if (!state.drag) { el.canvas.style.cursor = ""; } });
    document.addEventListener("keydown", onKeyDown);
    el.undo.addEventListener("click", undo);
    el.redo.addEventListener("click", redo);
    el.merge.addEventListener("click", mergeSelected);
    el.split.addEventListener("click", splitSelected);
    el.del.addEventListener("click", deleteSelected);
    el.save.addEventListener("click", save);
    el.cols.addEventListener("change", applySize);
    el.rows.addEventListener("change", applySize);
    el.apartment.addEventListener("change", onApartmentChange);
    el.newApartment.addEventListener("submit", createApartment);
    el.copyForm.addEventListener("submit", copyLayout);
    el.previewClose.addEventListener("click", closePreview);
    el.versions.addEventListener("click", onVersionsClick);
    window.addEventListener("beforeunload", onBeforeUnload);
    window.addEventListener("resize", function () { resizeCanvas(); draw(); });
    resizeCanvas();
    refresh();
    setStatus(state.version > 0 ? fmt("upToDate", { version: state.version }) : fmt("neverSaved"));
  }

  // What tests (and the console) may read or drive.
  window.gridEditor = {
    layout: function () { return cleanLayout(current()); },
    square: function () { return state.square; },
    selection: function () { return state.selection.slice(); },
    version: function () { return state.version; },
    dirty: isDirty,
    problems: function () { return Object.keys(state.problems).map(Number).sort(function (a, b) { return a - b; }); },
    select: selectCell,
  };

  start();
})();
