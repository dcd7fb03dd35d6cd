/**
 * Errors a user can act on. Their message is one line that says what is wrong and what to do;
 * the CLI prints it without a stack trace and exits non-zero.
 */
export type TrainioErrorCode =
  | 'PID_NOT_FOUND'
  | 'PID_NOT_OURS'
  | 'PID_EXITED'
  | 'LAUNCH_FAILED'
  | 'DIR_NOT_FOUND'
  | 'SESSION_CORRUPT'
  | 'SESSION_NOT_FOUND'
  | 'WRITE_FAILED'
  | 'USAGE'
  | 'UNSUPPORTED';

export class TrainioError extends Error {
  constructor(
    readonly code: TrainioErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrainioError';
  }
}

export function isTrainioError(e: unknown): e is TrainioError {
  return e instanceof TrainioError;
}
