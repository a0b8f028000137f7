/**
 * The upload page's script, served as a file (the CSP allows no inline script). Without it the
 * form posts as multipart/form-data and the server answers with a redirect to the preview. With
 * it, the file is sent as the request body by XMLHttpRequest, so the progress element can follow
 * upload.onprogress; the JSON answer names the preview page, which the script then opens.
 */
export const ORG_IMPORT_JS = `(function () {
  var form = document.getElementById('org-import-form');
  var textsElement = document.getElementById('org-import-texts');
  var bar = document.getElementById('org-import-progress');
  var status = document.getElementById('org-import-status');
  if (!form || !textsElement || !bar || !status || !window.XMLHttpRequest) return;
  var texts = JSON.parse(textsElement.textContent || '{}');
  var locale = document.documentElement.lang || 'nb';
  function fill(text, params) {
    return text.replace(/\\{(\\w+)\\}/g, function (whole, key) { return key in params ? String(params[key]) : whole; });
  }
  function say(text, failed) {
    status.textContent = text;
    status.setAttribute('data-state', failed ? 'refused' : 'ok');
  }
  form.addEventListener('submit', function (event) {
    var input = form.querySelector('input[type=file]');
    var file = input && input.files && input.files[0];
    if (!file) return;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    var url = form.getAttribute('action');
    xhr.open('POST', url + (url.indexOf('?') >= 0 ? '&' : '?') + 'name=' + encodeURIComponent(file.name));
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.setRequestHeader('Accept', 'application/json');
    bar.hidden = false;
    bar.value = 0;
    say(fill(texts.uploading, { percent: 0 }));
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      say(percent < 100 ? fill(texts.uploading, { percent: percent }) : texts.checking);
    });
    xhr.addEventListener('load', function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status === 201 && typeof body.href === 'string' && body.href.charAt(0) === '/') {
        bar.value = 100;
        say(texts.checking);
        window.location.assign(body.href);
        return;
      }
      bar.hidden = true;
      var reason = (body.messages && body.messages[locale]) || body.detail || String(xhr.status);
      say(fill(texts.refused, { reason: reason }), true);
    });
    xhr.addEventListener('error', function () { bar.hidden = true; say(texts.failed, true); });
    xhr.send(file);
  });
})();
`;
