// Weekly hours editor (location and practitioner forms): "Add hours" clones the day's empty row
// (Django's formset __prefix__); "Clear" empties a row, which the server reads as "no interval".
document.querySelectorAll(".hours-day").forEach((day) => {
  const prefix = day.dataset.prefix;
  const total = day.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const maximum = parseInt(day.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`).value, 10);
  const add = day.querySelector(".hours-add");
  add.addEventListener("click", () => {
    const index = parseInt(total.value, 10);
    if (index >= maximum) { return; }
    const html = day.querySelector("template.hours-empty-row").innerHTML
      .replaceAll("__prefix__", index).replaceAll("__number__", index + 1);
    day.querySelector(".hours-rows").insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    day.querySelector(".hours-rows .hours-row:last-child input").focus();
  });
  day.addEventListener("click", (event) => {
    const button = event.target.closest(".hours-clear");
    if (!button) { return; }
    button.closest(".hours-row").querySelectorAll("input").forEach((input) => { input.value = ""; });
  });
});
