/**
 * One error base class for the whole project: a stable `code` that programs branch on, a message a
 * user can act on, and `retriable` so callers (and the UI) know whether trying again can help.
 */
export class WalkstreamError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    opts: { retriable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WalkstreamError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.details = opts.details;
  }

  toJSON(): { code: string; message: string; retriable: boolean; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      retriable: this.retriable,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Invalid walk parameters: `details.issues` lists every offending field with its allowed range. */
export class InvalidParamsError extends WalkstreamError {
  readonly issues: readonly ParamIssue[];
  constructor(issues: readonly ParamIssue[]) {
    super(
      'INVALID_PARAMS',
      `Invalid walk parameters: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      {
        details: { issues },
      },
    );
    this.name = 'InvalidParamsError';
    this.issues = issues;
  }
}

export interface ParamIssue {
  field: string;
  message: string;
}
