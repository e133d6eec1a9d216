// Date and time fields in the page's language (flatpickr), not the browser's: every
// input[type=date|time|datetime-local] becomes a text field that writes and reads the date as the
// page does (#datepicker-settings, clinic/templatetags/datepickers.py), with a calendar in the
// language, right to left in Arabic. The field the form submits keeps its name and its ISO value
// (Y-m-d, H:i, Y-m-dTH:i), so the server's forms, validation and the API see no change.
(() => {
  if (!window.flatpickr) { return; }
  const root = document.documentElement;
  const data = document.getElementById("datepicker-settings");
  const settings = data ? JSON.parse(data.textContent) : {};
  const language = (root.lang || "en").split("-")[0].toLowerCase();
  const rtl = root.dir === "rtl";
  const typed = settings.typed || {};
  // flatpickr's locale (first day of the week, its own labels), with Django's month and weekday
  // names so the picker's text matches the dates elsewhere on the page.
  const base = window.flatpickr.l10ns[language] || window.flatpickr.l10ns.default;
  const locale = { ...base };
  if (settings.months) { locale.months = { shorthand: settings.months, longhand: settings.monthsLong }; }
  if (settings.weekdays) { locale.weekdays = { shorthand: settings.weekdays, longhand: settings.weekdaysLong }; }

  const KINDS = {
    date: { iso: "Y-m-d", shown: settings.date || "j M Y", typed: typed.date || [], options: {} },
    time: { iso: "H:i", shown: settings.time || "H:i", typed: typed.time || [],
            options: { enableTime: true, noCalendar: true } },
    "datetime-local": { iso: "Y-m-d\\TH:i", shown: settings.datetime || "j M Y H:i", typed: typed.datetime || [],
                        options: { enableTime: true } },
  };

  // A strict reader of one format (flatpickr's own is lenient and knows no non-ASCII month names):
  // the whole text must match, separators . / - stand for each other, the day must exist.
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const names = (list) => `(${list.map(escape).join("|")})`;
  const index = (list, text) => list.findIndex((name) => name.toLocaleLowerCase(language) === text.toLocaleLowerCase(language));
  const TOKENS = {
    d: "(\\d{1,2})", j: "(\\d{1,2})", m: "(\\d{1,2})", n: "(\\d{1,2})", Y: "(\\d{4})", y: "(\\d{2})",
    H: "(\\d{1,2})", G: "(\\d{1,2})", h: "(\\d{1,2})", i: "(\\d{2})", S: "(\\d{2})",
    M: () => names(locale.months.shorthand), F: () => names(locale.months.longhand),
    D: () => names(locale.weekdays.shorthand), l: () => names(locale.weekdays.longhand),
    K: () => names([...(locale.amPM || ["AM", "PM"]), "AM", "PM"]),
  };
  function read(text, format) {
    let pattern = "";
    const fields = [];
    for (let at = 0; at < format.length; at += 1) {
      const char = format[at];
      if (char === "\\") { at += 1; pattern += escape(format[at] || ""); }
      else if (TOKENS[char]) { pattern += typeof TOKENS[char] === "function" ? TOKENS[char]() : TOKENS[char]; fields.push(char); }
      else if (/[./-]/.test(char)) { pattern += "[./-]"; }
      else if (/\s/.test(char)) { pattern += "\\s*"; }
      else { pattern += escape(char); }
    }
    const match = new RegExp(`^\\s*${pattern}\\s*$`, "iu").exec(text);
    if (!match) { return undefined; }
    const today = new Date();
    const parts = { year: today.getFullYear(), month: today.getMonth(), day: today.getDate(), hour: 0, minute: 0, second: 0 };
    let pm = null;
    fields.forEach((token, k) => {
      const value = match[k + 1];
      const number = Number(value);
      if ("dj".includes(token)) { parts.day = number; }
      else if ("mn".includes(token)) { parts.month = number - 1; }
      else if (token === "M") { parts.month = index(locale.months.shorthand, value); }
      else if (token === "F") { parts.month = index(locale.months.longhand, value); }
      else if (token === "Y") { parts.year = number; }
      else if (token === "y") { parts.year = number < 69 ? 2000 + number : 1900 + number; }
      else if ("HGh".includes(token)) { parts.hour = number; }
      else if (token === "i") { parts.minute = number; }
      else if (token === "S") { parts.second = number; }
      else if (token === "K") { pm = index([locale.amPM ? locale.amPM[1] : "PM", "PM"], value) >= 0; }
    });
    if (pm !== null) { parts.hour = (parts.hour % 12) + (pm ? 12 : 0); }
    if (parts.month < 0 || parts.hour > 23 || parts.minute > 59 || parts.second > 59) { return undefined; }
    const date = new Date(2000, 0, 1, parts.hour, parts.minute, parts.second);
    date.setFullYear(parts.year, parts.month, parts.day);
    const exists = date.getFullYear() === parts.year && date.getMonth() === parts.month && date.getDate() === parts.day;
    return exists ? date : undefined;
  }

  // What the visible field and the labels need of the original: its id (so <label for> and
  // aria-describedby name the field a person sees), error state and accessible names.
  const CARRIED = ["aria-describedby", "aria-invalid", "aria-label", "aria-labelledby", "title", "autofocus"];

  function upgrade(input) {
    const kind = KINDS[input.getAttribute("type")];
    if (!kind || input._flatpickr) { return; }
    const formats = [kind.shown, kind.iso, ...kind.typed];
    const options = {
      ...kind.options,
      locale,
      dateFormat: kind.iso,
      altInput: true,
      altFormat: kind.shown,
      altInputClass: input.className,
      allowInput: true,
      clickOpens: false,
      disableMobile: true,
      // Under the field, from its start edge (the right one in Arabic).
      position: rtl ? "auto right" : "auto left",
      ariaDateFormat: "l j F Y",
      time_24hr: true,
      // Inside a Bootstrap modal the calendar must be inside it too: the modal's focus trap
      // would take focus back from a calendar appended to <body>.
      static: Boolean(input.closest(".modal")),
      parseDate: (text, format) => {
        for (const candidate of [format, ...formats]) {
          const date = read(text, candidate);
          if (date) { return date; }
        }
        return undefined;
      },
      errorHandler: () => {},
    };
    if (input.type === "time") {
      if (input.min) { options.minTime = input.min; }
      if (input.max) { options.maxTime = input.max; }
    } else {
      if (input.min) { options.minDate = input.min; }
      if (input.max) { options.maxDate = input.max; }
    }
    const step = Number(input.step);
    if (kind.options.enableTime && step >= 60 && step % 60 === 0) { options.minuteIncrement = step / 60; }
    const original = input.value;
    const picker = window.flatpickr(input, options);
    const shown = picker.altInput;
    if (!shown) { return; }
    if (input.id) {
      shown.id = input.id;
      input.removeAttribute("id");
    }
    for (const name of CARRIED) {
      if (input.hasAttribute(name)) { shown.setAttribute(name, input.getAttribute(name)); }
    }
    shown.autocomplete = "off";
    // A value the picker cannot read (the server's own refusal of it, say) stays as it was typed.
    if (original && !picker.selectedDates.length) {
      input.value = original;
      shown.value = original;
    }
    picker.calendarContainer.setAttribute("lang", language);
    picker.calendarContainer.setAttribute("dir", rtl ? "rtl" : "ltr");
    // The calendar opens on a click or tap, or Alt+Down / Down from the keyboard; focus alone (a
    // Tab, or a test filling the field) does not open it, so it never covers the next field.
    shown.addEventListener("click", () => picker.open());
    shown.addEventListener("keydown", (event) => {
      if (!picker.isOpen && event.key === "ArrowDown") { event.preventDefault(); picker.open(); }
      else if (picker.isOpen && (event.key === "Escape" || event.key === "Tab")) {
        // Escape closes the calendar only, not the modal it is in.
        if (event.key === "Escape") { event.stopPropagation(); }
        commit(picker);
        picker.close();
      }
    });
    picker.calendarContainer.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.stopPropagation(); }
    });
  }

  // The typed text is what the form submits: read it now (flatpickr reads it on blur, which a
  // submit from the keyboard or a script can skip). Unreadable text goes to the server as it is,
  // whose refusal then names the field.
  function commit(picker) {
    const shown = picker.altInput;
    if (!shown) { return; }
    const text = shown.value.trim();
    const current = picker.selectedDates[0];
    if (current && text === picker.formatDate(current, picker.config.altFormat)) { return; }
    if (!text) { picker.clear(false); return; }
    const date = picker.config.parseDate(text, picker.config.altFormat);
    if (date) { picker.setDate(date, false); } else { picker.input.value = text; }
  }

  function upgradeAll(root) {
    if (!root.querySelectorAll) { return; }
    const inputs = root.matches && root.matches("input") ? [root] : root.querySelectorAll("input[type=date], input[type=time], input[type=datetime-local]");
    inputs.forEach(upgrade);
  }

  // Close an open calendar when a finger or the mouse goes down anywhere else (flatpickr listens
  // to touchstart only on touch screens, and not to a mouse there).
  document.addEventListener("pointerdown", (event) => {
    document.querySelectorAll(".flatpickr-input[type=hidden]").forEach((input) => {
      const picker = input._flatpickr;
      if (!picker || !picker.isOpen) { return; }
      if (picker.calendarContainer.contains(event.target) || event.target === picker.altInput) { return; }
      commit(picker);
      picker.close();
    });
  }, true);
  document.addEventListener("submit", (event) => {
    event.target.querySelectorAll(".flatpickr-input[type=hidden]").forEach((input) => {
      if (input._flatpickr) { commit(input._flatpickr); }
    });
  }, true);
  document.addEventListener("htmx:beforeCleanupElement", (event) => {
    const element = event.detail.elt;
    if (element && element._flatpickr) { element._flatpickr.destroy(); }
  });
  document.addEventListener("htmx:load", (event) => upgradeAll(event.detail.elt));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => upgradeAll(document));
  } else {
    upgradeAll(document);
  }
})();
