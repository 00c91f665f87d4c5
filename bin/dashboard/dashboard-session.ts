import { PipelineOptionsError } from '../../sdk/errors.js';
import type { AnyFlagValues } from '../../sdk/flags.js';
import type { RunObserver } from '../../sdk/run-observer.js';
import { checkWritablePath } from '../writable-path.js';
import { DashboardServer } from './dashboard-server.js';
import { dashboardView } from './dashboard-view.js';
import { staticReportHtml } from './report-file.js';
import { writeOutputFile } from '../write-output-file.js';
import { RunRecorder } from './run-record.js';

/** The dashboard's flags (declared in ../netflow-flags.ts: DASHBOARD_FLAGS). */
export interface DashboardFlags {
  readonly ui?: boolean;
  readonly uiPort?: string;
  readonly report?: string;
  readonly reportData?: string;
}

/**
 * What `--ui`, `--uiPort`, `--report` (and compare's `--reportData`) do for one run: a recorder
 * observing the run, the live page while it runs, and when it has ended (DONE or CANCELLED) the
 * report file and its data. A failed run writes no report, so an earlier report stays as it was.
 * @example
 * const dashboard = await DashboardSession.open(args);          // before the run: flag errors exit 2
 * const p = Pipeline.create(argv, { flags, observers: dashboard?.observers });
 * try { await p.run(); } finally { await dashboard?.close(); }
 */
export class DashboardSession {
  private constructor(
    private readonly recorder: RunRecorder,
    private readonly server: DashboardServer | undefined,
    private readonly report: string | undefined,
    private readonly reportData: string | undefined,
  ) {}

  /**
   * Checks the flags and starts the page's server (printing its address on stderr); undefined when no
   * dashboard flag is given.
   * @throws PipelineOptionsError for `--uiPort` without `--ui` or not a port, a port in use, and a
   * `--report` or `--reportData` path that cannot be written (nothing has run then).
   */
  static async open(args: AnyFlagValues & DashboardFlags, log: (line: string) => void = (l) => void process.stderr.write(`${l}\n`)): Promise<DashboardSession | undefined> {
    const { ui, uiPort, report, reportData } = args;
    if (uiPort !== undefined && ui !== true) throw new PipelineOptionsError(`--uiPort=${uiPort} needs --ui`);
    if (ui !== true && report === undefined && reportData === undefined) return undefined;
    // Decimal digits only: Number() reads ' ' as 0 (a free port, silently) and 0x50 as 80.
    const port = uiPort === undefined ? 0 : /^\d+$/.test(uiPort) ? Number(uiPort) : Number.NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new PipelineOptionsError(`--uiPort=${uiPort}: expected a port number 0..65535 (0: a free one)`);
    if (report !== undefined) checkWritablePath(report, 'report');
    if (reportData !== undefined) checkWritablePath(reportData, 'reportData');
    let server: DashboardServer | undefined;
    const recorder = new RunRecorder(() => server?.changed());
    if (ui === true) {
      try {
        server = await DashboardServer.start(port, () => dashboardView([recorder.record()]));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new PipelineOptionsError(`--uiPort=${port}: cannot listen on 127.0.0.1:${port} (${code === 'EADDRINUSE' ? 'the port is in use' : (e as Error).message}); leave --uiPort out for a free port`);
      }
      log(`[ui] the run's dashboard: ${server.url} (on this machine only)`);
    }
    return new DashboardSession(recorder, server, report, reportData);
  }

  /** The observers to give the run (`PipelineOptions.observers`). */
  get observers(): RunObserver[] {
    return [this.recorder];
  }

  /**
   * After the run: the page says it ended and the server stops; for a run that ended (DONE or
   * CANCELLED), the report and its data are written (each atomically). Returns the files written.
   */
  async close(log: (line: string) => void = (l) => void process.stderr.write(`${l}\n`)): Promise<string[]> {
    const written: string[] = [];
    try {
      this.server?.end();
      const record = this.recorder.record();
      const ended = record.state === 'DONE' || record.state === 'CANCELLED';
      if (!ended && (this.report !== undefined || this.reportData !== undefined)) {
        log(`[report] not written: the run ${record.state === 'FAILED' ? 'failed' : 'did not run'}${this.report !== undefined ? `; ${this.report} is left as it was` : ''}`);
        return written;
      }
      if (this.reportData !== undefined) {
        await writeOutputFile(this.reportData, JSON.stringify(record), '--reportData');
        written.push(this.reportData);
      }
      if (this.report !== undefined) {
        await writeOutputFile(this.report, await staticReportHtml([record], new Date()), '--report');
        written.push(this.report);
        log(`[report] ${this.report}`);
      }
      return written;
    } finally {
      await this.server?.close();
    }
  }
}
