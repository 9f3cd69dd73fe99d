// Minimal page until demo/ exists: a chat box watched by the script tag.
const chat = document.getElementById('chat');
const out = document.getElementById('out');
const status = document.getElementById('status');
document.addEventListener('carelayer:ready', (e) => {
  const b = e.detail.backend;
  status.textContent = `Model ${e.detail.modelVersion} ready on ${b.name}${b.fallbackReason ? ` (fallback: ${b.fallbackReason})` : ''}, ${b.threads} thread(s).`;
});
document.addEventListener('carelayer:error', (e) => (status.textContent = `Model failed to load: ${e.detail.code}`));
chat.addEventListener('carelayer:assessment', (e) => {
  const { assessment: a, intervention: i } = e.detail;
  out.textContent = JSON.stringify({ level: i.level, reasons: i.reasons, risk: a && a.risk, severity: a && a.severityLabel, flagged: a && a.flagged, reply: a && a.reply, latencyMs: a && Math.round(a.latencyMs) }, null, 2);
});
document.getElementById('form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = document.getElementById('text');
  const div = document.createElement('div');
  div.className = `msg ${document.getElementById('role').value}`;
  div.textContent = text.value;
  chat.append(div);
  text.value = '';
});
