// The booking calendar: session details open in a modal (loaded by htmx); the week view is
// FullCalendar fed by /booking/calendar/feed/. The feed gives wall-clock times at the clinic with
// no offset and the calendar runs in UTC mode, so it shows them as they are on any tablet.
(function () {
  "use strict";
  const modalElement = document.getElementById("session-modal");
  const modal = modalElement ? bootstrap.Modal.getOrCreateInstance(modalElement) : null;

  function openSession(url) {
    if (!modal) { window.location.href = url; return; }
    document.getElementById("session-modal-body").innerHTML = '<p class="text-body-secondary">Loading…</p>';
    modal.show();
    htmx.ajax("GET", url, { target: "#session-modal-body", swap: "innerHTML" });
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-session-modal]");
    if (!link) { return; }
    event.preventDefault();
    event.stopPropagation();
    openSession(link.getAttribute("href"));
  }, true);

  const weekElement = document.getElementById("week-calendar");
  if (weekElement && window.FullCalendar) {
    const slot = parseInt(weekElement.dataset.slotMinutes || "15", 10);
    const pad = (n) => String(n).padStart(2, "0");
    const calendar = new FullCalendar.Calendar(weekElement, {
      initialView: "timeGridWeek",
      initialDate: weekElement.dataset.date,
      timeZone: "UTC",
      firstDay: 1,
      allDaySlot: false,
      slotDuration: `00:${pad(slot)}:00`,
      slotLabelInterval: "01:00",
      slotMinTime: "07:00:00",
      slotMaxTime: "21:00:00",
      scrollTime: "08:00:00",
      height: "auto",
      expandRows: true,
      nowIndicator: false,
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      dayHeaderFormat: { weekday: "short", day: "numeric", month: "short" },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      headerToolbar: { left: "prev,next today", center: "title", right: "timeGridWeek,timeGridDay" },
      // The page's language and direction (the staff member's own): FullCalendar's locale file for
      // it is loaded by the page; English is built in.
      locale: document.documentElement.lang || "en",
      direction: document.documentElement.dir === "rtl" ? "rtl" : "ltr",
      buttonText: { today: weekElement.dataset.todayLabel, week: weekElement.dataset.weekLabel,
                    day: weekElement.dataset.dayLabel },
      events: { url: weekElement.dataset.feed, failure: () => {
        const alert = document.createElement("div");
        alert.className = "alert alert-danger";
        alert.setAttribute("role", "alert");
        alert.textContent = weekElement.dataset.loadError;
        weekElement.before(alert);
      } },
      // FullCalendar's arrow icons are role="img" without a name; their buttons carry the name.
      datesSet: () => {
        weekElement.querySelectorAll('.fc-icon[role="img"]').forEach((icon) => icon.setAttribute("aria-hidden", "true"));
      },
      eventDidMount: (info) => {
        const p = info.event.extendedProps;
        const label = `${info.event.title}, ${p.statusLabel}, ${p.practitioner}, ${p.room}`;
        info.el.setAttribute("aria-label", label);
        info.el.setAttribute("title", label);
        info.el.dataset.testid = "calendar-event";
      },
      eventClick: (info) => {
        info.jsEvent.preventDefault();
        openSession(info.event.url);
      },
    });
    calendar.render();
  }
})();
