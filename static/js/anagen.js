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
// Print buttons: <button data-print> (no inline handlers: CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
});
// The day's list polls itself; it waits while someone is using a form in it, so a row does not
// change under a finger or a keyboard, and for a minute after a tap's answer (a refusal, the links
// to sign), so it can be read.
const TODAY_NOTE_MS = 60_000;
document.addEventListener("htmx:afterSwap", (event) => {
  const id = event.detail.target && event.detail.target.id;
  const note = id && id.startsWith("today-row-") ? document.querySelector(`#${id} .today-note`) : null;
  if (note) { note.dataset.shownAt = String(Date.now()); }
});
document.addEventListener("htmx:beforeRequest", (event) => {
  const list = event.detail.elt;
  if (list.id !== "today-list" || event.detail.requestConfig?.triggeringEvent?.type === "load") { return; }
  const active = document.activeElement;
  const busy = active && active !== document.body && list.contains(active) && active.closest("form");
  const fresh = [...list.querySelectorAll(".today-note[data-shown-at]")]
    .some((note) => Date.now() - Number(note.dataset.shownAt) < TODAY_NOTE_MS);
  if (busy || fresh) { event.preventDefault(); }
});
