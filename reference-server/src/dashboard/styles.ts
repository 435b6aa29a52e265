/** The admin dashboard's stylesheet, served as `/admin/dashboard/app.css` (no inline style: the page's CSP forbids it). */
export const DASHBOARD_STYLES = `
:root { color-scheme: light dark; --muted: #666; --line: #8884; --bad: #b00020; --good: #146c2e; }
@media (prefers-color-scheme: dark) { :root { --muted: #aaa; --bad: #ff8a80; --good: #7ddc8f; } }
[hidden] { display: none !important; }
body { font: 16px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 0 1rem 3rem; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; justify-content: space-between; }
h1 { font-size: 1.5rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
td .detail { display: block; color: var(--muted); font-size: 0.875rem; }
td button { margin: 0 0.25rem 0.25rem 0; }
code { word-break: break-all; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem 2rem; margin: 0; }
.figures dt { color: var(--muted); font-size: 0.875rem; }
.figures dd { margin: 0; font-size: 1.5rem; font-variant-numeric: tabular-nums; }
form { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin: 0.5rem 0; }
form label { display: flex; flex-direction: column; font-size: 0.875rem; }
form label.inline { flex-direction: row; gap: 0.3rem; align-items: center; }
fieldset { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; border: 0; margin: 0; padding: 0; }
input, select, button { font: inherit; padding: 0.25rem 0.5rem; }
:focus-visible { outline: 2px solid Highlight; outline-offset: 2px; }
#login-section form { flex-direction: column; align-items: stretch; max-width: 20rem; }
.message { min-height: 1.45em; margin: 0.25rem 0; }
.message:empty { min-height: 0; margin: 0; }
.message.error { color: var(--bad); }
.message.ok { color: var(--good); }
.muted { color: var(--muted); }
`;
