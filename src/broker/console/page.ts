// The web console's one page (GET /): plain HTML, CSS and JavaScript, no framework and no
// build step. It routes on the URL's hash, reads /api/..., and draws the throughput chart
// on a canvas from /api/stats every two seconds. Every value from the broker goes into the
// page as text, never as HTML.
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Krill console</title>
<link rel="icon" href="data:,">
<style>
  :root { --fg: #1d2433; --muted: #6b7385; --line: #e3e6ee; --accent: #d9534f; --bg: #f7f8fb; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; align-items: baseline; gap: 24px; padding: 12px 24px; background: #fff; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; color: var(--accent); }
  header nav a { margin-right: 16px; color: var(--fg); text-decoration: none; font-weight: 500; }
  header nav a.on { color: var(--accent); }
  header .who { margin-left: auto; color: var(--muted); }
  main { padding: 20px 24px; max-width: 1200px; }
  h2 { font-size: 16px; margin: 20px 0 8px; }
  table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.mono, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
  a { color: #2a5db0; }
  .cards { display: flex; gap: 12px; flex-wrap: wrap; }
  .card { background: #fff; border: 1px solid var(--line); padding: 10px 16px; min-width: 150px; }
  .card b { display: block; font-size: 22px; }
  .muted { color: var(--muted); }
  canvas { background: #fff; border: 1px solid var(--line); width: 100%; height: 180px; }
  .controls { display: flex; gap: 10px; align-items: center; margin: 8px 0; }
  select, button, input { font: inherit; padding: 3px 8px; }
  .legend span { margin-right: 14px; }
  .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
</style>
</head>
<body>
<header><h1>Krill</h1><nav><a href="#/">Cluster</a><a href="#/topics">Topics</a><a href="#/groups">Groups</a></nav><span class="who" id="who"></span></header>
<main id="main"></main>
<script>
"use strict";
const main = document.getElementById('main');
const el = (tag, attrs, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? '-' : String(c)));
  return e;
};
const link = (href, text) => el('a', { href }, text);
const num = (n) => (n === null || n === undefined ? '-' : Number(n).toLocaleString('en'));
const bytes = (n) => (n === null || n === undefined ? '-' : n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB');
function table(headers, rows, numeric = []) {
  return el('table', {}, el('thead', {}, el('tr', {}, ...headers.map((h, i) => el('th', numeric.includes(i) ? { class: 'num' } : {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => (c instanceof Node ? el('td', {}, c) : el('td', numeric.includes(i) ? { class: 'num' } : {}, c)))))));
}
async function api(path) {
  const res = await fetch('api/' + path);
  if (!res.ok) throw new Error(path + ': ' + res.status);
  return res.json();
}
let timer = null;
async function route() {
  if (timer) { clearInterval(timer); timer = null; }
  const parts = location.hash.replace(/^#\\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('on', a.getAttribute('href') === '#/' + (parts[0] || ''));
  main.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    if (parts[0] === 'topics' && parts[1]) await topicPage(parts[1]);
    else if (parts[0] === 'topics') await topicsPage();
    else if (parts[0] === 'groups' && parts[1]) await groupPage(parts[1]);
    else if (parts[0] === 'groups') await groupsPage();
    else await clusterPage();
  } catch (e) {
    main.replaceChildren(el('p', {}, 'Could not load: ' + e.message));
  }
}
async function clusterPage() {
  const o = await api('overview');
  document.getElementById('who').textContent = 'cluster ' + o.clusterId + ' · broker ' + o.brokerId;
  const chart = el('canvas', { id: 'chart', width: '1100', height: '180' });
  main.replaceChildren(
    el('div', { class: 'cards' }, el('div', { class: 'card' }, el('b', {}, num(o.brokers.length)), 'brokers'), el('div', { class: 'card' }, el('b', {}, num(o.topics)), 'topics'),
      el('div', { class: 'card' }, el('b', {}, num(o.groups)), 'groups'), el('div', { class: 'card' }, el('b', {}, o.controller), 'controller')),
    el('h2', {}, 'Brokers'),
    table(['id', 'host', 'port', 'rack', 'role'], o.brokers.map((b) => [b.id, b.host, b.port, b.rack, b.id === o.controller ? 'controller' : ''])),
    el('h2', {}, 'Throughput on this broker'),
    el('div', { class: 'legend' }, el('span', {}, el('i', { style: 'background:#d9534f' }), 'records in/s'), el('span', {}, el('i', { style: 'background:#2a5db0' }), 'KiB in/s'), el('span', {}, el('i', { style: 'background:#3c9d5d' }), 'KiB out/s')),
    chart);
  const points = [];
  let last = null;
  const sample = async () => {
    const s = await api('stats');
    const total = { m: 0, bi: 0, bo: 0 };
    for (const t of Object.values(s.topics)) { total.m += t.messagesIn; total.bi += t.bytesIn; total.bo += t.bytesOut; }
    if (last) {
      const dt = Math.max(0.001, (s.time - last.time) / 1000);
      points.push([(total.m - last.m) / dt, (total.bi - last.bi) / dt / 1024, (total.bo - last.bo) / dt / 1024]);
      if (points.length > 60) points.shift();
    }
    last = { time: s.time, ...total };
    draw(chart, points);
  };
  await sample();
  timer = setInterval(() => sample().catch(() => {}), 2000);
}
function draw(canvas, points) {
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = '#e3e6ee';
  for (let y = 0; y <= 4; y++) { g.beginPath(); g.moveTo(0, y * h / 4); g.lineTo(w, y * h / 4); g.stroke(); }
  const max = Math.max(1, ...points.flat());
  g.fillStyle = '#6b7385';
  g.fillText(max.toFixed(0), 4, 12);
  ['#d9534f', '#2a5db0', '#3c9d5d'].forEach((color, k) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    points.forEach((p, i) => { const x = w - (points.length - 1 - i) * (w / 59); const y = h - (p[k] / max) * (h - 16); i ? g.lineTo(x, y) : g.moveTo(x, y); });
    g.stroke();
  });
}
async function topicsPage() {
  const topics = await api('topics');
  main.replaceChildren(el('h2', {}, 'Topics'), table(['topic', 'partitions', 'records', 'size'],
    topics.map((t) => [link('#/topics/' + encodeURIComponent(t.name), t.name + (t.internal ? ' (internal)' : '')), num(t.partitions), num(t.messages), bytes(t.sizeBytes)]), [1, 2, 3]));
}
async function topicPage(name) {
  const t = await api('topics/' + encodeURIComponent(name));
  const select = el('select', { id: 'partition' }, ...t.partitions.map((p) => el('option', { value: p.partition }, 'partition ' + p.partition)));
  const view = el('select', { id: 'view' }, el('option', { value: 'text' }, 'text'), el('option', { value: 'json' }, 'JSON'), el('option', { value: 'hex' }, 'hex'));
  const limit = el('input', { id: 'limit', type: 'number', value: '20', min: '1', max: '200', style: 'width:70px' });
  const records = el('div', { id: 'records' });
  const load = async () => {
    const r = await api('topics/' + encodeURIComponent(name) + '/partitions/' + select.value + '/records?limit=' + limit.value);
    records.replaceChildren(r.records.length === 0 ? el('p', { class: 'muted' }, 'No records.') : table(['offset', 'timestamp', 'key', 'value', 'headers'],
      r.records.map((x) => [x.offset, new Date(x.timestamp).toISOString(), el('span', { class: 'mono' }, show(x.key, view.value)), el('span', { class: 'mono' }, show(x.value, view.value)),
        el('span', { class: 'mono' }, x.headers.map((h) => h.key + '=' + show(h.value, 'text')).join(', '))]), [0]));
  };
  const button = el('button', { id: 'load' }, 'Show latest');
  button.addEventListener('click', () => load().catch((e) => records.replaceChildren(el('p', {}, e.message))));
  view.addEventListener('change', () => load().catch(() => {}));
  main.replaceChildren(el('h2', {}, 'Topic ' + name), el('p', { class: 'muted' }, 'id ' + t.topicId),
    table(['partition', 'leader', 'replicas', 'in sync', 'start', 'end', 'size'], t.partitions.map((p) => [p.partition, p.leader, p.replicas.join(','), p.isr.join(','), num(p.start), num(p.end), bytes(p.sizeBytes)]), [0, 4, 5, 6]),
    el('h2', {}, 'Messages'), el('div', { class: 'controls' }, select, 'latest', limit, 'as', view, button), records,
    el('h2', {}, 'Configs'), table(['name', 'value', 'source'], t.configs.map((c) => [c.name, c.value, ['', 'topic', 'broker (dynamic)', 'broker default (dynamic)', 'broker', 'default'][c.source] || c.source])));
  await load();
}
function show(b64, how) {
  if (b64 === null) return 'null';
  const raw = atob(b64);
  const bytesOf = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  if (how === 'hex') return Array.from(bytesOf, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = new TextDecoder().decode(bytesOf);
  if (how === 'json') { try { return JSON.stringify(JSON.parse(text), null, 1); } catch { return text; } }
  return text;
}
async function groupsPage() {
  const groups = await api('groups');
  main.replaceChildren(el('h2', {}, 'Consumer groups'), groups.length === 0 ? el('p', { class: 'muted' }, 'No groups.') : table(['group', 'state', 'type', 'members'],
    groups.map((g) => [link('#/groups/' + encodeURIComponent(g.groupId), g.groupId), g.state, g.protocolType, num(g.members)]), [3]));
}
async function groupPage(id) {
  const g = await api('groups/' + encodeURIComponent(id));
  main.replaceChildren(el('h2', {}, 'Group ' + id), el('p', {}, g.state + (g.protocol ? ' · ' + g.protocol : '')),
    el('h2', {}, 'Members'), g.members.length === 0 ? el('p', { class: 'muted' }, 'No members.') : table(['member', 'client', 'host', 'assignment'],
      g.members.map((m) => [m.memberId, m.clientId, m.host, Object.entries(m.assignment).map(([t, ps]) => t + ': ' + ps.join(',')).join('; ')])),
    el('h2', {}, 'Offsets and lag'), table(['topic', 'partition', 'committed', 'end', 'lag'], g.offsets.map((o) => [o.topic, o.partition, num(o.offset), num(o.end), num(o.lag)]), [1, 2, 3, 4]));
}
window.addEventListener('hashchange', route);
api('overview').then((o) => { document.getElementById('who').textContent = 'cluster ' + o.clusterId + ' · broker ' + o.brokerId; }).catch(() => {});
route();
</script>
</body>
</html>
`;
