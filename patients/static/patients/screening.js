// The screening form: "All no" answers every question no, then the receptionist flips the
// exceptions; after a refused save, the first unanswered question is scrolled to and focused.
(() => {
  const form = document.getElementById("screening-form");
  if (!form) return;
  const status = document.getElementById("all-no-status");

  document.getElementById("all-no").addEventListener("click", () => {
    let changed = 0;
    form.querySelectorAll("fieldset.yes-no").forEach((question) => {
      const no = question.querySelector("input[value='no']");
      if (no && !no.checked) { no.checked = true; changed += 1; }
      question.classList.remove("is-invalid");
    });
    if (status) status.textContent = `Every question is answered “No” (${changed} set). Flip the ones the patient says yes to.`;
  });

  form.addEventListener("change", (event) => {
    const question = event.target.closest("fieldset.yes-no");
    if (question) question.classList.remove("is-invalid");
  });

  const first = form.querySelector("fieldset.yes-no.is-invalid");
  if (first) {
    first.scrollIntoView({ block: "center" });
    const radio = first.querySelector("input[type=radio]");
    if (radio) radio.focus({ preventScroll: true });
  }
})();
