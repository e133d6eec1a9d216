// Confirmation for destructive or consequential actions: <form data-confirm="Really?">.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset ? event.target.dataset.confirm : null;
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
// A filter that applies itself when changed: <select data-autosubmit> (no inline handlers: CSP).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) { field.form.requestSubmit(); }
});
// Copy a read-only field's text: <button data-copy="#field-id" data-copied-text="Copied">.
document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (!button) { return; }
  const field = document.querySelector(button.dataset.copy);
  if (!field) { return; }
  field.select();
  const done = () => {
    const label = button.querySelector("span") || button;
    label.textContent = button.dataset.copiedText || "Copied";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});
