/**
 * The admin dashboard's page, served as `GET /admin`: static markup only. The script fills it
 * through the JSON API; nothing here is inline script or style (the page's CSP forbids both).
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mpvstream admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/dashboard/app.css">
<script src="/admin/dashboard/app.js" defer></script>
</head>
<body>
<header>
  <h1>mpvstream admin</h1>
  <p id="whoami" hidden><span id="whoami-email"></span> <button type="button" id="logout">Log out</button></p>
</header>
<noscript><p>This dashboard needs JavaScript.</p></noscript>
<main>
<section id="login-section" aria-labelledby="login-title">
  <h2 id="login-title">Log in</h2>
  <form id="login-form">
    <label>Email <input name="email" type="email" autocomplete="username" required maxlength="254"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
    <button type="submit">Log in</button>
  </form>
  <p class="message" id="login-message" role="status"></p>
</section>

<div id="console" hidden>
<section aria-labelledby="metrics-title">
  <h2 id="metrics-title">Live metrics</h2>
  <dl class="figures">
    <div><dt>Active sessions</dt><dd id="m-active_sessions">-</dd></div>
    <div><dt>Points spent per minute</dt><dd id="m-points_spent_per_minute">-</dd></div>
    <div><dt>Streams live</dt><dd id="m-streams_live">-</dd></div>
    <div><dt>Login failures</dt><dd id="m-login_failures">-</dd></div>
    <div><dt>Playback errors</dt><dd id="m-playback_errors">-</dd></div>
  </dl>
  <p class="muted" id="metrics-updated">Not loaded yet.</p>
  <p class="message" id="metrics-status" role="status"></p>
  <h3>Viewers by stream</h3>
  <table>
    <thead><tr><th scope="col">Stream</th><th scope="col" class="number">Viewers</th></tr></thead>
    <tbody id="viewers-rows"></tbody>
  </table>
  <h3>Recent errors</h3>
  <table>
    <thead><tr><th scope="col">Kind</th><th scope="col">Stream</th><th scope="col" class="number">Count</th><th scope="col">Last seen</th><th scope="col">Last message</th></tr></thead>
    <tbody id="error-rows"></tbody>
  </table>
</section>

<section aria-labelledby="streams-title">
  <h2 id="streams-title">Streams</h2>
  <table>
    <thead><tr><th scope="col">Id</th><th scope="col">Title</th><th scope="col">State</th><th scope="col" class="number">Viewers</th><th scope="col" class="number">Points/min</th><th scope="col">Source</th><th scope="col">Actions</th></tr></thead>
    <tbody id="stream-rows"></tbody>
  </table>
  <p class="message" id="streams-status" role="status"></p>
  <p class="message" id="streams-message" role="status"></p>
  <h3>Create a stream</h3>
  <form id="stream-form">
    <label>Id <input name="id" required maxlength="64" autocomplete="off" spellcheck="false"></label>
    <label>Title <input name="title" required maxlength="200"></label>
    <label>Points per minute <input name="points_per_minute" type="number" min="0" step="1" required value="1"></label>
    <label><span id="source-kind-label">Source</span>
      <select name="kind" id="source-kind" aria-labelledby="source-kind-label">
        <option value="test">Test pattern</option>
        <option value="file">File</option>
        <option value="url">URL</option>
        <option value="rtmp">RTMP listener</option>
      </select>
    </label>
    <fieldset id="source-file" hidden disabled>
      <legend class="muted">File source</legend>
      <label>File path <input name="path" required maxlength="4096" spellcheck="false"></label>
      <label class="inline"><input name="loop" type="checkbox" checked> Loop</label>
    </fieldset>
    <fieldset id="source-url" hidden disabled>
      <legend class="muted">URL source</legend>
      <label>URL <input name="url" type="url" required maxlength="2048" spellcheck="false"></label>
    </fieldset>
    <fieldset id="source-rtmp" hidden disabled>
      <legend class="muted">RTMP source</legend>
      <label>Port <input name="port" type="number" min="1024" max="65535" step="1" required value="1935"></label>
    </fieldset>
    <button type="submit">Create stream</button>
  </form>
  <p class="message" id="stream-form-message" role="status"></p>
</section>

<section aria-labelledby="users-title">
  <h2 id="users-title">Users</h2>
  <table>
    <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col" class="number">Balance</th></tr></thead>
    <tbody id="user-rows"></tbody>
  </table>
  <p class="message" id="users-status" role="status"></p>
  <h3>Grant or take points</h3>
  <form id="points-form">
    <label><span id="points-user-label">User</span> <select name="user" id="points-user" aria-labelledby="points-user-label" required></select></label>
    <label>Points (negative takes away) <input name="delta" type="number" step="1" required></label>
    <label>Reason <input name="reason" required maxlength="200"></label>
    <button type="submit">Change points</button>
  </form>
  <p class="message" id="points-message" role="status"></p>
  <h3>Create a user</h3>
  <form id="user-form">
    <label>Email <input name="email" type="email" required maxlength="254" autocomplete="off"></label>
    <label>Password <input name="password" type="password" required minlength="8" maxlength="1024" autocomplete="new-password"></label>
    <label><span id="user-role-label">Role</span>
      <select name="role" aria-labelledby="user-role-label"><option value="user">user</option><option value="admin">admin</option></select>
    </label>
    <label>Starting balance <input name="points_balance" type="number" min="0" step="1" value="0"></label>
    <button type="submit">Create user</button>
  </form>
  <p class="message" id="user-form-message" role="status"></p>
</section>

<section aria-labelledby="sessions-title">
  <h2 id="sessions-title">Playback sessions</h2>
  <table>
    <thead><tr><th scope="col">Session</th><th scope="col">User</th><th scope="col">Stream</th><th scope="col">Started</th><th scope="col">Paid until</th><th scope="col" class="number">Points charged</th><th scope="col">Actions</th></tr></thead>
    <tbody id="session-rows"></tbody>
  </table>
  <p class="message" id="sessions-status" role="status"></p>
  <p class="message" id="sessions-message" role="status"></p>
</section>
</div>
</main>
</body>
</html>
`;
