// Live updates: one EventSource on /live/events. Each element marked data-live is re-read from
// its data-live-url (and swapped by htmx, data-live-swap or outerHTML) when a change reaches it:
// any incident change, or only changes of the incident named by data-live-incident (and, with
// data-live-kinds, only frames of those kinds). At most one refresh per element is in flight;
// changes arriving meanwhile cause one more when it lands. An element someone is working in (a
// form open or focused in it) waits until they leave it. #live-status tells the user whether
// the page is live.
(() => {
  "use strict";
  if (!window.EventSource || !document.querySelector("[data-live]")) return;

  const status = document.getElementById("live-status");
  const busy = new Set();
  const again = new Set();
  // The incidents service writes another service's timeline line moments after the event:
  // the parts concerned re-read after a second, and again later while nothing shows yet.
  const TIMELINE_LAG_MS = [1000, 2000, 4000];
  const FIRST_LAG_MS = [1000, 3000];

  function show(text, live) {
    if (!status) return;
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle("on", live);
  }

  const waiting = new Set();

  function inUse(element) {
    return element.contains(document.activeElement) || !!element.querySelector("details[open]");
  }

  // Re-read the part after each lag in turn, until it shows something new.
  async function refreshOnceWritten(id, lags) {
    const [lag, ...later] = lags;
    await new Promise((done) => setTimeout(done, lag));
    const before = document.getElementById(id)?.outerHTML;
    await refresh(id);
    const after = document.getElementById(id)?.outerHTML;
    if (later.length && after !== undefined && after === before) refreshOnceWritten(id, later);
  }

  async function refresh(id) {
    const target = document.getElementById(id);
    if (target && inUse(target)) {
      waiting.add(id); // re-read once they are done with it
      return;
    }
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
          // Each part is the source of its own request: htmx lets one request per source
          // run at a time (the body by default), which would drop the parts read together.
          await htmx.ajax("GET", element.dataset.liveUrl, { source: "#" + id, target: "#" + id, swap });
        } catch {
          break; // the next change (or reconnection) tries again
        }
      } while (again.has(id));
    } finally {
      busy.delete(id);
    }
  }

  function resume() {
    for (const id of [...waiting]) {
      const element = document.getElementById(id);
      if (element && inUse(element)) continue;
      waiting.delete(id);
      refresh(id);
    }
  }
  // A re-read already on its way when someone opened a form in the part is not shown: it
  // waits, like a change arriving then would.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && "live" in target.dataset && inUse(target)) {
      event.detail.shouldSwap = false;
      waiting.add(target.id);
    }
  });
  // Focus leaving a part, or one of its forms closing, may free a waiting refresh.
  document.addEventListener("focusout", () => setTimeout(resume, 0));
  document.addEventListener("toggle", resume, true);

  function concerned(frame) {
    return [...document.querySelectorAll("[data-live]")].filter((element) => {
      const kinds = element.dataset.liveKinds;
      if (kinds && !kinds.split(" ").includes(frame.kind)) return false;
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
    // The first time, an incident's parts do: what happened between the page being drawn and
    // the stream opening (often the effect of the action that just brought the user here)
    // would be missed otherwise.
    const first = connections++ === 0;
    for (const element of document.querySelectorAll("[data-live]")) {
      if (!first) refresh(element.id);
      else if (element.dataset.liveIncident) refreshOnceWritten(element.id, FIRST_LAG_MS);
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
      if (frame.kind === "timeline") refreshOnceWritten(id, TIMELINE_LAG_MS);
      else refresh(id);
    }
  });
  stream.addEventListener("error", () => {
    show("Reconnecting…", false);
  });
})();
