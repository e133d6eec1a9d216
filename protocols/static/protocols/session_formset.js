// The sessions formset: add, remove and reorder rows. Rows are numbered by their place; Django
// reads the order from each row's hidden ORDER field and skips rows whose DELETE box is ticked.
(() => {
  const rows = document.getElementById("session-rows");
  const template = document.getElementById("session-template");
  if (!rows || !template) return;
  const total = document.getElementById("id_sessions-TOTAL_FORMS");

  const visibleRows = () => [...rows.querySelectorAll("[data-session-row]")].filter((row) => !row.hidden);

  const renumber = () => {
    visibleRows().forEach((row, index) => {
      row.querySelector("[data-session-number]").textContent = index + 1;
      const order = row.querySelector("input[name$='-ORDER']");
      if (order) order.value = index + 1;
    });
  };

  const styleKind = (row) => {
    const kind = row.querySelector("select[name$='-kind']");
    if (!kind) return;
    row.classList.toggle("is-assessment", kind.value === "assessment");
    row.classList.toggle("is-treatment", kind.value !== "assessment");
  };

  rows.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const row = button.closest("[data-session-row]");
    if (button.dataset.move === "up" && row.previousElementSibling) {
      let previous = row.previousElementSibling;
      while (previous && previous.hidden) previous = previous.previousElementSibling;
      if (previous) rows.insertBefore(row, previous);
    } else if (button.dataset.move === "down") {
      let next = row.nextElementSibling;
      while (next && next.hidden) next = next.nextElementSibling;
      if (next) rows.insertBefore(next, row);
    } else if (button.hasAttribute("data-remove")) {
      row.querySelector("input[name$='-DELETE']").checked = true;
      row.hidden = true;
    } else {
      return;
    }
    renumber();
    button.focus();
  });

  rows.addEventListener("change", (event) => {
    if (event.target.matches("select[name$='-kind']")) styleKind(event.target.closest("[data-session-row]"));
  });

  document.getElementById("add-session").addEventListener("click", () => {
    const index = Number(total.value);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = rows.lastElementChild;
    // A new session starts with a usual monthly window; the doctor changes what differs.
    const defaults = { gap_min_days: 21, gap_target_days: 28, gap_max_days: 35, duration_minutes: 30 };
    for (const [name, value] of Object.entries(defaults)) {
      const input = row.querySelector(`input[name='sessions-${index}-${name}']`);
      if (input) input.value = value;
    }
    renumber();
    row.querySelector("select, input:not([type=hidden])").focus();
  });

  rows.querySelectorAll("[data-session-row]").forEach((row) => {
    const deleted = row.querySelector("input[name$='-DELETE']");
    if (deleted && deleted.checked) row.hidden = true;
    styleKind(row);
  });
  renumber();
})();
