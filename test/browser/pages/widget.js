// A stand-in chat widget plus the recorders the tests read. External file: the page's CSP forbids inline script.
window.events = [];
window.violations = [];
window.ready = null;
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
document.addEventListener('carelayer:ready', (e) => (window.ready = e.detail));
document.addEventListener('carelayer:error', (e) => (window.ready = { error: e.detail.code }));
for (const type of ['carelayer:assessment', 'carelayer:intervention']) {
  document.addEventListener(type, (e) => {
    const d = e.detail;
    window.events.push({
      type,
      level: d.intervention ? d.intervention.level : d.level,
      reasons: d.intervention ? d.intervention.reasons : d.reasons,
      role: d.message ? d.message.role : null,
      id: d.message ? d.message.id : null,
      risk: d.assessment ? d.assessment.risk : null,
      fromElement: !!(d.element && d.element.classList),
    });
  });
}
let n = 0;
window.addMessage = (role, text) => {
  const div = document.createElement('div');
  div.className = `msg ${role === 'user' ? 'user' : 'bot'}`;
  div.dataset.id = `m${++n}`;
  div.textContent = text;
  document.getElementById('chat').append(div);
  return div.dataset.id;
};
// A reply that streams in token by token, like an LLM widget.
window.streamMessage = async (text) => {
  const div = document.createElement('div');
  div.className = 'msg bot';
  div.dataset.id = `m${++n}`;
  document.getElementById('chat').append(div);
  for (const word of text.split(' ')) {
    div.append(document.createTextNode(word + ' '));
    await new Promise((r) => setTimeout(r, 20));
  }
  return div.dataset.id;
};
