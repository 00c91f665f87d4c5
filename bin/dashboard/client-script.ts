/**
 * The live page's script (served as `app.js`): follows the run over server-sent events (`events`),
 * replaces each section's HTML with the server's, and draws the charts with Vega and Vega-Lite
 * (loaded before it from `vendor/`), updating a chart's data in place while its spec stays the same.
 * Without Vega the tables and the graph still update. Plain browser JavaScript, no build step.
 */
export const CLIENT_SCRIPT = `'use strict';
(() => {
  const views = new Map();
  const status = document.getElementById('status');
  const chartsBody = document.getElementById('charts-body');

  function drawCharts(charts) {
    if (!window.vega || !window.vegaLite) {
      chartsBody.dataset.error = 'Vega is not loaded';
      return;
    }
    if (charts.length > 0 && !chartsBody.querySelector('.charts')) chartsBody.innerHTML = '<div class="charts"></div>';
    const box = chartsBody.querySelector('.charts');
    for (const c of charts) {
      const key = JSON.stringify(c.spec);
      let v = views.get(c.title);
      let el = [...box.children].find((e) => e.dataset.chart === c.title);
      if (!el) {
        el = document.createElement('figure');
        el.className = 'chart';
        el.dataset.chart = c.title;
        box.appendChild(el);
      }
      if (!v || v.key !== key) {
        if (v) v.view.finalize();
        el.innerHTML = '';
        const view = new vega.View(vega.parse(vegaLite.compile(c.spec).spec), { renderer: 'svg', container: el, hover: true });
        v = { key, view };
        views.set(c.title, v);
      }
      v.view.data('rows', c.rows);
      v.view.runAsync().catch((e) => { el.dataset.error = String(e); });
    }
  }

  function render(view) {
    document.title = view.title;
    document.body.dataset.live = String(view.live);
    for (const [id, html] of Object.entries(view.sections)) {
      const el = document.getElementById(id + '-body');
      if (el && el.innerHTML !== html) el.innerHTML = html;
    }
    drawCharts(view.charts);
    document.body.dataset.updates = String(Number(document.body.dataset.updates || '0') + 1);
  }

  drawCharts(JSON.parse(document.getElementById('initial-charts').textContent));
  const events = new EventSource('events');
  events.onmessage = (m) => {
    render(JSON.parse(m.data));
    status.textContent = 'live';
  };
  events.addEventListener('end', () => {
    status.textContent = 'the run has ended; this page no longer updates';
    events.close();
  });
  events.onerror = () => {
    if (document.body.dataset.live === 'true') status.textContent = 'disconnected (has the run ended?)';
  };
})();
`;
