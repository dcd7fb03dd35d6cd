/**
 * Composition root: builds the session list, status bar, panels, CodeLenses and commands, and puts
 * every disposable into `context.subscriptions`. Nothing is sampled until a command asks for it.
 */
import * as vscode from 'vscode';
import { ScriptJobs } from '../core/target/scriptProcesses';
import { CommandErrors } from './commandErrors';
import { ScriptAnnotator } from './codelens/scriptAnnotator';
import { ScriptDecorations } from './codelens/scriptDecorations';
import { ScriptHoverProvider } from './codelens/scriptHover';
import { REVEAL_COMMAND, ScriptLensProvider } from './codelens/scriptLenses';
import { registerPanelSerializer } from './panel/panelSerializer';
import type { PanelActions } from './panel/panelHost';
import { SessionPanels } from './panel/sessionPanels';
import { isProfileArgs, Profiler } from './profile/profiler';
import { ReportOpener } from './sessions/reportOpener';
import { SessionCommands } from './sessions/sessionCommands';
import { SessionList } from './sessions/sessionList';
import { MOVE_SESSION_COMMAND, moveSession, offerMoveWhenStopped } from './sessions/moveSession';
import { SESSIONS_VIEW_ID, SessionsView } from './sessions/sessionsView';
import { onSettingsChanged, readPythonCommand, readSettings, readThresholds } from './settings';
import { StallStatusItem } from './statusBar/stallStatusItem';
import { extensionState, GET_STATE_COMMAND } from './testState';

const PYTHON_FILES: vscode.DocumentSelector = { language: 'python', scheme: 'file' };

async function openSite(file: string, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const position = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(position, position),
  });
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Training I/O', { log: true });
  const errors = new CommandErrors(log);
  const sessions = new SessionList();
  const status = new StallStatusItem(sessions, readThresholds);
  const sessionsDir = (): vscode.Uri =>
    vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'sessions');

  const opener = new ReportOpener();
  const sessionCommands = new SessionCommands(sessions, {
    showPanel: (session, section) => panels.show(session, section),
    closePanel: (session) => panels.close(session),
    sessionsDir,
    opener,
  });
  const actions: PanelActions = {
    openSite,
    exportSession: async (session) => {
      await sessionCommands.exportSession({ sessionFile: session.file });
    },
    stopSession: async (session) => {
      await session.stop();
    },
    moveSession: async (session) => {
      await moveSession(sessions, { sessionFile: session.file });
    },
    thresholds: readThresholds,
  };
  const panels = new SessionPanels(context.extensionUri, actions);
  const profiler = new Profiler({
    state: context.workspaceState,
    sessions,
    sessionsDir,
    settings: () => readSettings(),
    pythonCommand: () => readPythonCommand(),
    showPanel: (session) => panels.show(session),
  });

  stopRecording = () => Promise.all(sessions.live().map((s) => s.stop().catch(() => undefined)));
  const annotator = new ScriptAnnotator(sessions, readThresholds);
  const lenses = new ScriptLensProvider(annotator, new ScriptJobs());
  const sessionsView = new SessionsView(sessions, sessionsDir);

  context.subscriptions.push(
    log,
    sessions,
    status,
    panels,
    opener,
    sessionsView,
    vscode.window.createTreeView(SESSIONS_VIEW_ID, { treeDataProvider: sessionsView }),
    annotator,
    lenses,
    new ScriptDecorations(annotator),
    vscode.languages.registerCodeLensProvider(PYTHON_FILES, lenses),
    vscode.languages.registerHoverProvider(PYTHON_FILES, new ScriptHoverProvider(annotator)),
    registerPanelSerializer(context.extensionUri, panels, (file) => sessionCommands.open(file)),
    onSettingsChanged(() => status.render()),
    errors.register('trainio.profile', (arg) => profiler.profile(isProfileArgs(arg) ? arg : undefined)),
    errors.register('trainio.launchActiveFile', (arg) =>
      profiler.launchActiveFile(isProfileArgs(arg) ? arg : {}),
    ),
    errors.register('trainio.stop', (arg) => sessionCommands.stop(arg)),
    errors.register('trainio.showPanel', (arg) => sessionCommands.showPanelCommand(arg)),
    errors.register('trainio.exportReport', (arg) => sessionCommands.exportSession(arg)),
    errors.register('trainio.openSession', (arg) => sessionCommands.openSessionFile(arg)),
    errors.register('trainio.deleteSession', (arg) => sessionCommands.deleteSession(arg)),
    errors.register('trainio.refreshSessions', () => sessions.filesChanged()),
    errors.register('trainio.dismissResult', () => status.dismiss()),
    errors.register(MOVE_SESSION_COMMAND, (arg) => moveSession(sessions, arg)),
    offerMoveWhenStopped(sessions),
    errors.register(REVEAL_COMMAND, (arg) => sessionCommands.reveal(arg)),
    vscode.commands.registerCommand(GET_STATE_COMMAND, () =>
      extensionState(sessions, panels, status, errors.last, {
        sessionRows: sessionsView.rows().map((r) => r.facts),
        reportsServed: [...opener.served],
      }),
    ),
  );
}

/** Stops what is still recording, so its session file ends with an `end` record. */
let stopRecording: (() => Promise<unknown>) | undefined;

export function deactivate(): Promise<unknown> | undefined {
  return stopRecording?.();
}
