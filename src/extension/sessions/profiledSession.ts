/**
 * One profiling session as the editor sees it: recording now (a Recorder) or reopened from its file.
 * Both give the same `SessionReport`, so every view renders them alike.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Recorder } from '../../core/session/recorder';
import type { RelocateResult } from '../../core/session/sessionWriter';
import type { SessionReport } from '../../shared/model';
import type { SessionFacts } from './sessionNames';

export interface ProfiledSession extends vscode.Disposable {
  /** the session file (JSON lines); also the session's identity */
  readonly file: string;
  /** what the user recognises: the script name, or the command */
  readonly title: string;
  /** true while recording */
  readonly live: boolean;
  report(): SessionReport;
  /** a new report (live sessions, at most 4 per second) */
  readonly onDidUpdate: vscode.Event<SessionReport>;
  /** recording ended (the job exited, or the user stopped it) */
  readonly onDidEnd: vscode.Event<SessionReport>;
  stop(): Promise<SessionReport>;
}

/** `python3 -u /x/train.py --data d` → `train.py`; else the program name, else `PID n`. */
export function sessionTitle(report: SessionReport): string {
  const script = report.target.command.find((a) => /\.py$/.test(a));
  if (script) return basename(script);
  const program = report.target.command[0];
  return program ? basename(program) : `PID ${report.target.pid}`;
}

/** what the lists show of a session (sessionNames.ts) */
export function factsOf(session: ProfiledSession): SessionFacts {
  const r = session.report();
  return {
    file: session.file,
    script: session.title,
    startedAt: r.startedAt,
    durationS: r.durationS,
    stallPct: r.dataStall.pct,
    stallMethod: r.dataStall.method,
    live: session.live,
  };
}

export class LiveSession implements ProfiledSession {
  private readonly updated = new vscode.EventEmitter<SessionReport>();
  private readonly ended = new vscode.EventEmitter<SessionReport>();
  private latest: SessionReport;
  private recording = true;
  private readonly unsubscribe: () => void;
  readonly onDidUpdate = this.updated.event;
  readonly onDidEnd = this.ended.event;
  readonly title: string;

  constructor(private readonly recorder: Recorder) {
    this.latest = recorder.report();
    this.title = sessionTitle(this.latest);
    this.unsubscribe = recorder.onReport((report) => {
      this.latest = report;
      this.updated.fire(report);
    });
    void recorder.finished.then(
      (report) => this.finish(report),
      () => this.finish(this.recorder.report()),
    );
  }

  get file(): string {
    return this.recorder.file;
  }

  get live(): boolean {
    return this.recording;
  }

  report(): SessionReport {
    return this.latest;
  }

  /** moves the recording to another file (its disk is full); the session's file is then that one */
  moveTo(file: string): Promise<RelocateResult> {
    return this.recorder.moveSession(file, { overwrite: true });
  }

  async stop(): Promise<SessionReport> {
    if (!this.recording) return this.latest;
    const report = await this.recorder.stop();
    this.finish(report);
    return report;
  }

  private finish(report: SessionReport): void {
    if (!this.recording) return;
    this.recording = false;
    this.latest = report;
    this.unsubscribe();
    this.ended.fire(report);
  }

  dispose(): void {
    if (this.recording) void this.recorder.stop().catch(() => undefined);
    this.unsubscribe();
    this.updated.dispose();
    this.ended.dispose();
  }
}

export class SavedSession implements ProfiledSession {
  private readonly never = new vscode.EventEmitter<SessionReport>();
  readonly onDidUpdate = this.never.event;
  readonly onDidEnd = this.never.event;
  readonly live = false;
  readonly title: string;

  constructor(
    readonly file: string,
    private readonly saved: SessionReport,
  ) {
    this.title = sessionTitle(saved);
  }

  report(): SessionReport {
    return this.saved;
  }

  stop(): Promise<SessionReport> {
    return Promise.resolve(this.saved);
  }

  dispose(): void {
    this.never.dispose();
  }
}
