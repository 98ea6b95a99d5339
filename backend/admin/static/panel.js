// The panel's small behaviours, without inline script (the pages' CSP allows scripts from here only):
// forms with data-confirm ask before they are sent; a data-select-all box ticks every box of its name.
(function () {
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  for (const box of document.querySelectorAll("input[data-select-all]")) {
    box.addEventListener("change", function () {
      for (const item of document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`)) {
        item.checked = box.checked;
      }
    });
  }
})();
