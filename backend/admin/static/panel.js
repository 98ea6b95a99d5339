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

// <form data-confirm="…"> asks before it is sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Org picker: a search box offering the subtree's unions by name; choosing one fills the hidden id.
(function () {
  for (const box of document.querySelectorAll("input[data-org-picker]")) {
    const form = box.closest("form");
    const hidden = form.querySelector(`input[type=hidden][name="${box.dataset.orgPicker}"]`);
    const list = document.getElementById(box.getAttribute("list"));
    // Every union offered so far, by the text shown for it: a chosen one stays chosen even when a
    // later search (for the chosen text itself) finds nothing new.
    const seen = new Map();
    let timer = null;
    const label = (o) => `${o.name}（${o.level}）`;
    const choose = () => {
      hidden.value = seen.get(box.value) ?? "";
    };
    box.addEventListener("input", function () {
      choose();
      clearTimeout(timer);
      if (hidden.value) return; // the text is a union already offered: nothing to look up
      timer = setTimeout(async function () {
        const params = new URLSearchParams({ q: box.value });
        for (const level of (box.dataset.levels || "").split(",").filter(Boolean)) params.append("level", level);
        const response = await fetch(`${box.dataset.search}?${params}`, { credentials: "same-origin" });
        const found = response.ok ? await response.json() : [];
        for (const o of found) {
          seen.set(label(o), String(o.id));
          if (!seen.has(o.name)) seen.set(o.name, String(o.id));
        }
        list.replaceChildren(...found.map((o) => Object.assign(document.createElement("option"), { value: label(o) })));
        choose();
      }, 200);
    });
    box.addEventListener("change", choose);
  }
})();
