import type { z } from 'zod';
import { WalkstreamError } from '../../producer/src/errors';
import {
  type ApiEvents,
  type ApiName,
  type ApiOutput,
  type ApiParsedInput,
  type ApiReply,
  type ApiTopic,
  apiInputs,
} from '../contract/api';
import type { ApiErrorData } from '../contract/data';

export type ApiHandlers = { [N in ApiName]: (input: ApiParsedInput<N>) => Promise<ApiOutput<N>> };

/** Turns anything thrown into the error envelope that crosses the boundary. */
export function toErrorData(err: unknown): ApiErrorData {
  if (err instanceof WalkstreamError) return err.toJSON();
  return {
    code: 'INTERNAL',
    message: `Unexpected error: ${err instanceof Error ? err.message : String(err)}`,
    retriable: false,
  };
}

/** Pub/sub for what the core pushes (status changes, metrics, new preview points). */
export class EventHub {
  private listeners = new Map<ApiTopic, Set<(data: unknown) => void>>();

  subscribe<T extends ApiTopic>(topic: T, listener: (data: ApiEvents[T]) => void): () => void {
    const set = this.listeners.get(topic) ?? new Set();
    set.add(listener as (data: unknown) => void);
    this.listeners.set(topic, set);
    return () => set.delete(listener as (data: unknown) => void);
  }

  /** Any topic, for transports that forward everything. */
  subscribeAll(listener: (topic: ApiTopic, data: unknown) => void): () => void {
    const offs = (Object.keys(EVENT_TOPICS) as ApiTopic[]).map((t) =>
      this.subscribe(t, (d) => listener(t, d)),
    );
    return () => {
      for (const off of offs) off();
    };
  }

  publish<T extends ApiTopic>(topic: T, data: ApiEvents[T]): void {
    for (const l of this.listeners.get(topic) ?? []) {
      try {
        l(data);
      } catch {
        // One broken subscriber (e.g. a closed window) must not stop the others.
      }
    }
  }
}

const EVENT_TOPICS: Record<ApiTopic, true> = {
  'stack:status': true,
  'producer:status': true,
  'kafka:stats': true,
  'telegraf:stats': true,
  'preview:update': true,
  'chaos:status': true,
};

export function isApiTopic(s: string): s is ApiTopic {
  return Object.hasOwn(EVENT_TOPICS, s);
}

/**
 * The single entry point both transports call: checks the name, validates the input with the
 * contract's zod schema (bad input changes nothing), runs the handler, wraps the outcome.
 */
export class ApiRouter {
  constructor(private readonly handlers: ApiHandlers) {}

  async call(name: string, rawInput: unknown): Promise<ApiReply<unknown>> {
    if (!Object.hasOwn(apiInputs, name)) {
      return {
        ok: false,
        error: { code: 'UNKNOWN_CALL', message: `There is no API call "${name}".`, retriable: false },
      };
    }
    const apiName = name as ApiName;
    const parsed = apiInputs[apiName].safeParse(rawInput);
    if (!parsed.success) {
      return { ok: false, error: validationError(apiName, parsed.error) };
    }
    try {
      const handler = this.handlers[apiName] as (input: unknown) => Promise<unknown>;
      return { ok: true, result: await handler(parsed.data) };
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  }
}

function validationError(name: ApiName, error: z.ZodError): ApiErrorData {
  const issues = error.issues.map((i) => ({
    field: i.path.join('.') || '(input)',
    message: i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message,
  }));
  return {
    code: 'INVALID_INPUT',
    message: `Invalid input for ${name}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    retriable: false,
    details: { issues },
  };
}
