/**
 * Every code the producer throws: a CLI prints it, and an app passes it on to its users, so the set
 * is part of this library's API.
 */
export type ProducerErrorCode =
  | 'KAFKA_UNREACHABLE'
  | 'KAFKA_SEND_FAILED'
  | 'NOT_CONNECTED'
  | 'TOPIC_CREATE_FAILED'
  | 'TOPIC_NOT_READY'
  | 'PRODUCER_ERROR'
  | 'PRODUCER_STATE'
  | 'UNDELIVERED_ON_STOP'
  | 'INVALID_INPUT';

/**
 * One error base class for the whole project: a stable `code` that programs branch on, a message a
 * user can act on, and `retriable` so callers (and the UI) know whether trying again can help.
 * An app built on the producer extends it with its own codes (`Code`); `NoInfer` makes a code
 * outside the set a compile error instead of a new set of one.
 */
export class WalkstreamError<Code extends string = ProducerErrorCode> extends Error {
  readonly code: Code;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: NoInfer<Code>,
    message: string,
    opts: { retriable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WalkstreamError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.details = opts.details;
  }

  toJSON(): { code: Code; message: string; retriable: boolean; details?: Record<string, unknown> } {
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
      'INVALID_INPUT',
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
