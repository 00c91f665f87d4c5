import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CLIENT_SCRIPT } from './client-script.js';
import type { DashboardView } from './dashboard-view.js';
import { pageHtml } from './page-html.js';

/** The only address the dashboard listens on: the page shows data of the run, so it stays on this machine. */
export const DASHBOARD_HOST = '127.0.0.1';

const require = createRequire(import.meta.url);
/** Vega's and Vega-Lite's browser builds, next to the packages' entry points (their `build/` folders). */
const VENDOR: Record<string, () => string> = {
  'vega.min.js': () => join(dirname(require.resolve('vega')), 'vega.min.js'),
  'vega-lite.min.js': () => join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js'),
};

/** Vega compiles its expressions with `new Function`, hence 'unsafe-eval'; nothing else is loaded from anywhere else. */
const CSP = "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The live dashboard: an HTTP server on 127.0.0.1 only (node:http) serving the page of the run (`/`),
 * its script and Vega (`/app.js`, `/vendor/*`), the current view as JSON (`/view.json`) and
 * server-sent events (`/events`): the current view at once, then a new one after each
 * {@link changed}, and an `end` event after {@link end}. Views are built from `view()` only when
 * someone asks or listens, so an unwatched run pays nothing. Requests whose Host is not this address
 * (DNS rebinding) get 403; anything but GET gets 405.
 * @throws from {@link start} the listen error (e.g. EADDRINUSE for a port in use).
 * @example
 * const ui = await DashboardServer.start(0, () => dashboardView([recorder.record()]));
 * process.stderr.write(`[ui] ${ui.url}\n`);
 * ui.changed(); // after each sample
 * await ui.close();
 */
export class DashboardServer {
  private readonly clients = new Set<ServerResponse>();
  private ended = false;

  private constructor(
    private readonly server: Server,
    /** The port it listens on. */
    readonly port: number,
    private readonly view: () => DashboardView,
  ) {}

  /** Starts listening on 127.0.0.1:`port` (0: a free port chosen by the system), serving `view()`. */
  static async start(port: number, view: () => DashboardView): Promise<DashboardServer> {
    let ui: DashboardServer | undefined;
    const server = createServer((req, res) => void ui!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: DASHBOARD_HOST, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    ui = new DashboardServer(server, (server.address() as AddressInfo).port, view);
    return ui;
  }

  /** The page's address. */
  get url(): string {
    return `http://${DASHBOARD_HOST}:${this.port}/`;
  }

  /** The run changed: every open event stream gets the new view. */
  changed(): void {
    if (this.clients.size === 0) return;
    const json = JSON.stringify(this.view());
    for (const c of this.clients) c.write(`data: ${json}\n\n`);
  }

  /** Sends the last view and tells every open event stream (and later ones) that the run ended: the page stops following. */
  end(): void {
    this.changed();
    this.ended = true;
    for (const c of this.clients) c.write('event: end\ndata: {}\n\n');
  }

  /** Ends the event streams and stops the server. */
  async close(): Promise<void> {
    for (const c of this.clients) c.end();
    this.clients.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (host !== `${DASHBOARD_HOST}:${this.port}` && host !== `localhost:${this.port}`) return send(res, 403, 'text/plain', 'forbidden: use the address printed on stderr\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', pageHtml(this.view(), { kind: 'live' }));
    if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', CLIENT_SCRIPT);
    if (path === '/view.json') return send(res, 200, 'application/json', JSON.stringify(this.view()));
    if (path === '/events') return this.stream(res);
    const vendor = path.startsWith('/vendor/') ? VENDOR[path.slice('/vendor/'.length)] : undefined;
    if (vendor) {
      try {
        return send(res, 200, 'text/javascript; charset=utf-8', await readFile(vendor()), 'public, max-age=3600');
      } catch {
        return send(res, 404, 'text/plain', 'Vega is not installed (npm ci)\n');
      }
    }
    return send(res, 404, 'text/plain', 'not found\n');
  }

  private stream(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    res.write(`data: ${JSON.stringify(this.view())}\n\n`);
    if (this.ended) {
      res.end('event: end\ndata: {}\n\n');
      return;
    }
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-store'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': cache, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  res.end(body);
}
