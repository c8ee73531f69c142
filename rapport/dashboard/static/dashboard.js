// The operator's dashboard: one overview (GET /v1/dashboard) drawn as charts, redrawn
// whenever the change stream (GET /v1/changes/stream) says the org's data moved.
"use strict";

const KEY = "rapport.key";
const STAGE_COLOURS = {
  qualification: "#3b6fe0", objection_handling: "#d98b0b", closing: "#7b55d6",
  won: "#1f9d6a", lost: "#d2463c", not_qualified: "#9aa1b3",
};
const $ = (id) => document.getElementById(id);
const charts = {};
let position = null;
let stream = null;
let pending = null;

function key() { return sessionStorage.getItem(KEY); }

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: `Bearer ${key()}`, "Content-Type": "application/json",
               ...(options.headers || {}) },
  });
  if (response.status === 401) {
    signOut("That key was not accepted: check it, or create one with `rapport keys create`.");
    throw new Error("unauthorized");
  }
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) {
    throw new Error((body && (body.detail || body.title)) || `HTTP ${response.status}`);
  }
  return body;
}

// --- signing in and out -------------------------------------------------------------

function signOut(message = "") {
  sessionStorage.removeItem(KEY);
  if (stream) stream.abort();
  $("board").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("key").value.trim());
  $("login-error").textContent = "";
  try {
    await refresh();
  } catch (error) {
    if (error.message !== "unauthorized") $("login-error").textContent = error.message;
    return;
  }
  $("login").hidden = true;
  $("board").hidden = false;
  follow();
  health();
}

// --- drawing ------------------------------------------------------------------------

function chart(id, config) {
  if (!charts[id]) {
    charts[id] = new Chart($(id), {
      ...config,
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: config.legend || false } },
                 ...(config.options || {}) },
    });
  } else {
    charts[id].data = config.data;
    charts[id].update("none");
  }
}

const percent = (part, whole) => (whole ? Math.round((100 * part) / whole) : 0);
const label = (text) => text.replaceAll("_", " ");

function drawVolume(volume) {
  const names = { contacts: "contacts", conversations: "conversations", messages: "messages",
                  events: "engagement events", patterns: "patterns",
                  pending_enrichment: "waiting for enrichment" };
  $("volume").innerHTML = Object.entries(names).map(([k, name]) =>
    `<div class="tile" data-volume="${k}"><b>${(volume[k] ?? 0).toLocaleString()}</b>` +
    `<span>${name}</span></div>`).join("");
}

function drawPipeline(stages) {
  chart("pipeline-chart", {
    type: "bar",
    data: { labels: stages.map((s) => label(s.stage)),
            datasets: [{ data: stages.map((s) => s.total),
                         backgroundColor: stages.map((s) => STAGE_COLOURS[s.stage] || "#9aa1b3") }] },
    options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

function drawMessages(days) {
  const rate = (name) => days.map((d) => percent(d[name], d.sent));
  chart("messages-chart", {
    type: "line", legend: true,
    data: { labels: days.map((d) => d.day.slice(5)),
            datasets: [
              { label: "delivered %", data: rate("delivered"), borderColor: "#3b6fe0", tension: 0.3 },
              { label: "read %", data: rate("read"), borderColor: "#1f9d6a", tension: 0.3 },
              { label: "replied %", data: rate("replied"), borderColor: "#d98b0b", tension: 0.3 },
              { label: "sent", data: days.map((d) => d.sent), type: "bar", yAxisID: "count",
                backgroundColor: "rgba(59,111,224,0.12)" },
            ] },
    options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } },
                         count: { position: "right", beginAtZero: true,
                                  grid: { display: false }, ticks: { precision: 0 } } } },
  });
  const today = days[days.length - 1] || { sent: 0, delivered: 0, read: 0, replied: 0 };
  $("messages-today").textContent = `Today: ${today.sent} sent · ${today.delivered} delivered` +
    ` · ${today.read} read · ${today.replied} replied`;
}

function drawWorkload(items) {
  chart("workload-chart", {
    type: "bar",
    data: { labels: items.map((a) => a.agent || a.name || "unassigned"),
            datasets: [{ data: items.map((a) => a.count ?? a.conversations ?? 0),
                         backgroundColor: "#7b55d6" }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

function drawFollowUps(f) {
  chart("follow-ups-chart", {
    type: "doughnut", legend: true,
    data: { labels: ["overdue", "due today", "later this week"],
            datasets: [{ data: [f.overdue, f.today, f.this_week],
                         backgroundColor: ["#d2463c", "#d98b0b", "#3b6fe0"] }] },
    options: { plugins: { legend: { position: "right" } } },
  });
  $("follow-ups").innerHTML = `<span><b id="overdue">${f.overdue}</b> overdue</span>` +
    `<span><b>${f.today}</b> due today</span><span><b>${f.this_week}</b> this week</span>`;
}

function drawPatterns(items) {
  chart("patterns-chart", {
    type: "bar",
    data: { labels: items.map((p) => `${label(p.pattern.type)}: ${p.pattern.name}`),
            datasets: [{ data: items.map((p) => p.frequency), backgroundColor: "#1f9d6a" }] },
    options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

function drawExperiments(experiments) {
  if (!experiments.length) {
    $("experiments").innerHTML = '<p class="muted">No experiments yet.</p>';
    return;
  }
  $("experiments").innerHTML = experiments.map((e) => `
    <div class="experiment" data-experiment="${e.experiment_id}">
      <h3>${escape(e.name)} <span class="muted">· ${e.status} · ${label(e.metric)}</span></h3>
      <table class="variants">
        <tr><th>variant</th><th>exposed</th><th>${label(e.metric)}</th><th>chance to win</th>
            <th></th><th></th></tr>
        ${e.variants.map((v) => {
          const chance = v.chance_to_be_best == null ? 0 : Math.round(100 * v.chance_to_be_best);
          const paused = v.status === "paused";
          return `<tr data-variant="${v.variant_id}">
            <td>${escape(v.name)}${v.control ? ' <span class="muted">(control)</span>' : ""}</td>
            <td>${v.exposures}</td>
            <td>${v.conversion_rate == null ? "–" : Math.round(100 * v.conversion_rate) + "%"}</td>
            <td><div class="bar" title="${chance}%"><i style="width:${chance}%"></i></div> ${chance}%</td>
            <td><span class="status ${paused ? "paused" : ""}">${v.status}</span></td>
            <td><button type="button" class="pause" data-pause="${v.variant_id}"
                 ${paused ? "disabled" : ""}>Pause</button></td></tr>`;
        }).join("")}
      </table></div>`).join("");
}

function escape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// --- data ---------------------------------------------------------------------------

async function refresh() {
  const o = await api("/v1/dashboard");
  if (position === null) {  // the first read: the last few changes, then live from here
    position = o.position;
    const earlier = Math.max(0, Number(position) - 12);
    const recent = await api(`/v1/changes?after=${earlier}&limit=12`);
    recent.items.forEach(activity);
  }
  drawVolume(o.volume);
  drawPipeline(o.pipeline);
  drawMessages(o.messages);
  drawWorkload(o.workload);
  drawFollowUps(o.follow_ups);
  drawPatterns(o.patterns);
  drawExperiments(o.experiments);
  $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  $("board-error").textContent = "";
  document.body.dataset.refreshed = String(Date.now());
}

function soon() {  // one redraw for a burst of changes
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    try { await refresh(); } catch (error) { $("board-error").textContent = error.message; }
  }, 150);
}

async function health() {
  if ($("board").hidden) return;
  try {
    const h = await api("/v1/health/data?days=14");
    const rows = [
      ["rows past retention", h.past_retention.total],
      ["PII scrubbed", `${Math.round(100 * (h.pii.completion ?? 1))}%`],
      ["sessions without messages", h.orphaned_sessions.without_messages],
      ["messages per session (p50)", h.volume.messages_per_session.p50 ?? "–"],
      ["active contacts, 7 days", h.volume.active_contacts.last_7_days],
      ["active contacts, 30 days", h.volume.active_contacts.last_30_days],
    ];
    $("health").innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("");
  } catch (error) {
    $("health").innerHTML = `<dt>unavailable</dt><dd>${escape(error.message)}</dd>`;
  }
  setTimeout(health, 30000);
}

function activity(change) {
  const item = document.createElement("li");
  item.className = Number(change.id) > Number(position) ? "fresh" : "";
  item.dataset.kind = change.kind;
  item.innerHTML = `<time>${new Date(change.at).toLocaleTimeString()}</time>` +
    `${label(change.kind)} · ${change.op} · ${change.count}`;
  $("activity").prepend(item);
  while ($("activity").children.length > 50) $("activity").lastChild.remove();
}

// The change stream, read with fetch so the key travels in a header, not in the URL;
// after a drop it comes back from the last position it saw, missing nothing.
async function follow() {
  stream = new AbortController();
  while (!$("board").hidden) {
    try {
      const response = await fetch(`/v1/changes/stream?after=${position}`, {
        headers: { Authorization: `Bearer ${key()}` }, signal: stream.signal,
      });
      if (response.status === 401) return signOut("The key stopped working.");
      $("live").textContent = "live";
      $("live").classList.add("on");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = (buffer + value).replace(/\r\n?/g, "\n");  // SSE lines may end in CRLF
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trim()).join("\n");
          if (!data) continue;
          const change = JSON.parse(data);
          activity(change);  // new since the page last read: marked fresh
          position = change.id;
          soon();
        }
      }
    } catch (error) {
      if (stream.signal.aborted) return;
    }
    $("live").textContent = "reconnecting…";
    $("live").classList.remove("on");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function pause(variant, button) {
  button.disabled = true;
  try {
    await api(`/v1/prompt-variants/${variant}`, {
      method: "PATCH", body: JSON.stringify({ status: "paused",
                                              paused_reason: "paused from the dashboard" }),
    });
    await refresh();
  } catch (error) {
    button.disabled = false;
    $("board-error").textContent = `Could not pause: ${error.message}`;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("login").addEventListener("submit", signIn);
  $("logout").addEventListener("click", () => signOut());
  $("experiments").addEventListener("click", (event) => {
    const button = event.target.closest("[data-pause]");
    if (button) pause(button.dataset.pause, button);
  });
  if (key()) {
    refresh().then(() => {
      $("board").hidden = false;
      follow();
      health();
    }).catch(() => { $("login").hidden = false; });
  } else {
    $("login").hidden = false;
  }
});
