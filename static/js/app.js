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
// "Select all" boxes: data-select-all names the boxes they tick (no inline handlers under the CSP).
document.addEventListener("change", function (evt) {
  var all = evt.target.closest && evt.target.closest("[data-select-all]");
  if (!all) return;
  document.querySelectorAll(all.dataset.selectAll).forEach(function (box) { box.checked = all.checked; });
});
