// The panel's small behaviours, bound by data attributes (the Content-Security-Policy allows no
// inline script or on… handler in the pages):
//   <input type="checkbox" data-select-all="input[name=ids]">  ticks or clears every matching box
//   <select data-fills="period"> with <option data-fill="…">   copies the option's value into the field
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-select-all]");
  if (box) {
    for (const other of document.querySelectorAll(box.dataset.selectAll)) other.checked = box.checked;
  }
  const select = event.target.closest("select[data-fills]");
  if (select && select.form) {
    const field = select.form.elements[select.dataset.fills];
    const option = select.selectedOptions[0];
    if (field && option && option.dataset.fill !== undefined) field.value = option.dataset.fill;
  }
});
