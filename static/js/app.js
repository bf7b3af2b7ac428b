// Small glue for htmx: show 4xx answers (form errors, toasts) instead of dropping them.
document.addEventListener("htmx:beforeSwap", function (evt) {
  var status = evt.detail.xhr.status;
  if (status >= 400 && status < 500) {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});
// Toasts fade out after a few seconds.
document.addEventListener("htmx:afterSettle", function () {
  document.querySelectorAll("#toasts .toast:not([data-timer])").forEach(function (el) {
    el.setAttribute("data-timer", "1");
    setTimeout(function () { el.remove(); }, 5000);
  });
});
// Apartment grids: one delegated handler opens a cell's card in the modal (cells stay small).
document.addEventListener("click", function (evt) {
  var cell = evt.target.closest("[data-card-url] [data-apartment-id]");
  if (!cell || !window.htmx) return;
  var grid = cell.closest("[data-card-url]");
  htmx.ajax("GET", grid.dataset.cardUrl + cell.dataset.apartmentId, {target: "#modal-body", swap: "innerHTML"})
    .then(function () { var modal = document.getElementById("modal"); if (modal && !modal.open) modal.showModal(); });
});
// Behaviour that templates ask for by data attributes (a strict CSP allows no inline handlers).
// After an HTMX request: open or close the modal, or clear a form that was accepted.
document.addEventListener("htmx:afterRequest", function (evt) {
  var el = evt.detail.elt;
  if (!el || !el.closest) return;
  var modal = document.getElementById("modal");
  var ok = evt.detail.xhr && evt.detail.xhr.status < 300;
  if (el.closest("[data-open-modal]") && modal && !modal.open) modal.showModal();
  if (el.closest("[data-close-modal]") && modal && modal.open) modal.close();
  if (ok && el.matches("form[data-reset-on-success]")) el.reset();
});
// A form with data-confirm asks before it is sent (capture: before htmx or the browser acts).
document.addEventListener("submit", function (evt) {
  var form = evt.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }
}, true);
document.addEventListener("click", function (evt) {
  var fill = evt.target.closest("[data-fill-amount]");
  if (fill && fill.form && fill.form.amount) fill.form.amount.value = fill.dataset.fillAmount;
  if (evt.target.closest("[data-print]")) window.print();
  // A copy button puts its data-copy field's text on the clipboard and says so for a moment.
  var copy = evt.target.closest("[data-copy]");
  if (copy) {
    var source = document.querySelector(copy.dataset.copy);
    if (!source) return;
    var done = function () {
      var label = copy.textContent;
      copy.textContent = copy.dataset.copied || label;
      copy.setAttribute("data-done", "");
      setTimeout(function () { copy.textContent = label; copy.removeAttribute("data-done"); }, 2000);
    };
    source.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  }
});
document.addEventListener("change", function (evt) {
  var el = evt.target;
  // A "select all" box checks every box its data-check-all selector finds.
  if (el.matches("[data-check-all]")) {
    document.querySelectorAll(el.dataset.checkAll).forEach(function (box) { box.checked = el.checked; });
  }
  // A control with data-hides hides that element while its value equals data-hides-when.
  if (el.matches("[data-hides]")) {
    var target = document.getElementById(el.dataset.hides);
    if (target) target.hidden = el.value === el.dataset.hidesWhen;
  }
});
// Values a stylesheet cannot know (a floor's grid size, a cell's place, a picture) come in
// data attributes and are applied here, on the page and on every fragment HTMX swaps in.
function applyLayout(root) {
  if (!root.querySelectorAll) return;
  var all = function (selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.push(root);
    return found;
  };
  all("[data-grid-size]").forEach(function (el) {
    var size = el.dataset.gridSize.split(" ");
    el.style.gridTemplateColumns = "repeat(" + size[0] + ", var(--sq))";
    el.style.gridTemplateRows = "repeat(" + size[1] + ", var(--sq))";
  });
  all("[data-grid-area]").forEach(function (el) {
    var a = el.dataset.gridArea.split(" ");  // x y w h, 1-based x and y
    el.style.gridColumn = a[0] + " / span " + a[2];
    el.style.gridRow = a[1] + " / span " + a[3];
  });
  all("[data-picture]").forEach(function (el) {
    el.style.setProperty("--picture", "url(" + JSON.stringify(el.dataset.picture) + ")");
  });
}
if (window.htmx) {
  htmx.onLoad(applyLayout);
} else {
  document.addEventListener("DOMContentLoaded", function () { applyLayout(document); });
}
