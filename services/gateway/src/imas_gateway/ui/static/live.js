// Live updates: one EventSource on /live/events. Each element marked data-live is re-read from
// its data-live-url (and swapped by htmx, data-live-swap or outerHTML) when a change reaches it:
// any incident change, or only changes of the incident named by data-live-incident. At most one
// refresh per element is in flight; changes arriving meanwhile cause one more when it lands.
// #live-status tells the user whether the page is live.
(() => {
  "use strict";
  if (!window.EventSource || !document.querySelector("[data-live]")) return;

  const status = document.getElementById("live-status");
  const busy = new Set();
  const again = new Set();
  // The incidents service writes another service's timeline line moments after the event.
  const TIMELINE_LAG_MS = 1000;

  function show(text, live) {
    if (!status) return;
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle("on", live);
  }

  async function refresh(id) {
    if (busy.has(id)) {
      again.add(id);
      return;
    }
    busy.add(id);
    try {
      do {
        again.delete(id);
        const element = document.getElementById(id);
        if (!element) break;
        const swap = element.dataset.liveSwap || "outerHTML";
        try {
          await htmx.ajax("GET", element.dataset.liveUrl, { target: "#" + id, swap });
        } catch {
          break; // the next change (or reconnection) tries again
        }
      } while (again.has(id));
    } finally {
      busy.delete(id);
    }
  }

  function concerned(frame) {
    return [...document.querySelectorAll("[data-live]")].filter((element) => {
      const incident = element.dataset.liveIncident;
      if (incident) return incident === frame.id || incident === frame.short_id;
      return frame.kind === "incident";
    });
  }

  const stream = new EventSource("/live/events");
  let connections = 0;
  stream.addEventListener("subscribed", () => {
    show("Live", true);
    // Back after a cut: whatever changed meanwhile was missed, so every live part re-reads.
    if (connections++ > 0) {
      for (const element of document.querySelectorAll("[data-live]")) refresh(element.id);
    }
  });
  stream.addEventListener("message", (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    for (const element of concerned(frame)) {
      const id = element.id;
      if (frame.kind === "timeline") setTimeout(() => refresh(id), TIMELINE_LAG_MS);
      else refresh(id);
    }
  });
  stream.addEventListener("error", () => {
    show("Reconnecting…", false);
  });
})();
