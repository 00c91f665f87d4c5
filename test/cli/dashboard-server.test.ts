import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardServer } from '../../bin/dashboard/dashboard-server.js';
import { dashboardView } from '../../bin/dashboard/dashboard-view.js';
import { RunRecorder } from '../../bin/dashboard/run-record.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';

/** One request with a chosen Host header; resolves with status, headers and body. */
function get(port: number, path: string, options: { host?: string; method?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        // an event stream stays open: the first event is enough
        if (res.headers['content-type'] === 'text/event-stream' && body.includes('\n\n')) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A recorder that saw a two-step run start and one sample. */
function recorded(): RunRecorder {
  const rec = new RunRecorder();
  rec.started({ runner: 'native', startedAt: 0, virtualClock: true, graph: [{ step: 'Read', kind: 'read', inputs: [], sideInputs: [], bounded: true }, { step: 'Count', kind: 'combine', inputs: [{ step: 'Read', tag: 'main' }], sideInputs: [] }] });
  const step = (name: string, n: number) => ({ step: name, elementsIn: n, elementsOut: n, lateDropped: 0, deadLettered: 0, counters: {}, inputWatermark: TIMESTAMP_MIN, outputWatermark: TIMESTAMP_MIN, buffered: 0 });
  rec.sample({ at: 500, steps: [step('Read', 7), step('Count', 7)], batches: [], checkpoints: [], examples: [] });
  return rec;
}

let server: DashboardServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the dashboard server', () => {
  it('listens on 127.0.0.1 only, on a free port by default', async () => {
    const rec = recorded();
    server = await DashboardServer.start(0, () => dashboardView([rec.record()]));
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect((server as unknown as { server: { address(): { address: string } } }).server.address().address).toBe('127.0.0.1');
  });

  it('serves the page, its script, Vega and the view, with a content security policy', async () => {
    const rec = recorded();
    server = await DashboardServer.start(0, () => dashboardView([rec.record()]));
    const page = await get(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-step="Count"');
    expect(page.body).toContain('<script src="app.js"></script>');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'none'");
    expect((await get(server.port, '/app.js')).body).toContain('new EventSource');
    const vega = await get(server.port, '/vendor/vega.min.js');
    expect(vega.status).toBe(200);
    expect(vega.body.length).toBeGreaterThan(100_000);
    expect((await get(server.port, '/vendor/vega-lite.min.js')).status).toBe(200);
    const view = JSON.parse((await get(server.port, '/view.json')).body) as { title: string; live: boolean };
    expect(view).toMatchObject({ title: 'Watershed: native', live: true });
    expect((await get(server.port, '/nothing')).status).toBe(404);
  });

  it('sends the current view as a server-sent event at once', async () => {
    const rec = recorded();
    server = await DashboardServer.start(0, () => dashboardView([rec.record()]));
    const events = await get(server.port, '/events');
    expect(events.headers['content-type']).toBe('text/event-stream');
    expect(events.body.startsWith('data: {')).toBe(true);
    expect(JSON.parse(events.body.slice('data: '.length)).sections.steps).toContain('data-step="Read"');
  });

  it('refuses requests for another host name (DNS rebinding) and anything but GET', async () => {
    const rec = recorded();
    server = await DashboardServer.start(0, () => dashboardView([rec.record()]));
    expect((await get(server.port, '/', { host: 'attacker.example' })).status).toBe(403);
    expect((await get(server.port, '/view.json', { host: `attacker.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, '/', { host: `localhost:${server.port}` })).status).toBe(200);
    expect((await get(server.port, '/', { method: 'POST' })).status).toBe(405);
  });

  it('a port in use is an error of the listen', async () => {
    const rec = recorded();
    server = await DashboardServer.start(0, () => dashboardView([rec.record()]));
    await expect(DashboardServer.start(server.port, () => dashboardView([rec.record()]))).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
