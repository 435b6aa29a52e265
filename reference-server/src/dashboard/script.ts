/**
 * The admin dashboard's script, served as `/admin/dashboard/app.js`: plain ES2020 for the browser
 * (it cannot import the workspace packages). It talks only to the JSON API, keeps the tokens in
 * memory (a reload logs out), and builds every node with `textContent`, never HTML from data.
 * Kept as a string so that the bundled server carries it: write no backtick, `${` or backslash in it.
 */
export const DASHBOARD_SCRIPT = `"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  let auth = null; // { access, refresh, user }: memory only, never localStorage
  let refreshing = null;
  let timer = 0;
  let round = 0; // bumped by every log in and log out: a refresh loop of an older login stops
  let users = [];
  const shown = {}; // the JSON each table was last drawn from: redraw only on change

  class ApiError extends Error {}

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "onclick") node.addEventListener("click", value);
      else if (value !== undefined && value !== null) node.setAttribute(key, String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function say(id, text, kind) {
    const node = $(id);
    node.textContent = text || "";
    node.className = kind ? "message " + kind : "message";
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : "";
  }

  function newKey() {
    if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // randomUUID exists only in secure contexts (https, localhost); plain http on a LAN has this.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  async function send(method, path, body, headers, token) {
    const init = { method, headers: Object.assign({ accept: "application/json" }, headers) };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (token) init.headers.authorization = "Bearer " + token;
    try {
      return await fetch(path, init);
    } catch {
      throw new ApiError("The server cannot be reached; check that it is running and try again.");
    }
  }

  async function read(res) {
    if (res.status === 204) return null;
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.ok && body !== null) return body;
    if (body && typeof body.detail === "string") throw new ApiError(body.detail);
    throw new ApiError("The server answered HTTP " + res.status + " " + res.statusText + ".");
  }

  // One refresh at a time: a refresh token is single-use, and reusing one revokes the login.
  function refresh() {
    if (!refreshing) {
      const token = auth.refresh;
      refreshing = send("POST", "/auth/refresh", { refresh_token: token })
        .then(async (res) => {
          if (!res.ok || !auth || auth.refresh !== token) return false;
          const tokens = await res.json();
          if (tokens.user.role !== "admin") return false;
          keep(tokens);
          return true;
        })
        .catch(() => false)
        .finally(() => {
          refreshing = null;
        });
    }
    return refreshing;
  }

  async function api(method, path, body, headers) {
    if (!auth) throw new ApiError("Log in first.");
    const mine = round;
    const used = auth.access;
    let res = await send(method, path, body, headers, used);
    if (res.status === 401 && auth) {
      const renewed = auth.access !== used || (await refresh());
      if (renewed && auth) res = await send(method, path, body, headers, auth.access);
      if (res.status === 401) {
        if (auth) logOut("Your login has ended (expired or revoked); log in again.");
        throw new ApiError("Your login has ended; log in again.");
      }
    }
    // An answer that arrives after a log out must not put data back on the page.
    if (mine !== round) throw new ApiError("You logged out meanwhile.");
    return read(res);
  }

  function keep(tokens) {
    auth = { access: tokens.access_token, refresh: tokens.refresh_token, user: tokens.user };
    $("whoami-email").textContent = "Logged in as " + tokens.user.email;
  }

  function fill(id, rows, empty, columns) {
    const body = $(id);
    body.replaceChildren(...rows);
    if (rows.length === 0) body.append(el("tr", {}, el("td", { colspan: columns, class: "muted", text: empty })));
  }

  function changed(name, data) {
    const json = JSON.stringify(data);
    if (shown[name] === json) return false;
    shown[name] = json;
    return true;
  }

  function cell(text, className) {
    return el("td", { text: String(text), class: className });
  }

  function button(text, onclick) {
    return el("button", { type: "button", text, onclick });
  }

  // Runs one action: disables its control, shows the outcome (or the problem's detail) at messageId.
  async function act(control, messageId, work) {
    control.disabled = true;
    say(messageId, "Working...");
    try {
      say(messageId, await work(), "ok");
    } catch (error) {
      say(messageId, error instanceof ApiError ? error.message : "Something went wrong: " + error, "error");
    } finally {
      control.disabled = false;
    }
  }

  async function load(statusId, what, work) {
    try {
      await work();
      say(statusId, "");
    } catch (error) {
      if (auth) say(statusId, "Could not load " + what + ": " + error.message, "error");
    }
  }

  const loadMetrics = () =>
    load("metrics-status", "the metrics", async () => {
      const [m, e] = await Promise.all([api("GET", "/monitoring/metrics"), api("GET", "/monitoring/errors")]);
      for (const name of ["active_sessions", "points_spent_per_minute", "streams_live", "login_failures", "playback_errors"])
        $("m-" + name).textContent = String(m[name]);
      $("metrics-updated").textContent = "Updated at " + new Date().toLocaleTimeString() + "; refreshed every 2 seconds.";
      if (changed("viewers", m.viewers_by_stream)) {
        const rows = Object.entries(m.viewers_by_stream).map(([id, n]) => el("tr", {}, cell(id), cell(n, "number")));
        fill("viewers-rows", rows, "Nobody is watching.", 2);
      }
      if (changed("errors", e.errors)) {
        const rows = e.errors.map((r) =>
          el("tr", {}, cell(r.kind), cell(r.stream_id || ""), cell(r.count, "number"), cell(when(r.last_at)), cell(r.last_message)),
        );
        fill("error-rows", rows, "No errors recorded.", 5);
      }
    });

  function describeSource(s) {
    if (s.kind === "test") return "test pattern";
    if (s.kind === "file") return "file " + s.path + (s.loop ? " (loop)" : "");
    if (s.kind === "url") return "url " + s.url;
    if (s.kind === "rtmp") return "rtmp listener on port " + s.port;
    return s.kind;
  }

  function streamAction(stream, label, method, suffix, body) {
    const path = "/streams/" + encodeURIComponent(stream.id) + suffix;
    const run = async (event) => {
      if (method === "DELETE" && !confirm("Delete the stream " + stream.id + "?")) return;
      await act(event.currentTarget, "streams-message", async () => {
        const after = await api(method, path, body);
        await Promise.all([loadStreams(), loadMetrics()]);
        return after ? "Stream " + stream.id + " is " + after.state + "." : "Stream " + stream.id + " deleted.";
      });
    };
    return button(label, run);
  }

  const loadStreams = () =>
    load("streams-status", "the streams", async () => {
      const { streams } = await api("GET", "/streams");
      if (!changed("streams", streams)) return;
      const rows = streams.map((s) => {
        const actions = el("td");
        if (s.state === "offline" || s.state === "error") actions.append(streamAction(s, "Go live", "POST", "/state", { state: "live" }));
        if (s.state !== "offline" && s.state !== "stopping")
          actions.append(streamAction(s, "Go offline", "POST", "/state", { state: "offline" }));
        if (s.state === "live" || s.state === "error") actions.append(streamAction(s, "Restart", "POST", "/restart"));
        if (s.state === "offline") actions.append(streamAction(s, "Delete", "DELETE", ""));
        const state = el("td", { text: s.state }, s.last_error ? el("span", { class: "detail", text: s.last_error }) : null);
        return el("tr", {}, el("td", {}, el("code", { text: s.id })), cell(s.title), state, cell(s.viewers, "number"),
          cell(s.points_per_minute, "number"), cell(describeSource(s.source)), actions);
      });
      fill("stream-rows", rows, "No streams yet.", 7);
    });

  const loadUsers = () =>
    load("users-status", "the users", async () => {
      ({ users } = await api("GET", "/admin/users"));
      if (!changed("users", users)) return;
      fill("user-rows", users.map((u) => el("tr", {}, cell(u.email), cell(u.role), cell(u.points_balance, "number"))), "No users.", 3);
      const select = $("points-user");
      const chosen = select.value;
      select.replaceChildren(...users.map((u) => el("option", { value: u.id, text: u.email + " (" + u.points_balance + " points)" })));
      if (users.some((u) => u.id === chosen)) select.value = chosen;
    });

  const loadSessions = () =>
    load("sessions-status", "the sessions", async () => {
      const { sessions } = await api("GET", "/admin/sessions");
      if (!changed("sessions", [sessions, shown.users])) return;
      const rows = sessions.map((s) => {
        const user = users.find((u) => u.id === s.user_id);
        const revoke = button("Revoke", (event) =>
          act(event.currentTarget, "sessions-message", async () => {
            await api("DELETE", "/admin/sessions/" + encodeURIComponent(s.session_id));
            await Promise.all([loadSessions(), loadMetrics()]);
            return "Session " + s.session_id.slice(0, 8) + "... revoked: the gate refuses it from now on.";
          }),
        );
        return el("tr", {}, el("td", { title: s.session_id }, el("code", { text: s.session_id.slice(0, 8) + "..." })),
          cell(user ? user.email : s.user_id), cell(s.stream_id), cell(when(s.started_at)), cell(when(s.expires_at)),
          cell(s.points_charged, "number"), el("td", {}, revoke));
      });
      fill("session-rows", rows, "No active sessions.", 7);
    });

  async function tick(mine) {
    if (!auth || mine !== round) return;
    if (!document.hidden) await Promise.all([loadMetrics(), loadStreams(), loadUsers().then(loadSessions)]);
    if (auth && mine === round) timer = setTimeout(tick, 2000, mine);
  }

  function logIn(tokens) {
    keep(tokens);
    $("login-section").hidden = true;
    $("whoami").hidden = false;
    $("console").hidden = false;
    round += 1;
    tick(round);
  }

  function logOut(message, kind) {
    auth = null;
    round += 1;
    clearTimeout(timer);
    for (const name of Object.keys(shown)) delete shown[name];
    for (const id of ["viewers-rows", "error-rows", "stream-rows", "user-rows", "session-rows", "points-user"]) $(id).replaceChildren();
    for (const node of document.querySelectorAll("#console .message")) say(node.id, "");
    $("console").hidden = true;
    $("whoami").hidden = true;
    $("login-section").hidden = false;
    say("login-message", message, kind || "error");
  }

  const submitter = (event) => event.submitter || event.currentTarget.querySelector("[type=submit]");

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const email = f.get("email");
    const password = f.get("password");
    form.elements.namedItem("password").value = "";
    await act(submitter(event), "login-message", async () => {
      const tokens = await read(await send("POST", "/auth/login", { email, password }));
      if (tokens.user.role !== "admin") {
        send("POST", "/auth/logout", { refresh_token: tokens.refresh_token }).catch(() => {});
        throw new ApiError("The account " + email + " is not an admin: this dashboard is for admins only.");
      }
      logIn(tokens);
      return "";
    });
  });

  $("logout").addEventListener("click", async () => {
    const token = auth && auth.refresh;
    try {
      if (token) await read(await send("POST", "/auth/logout", { refresh_token: token }));
      logOut("You are logged out.", "ok");
    } catch (error) {
      logOut("You are logged out here, but the server was not told: " + error.message);
    }
  });

  $("source-kind").addEventListener("change", (event) => {
    for (const kind of ["file", "url", "rtmp"]) {
      const group = $("source-" + kind);
      group.hidden = group.disabled = event.currentTarget.value !== kind;
    }
  });

  $("stream-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget); // fields of hidden (disabled) source groups are left out
    const kind = f.get("kind");
    const source = { kind };
    if (kind === "file") Object.assign(source, { path: f.get("path"), loop: f.has("loop") });
    if (kind === "url") source.url = f.get("url");
    if (kind === "rtmp") source.port = Number(f.get("port"));
    const body = { id: f.get("id").trim(), title: f.get("title"), points_per_minute: Number(f.get("points_per_minute")), source };
    act(submitter(event), "stream-form-message", async () => {
      const stream = await api("POST", "/streams", body);
      await loadStreams();
      return "Stream " + stream.id + " created (offline): set it live in the table.";
    });
  });

  $("points-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const userId = f.get("user");
    const delta = Number(f.get("delta"));
    const reason = f.get("reason");
    const key = newKey(); // one per submission: a retry after a refresh sends the same one
    act(submitter(event), "points-message", async () => {
      const user = users.find((u) => u.id === userId);
      const answer = await api("POST", "/admin/users/" + encodeURIComponent(userId) + "/points", { delta, reason }, { "Idempotency-Key": key });
      form.elements.namedItem("delta").value = "";
      form.elements.namedItem("reason").value = "";
      await loadUsers();
      return (user ? user.email : "The user") + " now has " + answer.points_balance + " points.";
    });
  });

  $("user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const body = { email: f.get("email"), password: f.get("password"), role: f.get("role") };
    if (f.get("points_balance") !== "") body.points_balance = Number(f.get("points_balance"));
    act(submitter(event), "user-form-message", async () => {
      const user = await api("POST", "/admin/users", body);
      form.reset();
      await loadUsers();
      return "Created " + user.email + " (" + user.role + ", " + user.points_balance + " points).";
    });
  });
})();
`;
