// Automatic log-off. After the tenant's idle time-out (data-minutes of #ehr-idle, rendered by the console layout)
// without keyboard, pointer or touch input, the page signs the person out (the sign-out form: the console's cookie and
// the authorization server's session both end). While the person is active, at most once a minute, it tells the server
// (/console/keepalive), whose own idle window (the console cookie) would otherwise lapse during long work in one page:
// a live page talks over its circuit, not HTTP. Only Date.now() and setInterval measure time, so a test can drive
// this with a fake clock (Playwright's page.Clock) instead of waiting minutes.
(function () {
  const marker = () => document.getElementById('ehr-idle');
  let last = Date.now();
  let lastPing = Date.now();
  let signingOut = false;

  // Ends both sessions (the console's and the authorization server's, following the sign-out redirects) before the
  // page is left, so nothing that reloads the page meanwhile (a reconnecting circuit) can sign the person back in.
  async function signOut() {
    if (signingOut) return;
    signingOut = true;
    const form = document.querySelector('form[action="/console/signout"]');
    if (!form) { location.assign('/console'); return; }
    try {
      const r = await fetch(form.action, { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
      location.replace(r.ok && r.url ? r.url : '/account/signed-out');
    } catch {
      form.submit();
    }
  }

  function activity() {
    last = Date.now();
    if (!marker() || last - lastPing < 60000) return;
    lastPing = last;
    fetch('/console/keepalive', { method: 'POST', credentials: 'same-origin', redirect: 'manual' })
      .then(r => { if (r.type === 'opaqueredirect' || r.status === 401) signOut(); })
      .catch(() => { /* offline: the timer below still applies */ });
  }

  for (const e of ['keydown', 'pointerdown', 'pointermove', 'touchstart', 'wheel']) {
    addEventListener(e, activity, { passive: true, capture: true });
  }

  setInterval(() => {
    const m = marker();
    if (!m) return;
    const minutes = Number(m.dataset.minutes || '30');
    if (minutes > 0 && Date.now() - last >= minutes * 60000) signOut();
  }, 5000);
})();

// The forms renderer: the browser's time zone (dates with times are entered in it) and moving focus to an item
// (the problem summary's links; a fieldset's first control when the target is a group of radio buttons).
window.ehrForms = {
  timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone || null,
  focus: (id) => {
    const target = document.getElementById(id);
    if (!target) return;
    const control = target.matches('input, select, textarea, button, [tabindex]')
      ? target
      : target.querySelector('input:checked, input, select, textarea, button');
    (control || target).focus();
    target.scrollIntoView({ block: 'center' });
  },
};

// Downloads text as a file (a form version's export): the browser saves what the server returned, no page change.
window.ehrForms.download = (fileName, text, type) => {
  const url = URL.createObjectURL(new Blob([text], { type: type || 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
};
