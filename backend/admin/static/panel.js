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

// Org picker: a search box offering the subtree's unions by name; choosing one fills the hidden id.
(function () {
  for (const box of document.querySelectorAll("input[data-org-picker]")) {
    const form = box.closest("form");
    const hidden = form.querySelector(`input[type=hidden][name="${box.dataset.orgPicker}"]`);
    const list = document.getElementById(box.getAttribute("list"));
    let found = [];
    let timer = null;
    const choose = () => {
      const hit = found.find((o) => `${o.name}（${o.level}）` === box.value || o.name === box.value);
      hidden.value = hit ? hit.id : "";
    };
    box.addEventListener("input", function () {
      choose();
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const params = new URLSearchParams({ q: box.value });
        for (const level of (box.dataset.levels || "").split(",").filter(Boolean)) params.append("level", level);
        const response = await fetch(`${box.dataset.search}?${params}`, { credentials: "same-origin" });
        found = response.ok ? await response.json() : [];
        list.replaceChildren(...found.map((o) => Object.assign(document.createElement("option"), { value: `${o.name}（${o.level}）` })));
        choose();
      }, 200);
    });
    box.addEventListener("change", choose);
  }
})();
