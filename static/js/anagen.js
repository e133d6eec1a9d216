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
