import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A browser script served under a name that carries its content hash (same-origin: the CSP allows only 'self'). */
export interface Script {
  readonly href: string;
  readonly body: string;
  readonly etag: string;
}

function hashed(name: string, body: string): Script {
  const hash = createHash('sha256').update(body).digest('hex');
  return { href: `/assets/${name}.${hash.slice(0, 12)}.js`, body, etag: `"${hash}"` };
}

// Chart.js's UMD build, read once from the pinned package in node_modules (its exports map hides
// dist/, so the file is found beside the package's main entry): no copy step and no CDN.
const chartDist = path.dirname(require.resolve('chart.js'));
export const CHART_JS = hashed('chart', fs.readFileSync(path.join(chartDist, 'chart.umd.min.js'), 'utf8'));

/**
 * Draws each table marked `data-chart` as a bar chart above it: labels from the rows' `data-label`,
 * values from `data-value`. The canvas is an image named by the chart's title and described by the
 * text beside it (aria-describedby); the table stays as the chart's text alternative and is what a
 * page without JavaScript shows. Adds a print button where the page asks for one.
 */
const REPORT_CHARTS_SOURCE = `(function () {
  'use strict';
  function draw() {
    var styles = getComputedStyle(document.documentElement);
    var accent = styles.getPropertyValue('--ds-color-accent-base-default').trim() || '#0b5cad';
    var text = styles.getPropertyValue('--ds-color-neutral-text-default').trim() || '#1e2b3c';
    var tables = document.querySelectorAll('table[data-chart]');
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var host = document.getElementById(table.getAttribute('data-chart'));
      if (!host || host.querySelector('canvas')) continue;
      var rows = table.querySelectorAll('tr[data-label]');
      var labels = [], values = [];
      for (var j = 0; j < rows.length; j++) {
        labels.push(rows[j].getAttribute('data-label'));
        values.push(Number(rows[j].getAttribute('data-value')));
      }
      var canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', host.getAttribute('data-chart-label') || '');
      if (host.getAttribute('data-chart-describedby')) canvas.setAttribute('aria-describedby', host.getAttribute('data-chart-describedby'));
      canvas.textContent = host.getAttribute('data-chart-label') || '';
      host.appendChild(canvas);
      host.setAttribute('data-chart-drawn', '');
      if (host.getAttribute('data-chart-axis') === 'y') host.style.height = Math.max(12, labels.length * 2 + 4) + 'rem';
      var max = host.getAttribute('data-chart-max');
      new window.Chart(canvas, {
        type: 'bar',
        data: { labels: labels, datasets: [{ label: host.getAttribute('data-chart-series') || '', data: values, backgroundColor: accent }] },
        options: {
          animation: false,
          maintainAspectRatio: false,
          indexAxis: host.getAttribute('data-chart-axis') === 'y' ? 'y' : 'x',
          plugins: { legend: { display: false } },
          scales: {
            x: { ticks: { color: text, precision: 0 }, beginAtZero: true, max: host.getAttribute('data-chart-axis') === 'y' && max ? Number(max) : undefined },
            y: { ticks: { color: text, precision: 0 }, beginAtZero: true, max: host.getAttribute('data-chart-axis') !== 'y' && max ? Number(max) : undefined }
          }
        }
      });
    }
    var printHost = document.querySelector('[data-print-host]');
    if (printHost && !printHost.querySelector('button')) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'ds-button';
      button.setAttribute('data-variant', 'secondary');
      button.setAttribute('data-print', '');
      button.textContent = printHost.getAttribute('data-print-label') || 'Print';
      button.addEventListener('click', function () { window.print(); });
      printHost.appendChild(button);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
})();
`;

export const REPORT_CHARTS_JS = hashed('report-charts', REPORT_CHARTS_SOURCE);

export const SCRIPTS: readonly Script[] = [CHART_JS, REPORT_CHARTS_JS];
