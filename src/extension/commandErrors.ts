/**
 * Commands report failures the way the user can act on them: a TrainioError's one-line message as an
 * error notification; anything unexpected also goes to the "Training I/O" log with its stack.
 */
import * as vscode from 'vscode';
import { isTrainioError } from '../core/errors';

export class CommandErrors {
  /** the last failure's message (read by the test hook) */
  last: string | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** registerCommand with the failure handling above; the disposable is the caller's to keep */
  register(id: string, run: (...args: unknown[]) => unknown): vscode.Disposable {
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (e) {
        this.report(id, e);
        return undefined;
      }
    });
  }

  report(id: string, e: unknown): void {
    const message = isTrainioError(e) ? e.message : e instanceof Error ? e.message : String(e);
    this.last = message;
    if (!isTrainioError(e)) this.log.error(`${id} failed`, e instanceof Error ? e : new Error(String(e)));
    else this.log.warn(`${id}: ${message}`);
    void vscode.window.showErrorMessage(`Training I/O: ${message}`);
  }
}
