/*
 * The development upload page: sends the chosen zip as the request body (streamed by the server to
 * disk), shows the upload's progress, then the import's result or the refusal in the page's language.
 */

interface ImportTexts {
  uploading: string;
  checking: string;
  imported: string;
  refused: string;
  failed: string;
}

interface Problem {
  messages?: Record<string, string>;
  detail?: string;
}

(function importPage() {
  const form = document.getElementById('import-form') as HTMLFormElement | null;
  const textsElement = document.getElementById('import-texts');
  const progress = document.getElementById('import-progress') as HTMLProgressElement | null;
  const status = document.getElementById('import-status');
  if (!form || !textsElement || !progress || !status) return;
  const texts = JSON.parse(textsElement.textContent ?? '{}') as ImportTexts;
  const locale = document.documentElement.lang || 'nb';
  const bar: HTMLProgressElement = progress;
  const say = (text: string) => (status.textContent = text);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const file = data.get('package');
    const tenant = String(data.get('tenant') ?? '');
    // An empty file is sent too: the server says it is empty, in the page's language.
    if (!(file instanceof File) || !file.name || !tenant) return;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/content/packages?tenant=${encodeURIComponent(tenant)}&name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Content-Type', 'application/zip');
    xhr.setRequestHeader('Accept', 'application/json');
    bar.hidden = false;
    bar.value = 0;
    say(texts.uploading.replace('{percent}', '0'));
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      say(percent < 100 ? texts.uploading.replace('{percent}', String(percent)) : texts.checking);
    });
    xhr.addEventListener('load', () => {
      bar.value = 100;
      if (xhr.status === 201) {
        const created = JSON.parse(xhr.responseText) as { title: string; edition: string; fileCount: number };
        say(texts.imported.replace('{title}', created.title).replace('{edition}', created.edition).replace('{files}', String(created.fileCount)));
        return;
      }
      let problem: Problem = {};
      try {
        problem = JSON.parse(xhr.responseText) as Problem;
      } catch {
        // not JSON: the generic text below
      }
      say(texts.refused.replace('{reason}', problem.messages?.[locale] ?? problem.detail ?? String(xhr.status)));
    });
    xhr.addEventListener('error', () => say(texts.failed));
    xhr.send(file);
  });
})();
