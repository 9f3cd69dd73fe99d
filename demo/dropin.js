// A plain chat widget that knows nothing about carelayer (its replies are canned), plus a
// panel that listens to the events the one-line embed dispatches.
(function () {
  const $ = (id) => document.getElementById(id);
  const tag = document.querySelector('script[src$="carelayer.js"]');
  if (tag) {
    // One attribute per line after src, so the whole tag is readable without scrolling.
    const attrs = [...tag.attributes]
      .map((a, i) => `${i === 0 ? ' ' : '\n        '}<span class="attr">${a.name}</span>${a.value === '' ? '' : `=<span class="val">"${a.value}"</span>`}`)
      .join('');
    $('snippet').innerHTML = `&lt;script${attrs}&gt;&lt;/script&gt;`;
  }

  const REPLIES = [
    'I hear you. Tell me more about that?',
    'That sounds like a lot. How long has it felt this way?',
    'Thank you for sharing that with me.',
    'I am here with you. What would help right now?',
  ];
  let n = 0;
  function bubble(cls, text) {
    const d = document.createElement('div');
    d.className = `bubble ${cls}`;
    d.textContent = text;
    $('chat-log').append(d);
    d.scrollIntoView({ block: 'nearest' });
  }
  bubble('bot', 'Hi, I am Sage. How are you feeling today?');
  $('widget-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('widget-input').value.trim();
    if (!text) return;
    $('widget-input').value = '';
    bubble('me', text);
    setTimeout(() => bubble('bot', REPLIES[n++ % REPLIES.length]), 500);
  });

  const pretty = (s) => String(s).replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  function event(text) {
    const li = document.createElement('li');
    li.textContent = text;
    $('embed-events').append(li);
    li.scrollIntoView({ block: 'nearest' });
  }
  document.addEventListener('carelayer:ready', (e) => {
    const b = e.detail.backend;
    $('embed-status').textContent = `ready · ${b.name}${b.name === 'wasm' ? ` (${b.threads} thread${b.threads > 1 ? 's' : ''})` : ''} · ${e.detail.modelVersion}`;
    event(`carelayer:ready ${b.name} ${e.detail.modelVersion}`);
  });
  document.addEventListener('carelayer:error', (e) => {
    $('embed-status').textContent = `could not load (${e.detail.code})`;
    event(`carelayer:error ${e.detail.code}`);
  });
  document.addEventListener('carelayer:assessment', (e) => {
    const d = e.detail;
    const a = d.assessment;
    event(`carelayer:assessment #${d.index} ${d.message.role}${a ? ` risk ${Math.round(a.risk * 100)}%${a.reply ? ` reply harm ${Math.round(a.reply.harm * 100)}%` : ''}` : ''} → ${d.intervention.level}`);
  });
  document.addEventListener('carelayer:intervention', (e) => {
    const iv = e.detail;
    const badge = $('embed-level');
    badge.dataset.level = iv.level;
    badge.textContent = pretty(iv.level);
    document.body.dataset.level = iv.level;
    event(`carelayer:intervention ${iv.previous} → ${iv.level} (${iv.reasons.join(', ')})`);
  });
})();
