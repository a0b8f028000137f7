/**
 * Browser scripts for the LTI pages, served as files because the CSP allows no inline script.
 *
 * storage.js speaks the LTI client-side postMessage storage protocol (1EdTech "LTI Client Side
 * postMessages", lti.put_data / lti.get_data): at login it stores the browser's binding secret in
 * the platform's frame and then goes to the platform's authorization endpoint; at launch it reads
 * the secret back and posts it with the id_token. If the platform does not answer: at login the
 * frame goes on to a fresh login without the storage (the login hint is not spent yet); at launch
 * the page says to start again.
 */
export const STORAGE_JS = `(function () {
  var el = document.getElementById('lti-storage');
  if (!el) return;
  var d = el.dataset;
  var origin = d.origin;
  var messageId = 'm' + Math.random().toString(36).slice(2) + Date.now().toString(36);
  var done = false;
  function target() {
    if (d.target === '_parent') return window.parent;
    if (d.target === '_top') return window.top;
    try { return window.parent.frames[d.target] || window.top.frames[d.target]; } catch (e) { return undefined; }
  }
  function fail() {
    if (done) return;
    done = true;
    if (d.mode === 'put' && d['continue']) return window.location.replace(d['continue']);
    var fallback = document.getElementById('lti-fallback');
    if (fallback) fallback.hidden = false;
    var wait = document.getElementById('lti-wait');
    if (wait) wait.hidden = true;
  }
  window.addEventListener('message', function (event) {
    if (event.origin !== origin || !event.data || event.data.message_id !== messageId || done) return;
    var data = event.data;
    if (data.subject === 'lti.put_data.response') {
      if (data.error) return fail();
      done = true;
      window.location.href = d.next;
    } else if (data.subject === 'lti.get_data.response') {
      if (data.error || typeof data.value !== 'string') return fail();
      done = true;
      document.getElementById('lti-binding').value = data.value;
      document.getElementById('lti-launch-form').submit();
    }
  });
  var w = target();
  if (!w || w === window) return fail();
  var message = d.mode === 'put'
    ? { subject: 'lti.put_data', message_id: messageId, key: d.key, value: d.value }
    : { subject: 'lti.get_data', message_id: messageId, key: d.key };
  // The platform's listener may not be ready yet when this frame loads: ask again until it answers.
  var tries = 0;
  (function ask() {
    if (done) return;
    if (tries >= 10) return fail();
    tries += 1;
    w.postMessage(message, origin);
    setTimeout(ask, 500);
  })();
})();
`;

/** Submits the one form on the page (form_post responses, deep-linking return). */
export const AUTOSUBMIT_JS = `(function () {
  var form = document.querySelector('form[data-autosubmit]');
  if (form) form.submit();
})();
`;
