/**
 * The UI's side of the API, for either transport. Browser-safe: no Node modules. A failed call
 * throws ApiError carrying the same code, message and `retriable` the core produced.
 */
import type { ApiEvents, ApiInput, ApiName, ApiOutput, ApiReply, ApiTopic } from './api';
import type { ApiErrorData } from './data';
import { createTopicFanout } from './topic-fanout';

export class ApiError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;
  constructor(data: ApiErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    this.retriable = data.retriable;
    this.details = data.details;
  }
}

export interface ApiClient {
  call<N extends ApiName>(
    name: N,
    ...input: undefined extends ApiInput<N> ? [ApiInput<N>?] : [ApiInput<N>]
  ): Promise<ApiOutput<N>>;
  subscribe<T extends ApiTopic>(topic: T, listener: (data: ApiEvents[T]) => void): () => void;
}

function unwrap<T>(reply: ApiReply<T>): T {
  if (reply.ok) return reply.result;
  throw new ApiError(reply.error);
}

/** What the Electron preload exposes on `window.walkstream` (see electron/preload.ts). */
export interface WalkstreamBridge {
  call(name: string, input: unknown): Promise<ApiReply<unknown>>;
  onEvent(listener: (topic: string, data: unknown) => void): () => void;
}

/** One listener on the preload's event channel for the whole page, whatever it subscribes to. */
export function createBridgeClient(bridge: WalkstreamBridge): ApiClient {
  const events = createTopicFanout((dispatch) => ({ close: bridge.onEvent(dispatch) }));
  return {
    call: async (name, ...input) => unwrap((await bridge.call(name, input[0])) as ApiReply<never>),
    subscribe: (topic, listener) => events.subscribe(topic, listener as (data: unknown) => void),
  };
}

/** The part of the browser's EventSource used here; tests give their own. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (e: { data: string }) => void): void;
  close(): void;
}

/**
 * Browser mode: HTTP calls and one EventSource for the client, authenticated by the session cookie
 * or a token. The EventSource reconnects by itself when the stream drops.
 */
export function createHttpClient(opts: {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
  /** Defaults to the browser's EventSource (with the session cookie). */
  eventSource?: (url: string) => EventSourceLike;
}): ApiClient {
  const doFetch = opts.fetch ?? fetch;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const open = opts.eventSource ?? browserEventSource;
  const events = createTopicFanout((dispatch) => {
    const source = open(`${opts.baseUrl}/api/events`);
    return {
      // Server-sent events are named by topic, and EventSource has no listener for every name.
      listen: (topic) => source.addEventListener(topic, (e) => dispatch(topic, JSON.parse(e.data))),
      close: () => source.close(),
    };
  });
  return {
    call: async (name, ...input) => {
      const res = await doFetch(`${opts.baseUrl}/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers,
        credentials: 'same-origin',
        body: input[0] === undefined ? '' : JSON.stringify(input[0]),
      });
      return unwrap((await res.json()) as ApiReply<never>);
    },
    subscribe: (topic, listener) => events.subscribe(topic, listener as (data: unknown) => void),
  };
}

function browserEventSource(url: string): EventSourceLike {
  const EventSource = (
    globalThis as unknown as { EventSource: new (u: string, o: object) => EventSourceLike }
  ).EventSource;
  return new EventSource(url, { withCredentials: true });
}
