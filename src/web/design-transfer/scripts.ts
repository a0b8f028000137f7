/**
 * The upload pages' script, served as a file (the CSP allows no inline script). Without it the
 * form posts as multipart/form-data and the server answers with a page. With it, the file is sent
 * as the request body by XMLHttpRequest so the progress bar can follow upload.onprogress, and the
 * JSON answer is shown in the page: the package's title and id, the import report with a link to
 * the imported path, or the refusal in the page's language.
 */
export const TRANSFER_JS = `(function () {
  var form = document.getElementById('transfer-form');
  var textsElement = document.getElementById('transfer-texts');
  var bar = document.getElementById('transfer-progress');
  var status = document.getElementById('transfer-status');
  var report = document.getElementById('transfer-report');
  if (!form || !textsElement || !bar || !status || !window.XMLHttpRequest || !window.FormData) return;
  var texts = JSON.parse(textsElement.textContent || '{}');
  var locale = document.documentElement.lang || 'nb';
  function fill(text, params) {
    return text.replace(/\\{(\\w+)\\}/g, function (whole, key) { return key in params ? String(params[key]) : whole; });
  }
  function say(text, failed) {
    status.textContent = text;
    status.setAttribute('data-state', failed ? 'refused' : 'ok');
  }
  function element(tag, text) {
    var el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function list(items) {
    var ul = element('ul');
    items.forEach(function (text) { ul.appendChild(element('li', text)); });
    return ul;
  }
  function showReport(r) {
    if (!report) return;
    report.textContent = '';
    if (/^[0-9a-f-]{36}$/.test(String(r.pathId))) {
      var next = element('p');
      var open = element('a', fill(texts.openPath, { title: r.title }));
      open.setAttribute('href', texts.pathHref.replace('{id}', r.pathId));
      open.setAttribute('data-open-path', r.pathId);
      next.appendChild(open);
      report.appendChild(next);
    }
    var heading = element('h2', texts.reportHeading);
    heading.setAttribute('data-imported-path', r.pathId);
    report.appendChild(heading);
    report.appendChild(element('h3', texts.steps));
    report.appendChild(list(r.steps.map(function (s) {
      return s.title + ' (' + (texts.stepTypes[s.type] || s.type) + ', ' + (s.required ? texts.required : texts.optional) + ')';
    })));
    report.appendChild(element('h3', texts.packages));
    report.appendChild(r.packages.length === 0 ? element('p', texts.noPackages) : list(r.packages.map(function (p) {
      return p.title + ' (' + p.edition + ', ' + (p.reused ? texts.reused : texts.isNew) + ')';
    })));
    if (r.adjustments.length > 0) {
      report.appendChild(element('h3', texts.adjustments));
      report.appendChild(list(r.adjustments.map(function (a) { return a.messages[locale] || a.messages.en; })));
    }
    report.hidden = false;
  }
  form.addEventListener('submit', function (event) {
    var input = form.querySelector('input[type=file]');
    var file = input && input.files && input.files[0];
    if (!file) return;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    var url = form.getAttribute('action');
    xhr.open('POST', url + (url.indexOf('?') >= 0 ? '&' : '?') + 'name=' + encodeURIComponent(file.name));
    xhr.setRequestHeader('Content-Type', 'application/zip');
    xhr.setRequestHeader('Accept', 'application/json');
    if (report) report.hidden = true;
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
      bar.value = 100;
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status === 201) {
        if (form.getAttribute('data-kind') === 'import') {
          say(fill(texts.done, { title: body.title }));
          showReport(body);
        } else {
          say(fill(texts.done, { title: body.title, id: body.id }));
          var tree = document.getElementById('transfer-tree');
          // The server's own rendering of a cmi5 course's tree (escaped there).
          if (tree && body.cmi5Tree) { tree.innerHTML = body.cmi5Tree; tree.hidden = false; }
        }
        form.reset();
        return;
      }
      var reason = (body.messages && body.messages[locale]) || body.detail || String(xhr.status);
      say(fill(texts.refused, { reason: reason }), true);
    });
    xhr.addEventListener('error', function () { say(texts.failed, true); });
    xhr.send(file);
  });
})();
`;
