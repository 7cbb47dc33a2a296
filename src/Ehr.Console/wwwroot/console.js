// Automatic log-off: after the tenant's idle time-out without keyboard, pointer or touch input, sign out.
(function () {
  let last = Date.now();
  for (const e of ['keydown', 'pointerdown', 'pointermove', 'touchstart', 'wheel']) {
    addEventListener(e, () => { last = Date.now(); }, { passive: true });
  }
  setInterval(() => {
    const marker = document.getElementById('ehr-idle');
    if (!marker) return;
    const minutes = Number(marker.dataset.minutes || '30');
    if (Date.now() - last > minutes * 60000) {
      const form = document.querySelector('form[action="/console/signout"]');
      if (form) form.submit();
    }
  }, 15000);
})();
