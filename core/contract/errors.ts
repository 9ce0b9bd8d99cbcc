/**
 * The errors that cross to the UI: every code it may see, and the class the core throws.
 *
 * The class extends the producer's rather than being its own: the producer is also a standalone
 * CLI and library and cannot import the core, while the core runs it in-process and passes its
 * errors on as they are. One base class keeps one `instanceof` and one `toJSON` for both, and
 * `ApiErrorCode` includes `ProducerErrorCode`, so a code the producer adds is one the UI knows.
 * Imported from the producer's pure `errors` entry: the contract reaches the browser bundle, which
 * must not pull in kafkajs.
 */
import { WalkstreamError as ProducerError, type ProducerErrorCode } from '@walkstream/producer/errors';
import type { ApiErrorData } from './data';

/** Refusals of the call itself, before any handler runs (or when one fails unexpectedly). */
export type CallErrorCode =
  | 'UNKNOWN_CALL'
  | 'INVALID_INPUT'
  | 'UNAUTHORIZED'
  | 'UNTRUSTED_SENDER'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_FOUND'
  | 'INTERNAL';

export type DockerErrorCode =
  | 'DOCKER_NOT_RUNNING'
  | 'DOCKER_UNAVAILABLE'
  | 'DOCKER_PERMISSION'
  | 'DOCKER_CONTEXT_INVALID'
  | 'DOCKER_ENDPOINT_UNSUPPORTED'
  | 'DOCKER_CLI_MISSING'
  | 'COMPOSE_MISSING';

export type StackErrorCode =
  | 'STACK_BUSY'
  | 'STACK_DIR_UNWRITABLE'
  | 'STACK_DATA_FROM_OTHER_SECRETS'
  | 'NO_MATCHING_ENV'
  | 'COMPOSE_FAILED'
  | 'PORT_TAKEN'
  | 'NOT_ENOUGH_MEMORY'
  | 'SERVICE_NOT_RUNNING';

export type ChaosErrorCode =
  | 'CHAOS_STACK_NOT_RUNNING'
  | 'CHAOS_ALREADY_ACTIVE'
  | 'CHAOS_ONE_BROKER'
  | 'CHAOS_ONE_CONTROLLER'
  | 'CHAOS_FAULT_UNAVAILABLE'
  | 'PROFILE_SWITCH_WHILE_RUNNING'
  | 'CHAOS_TARGET_NOT_RUNNING'
  | 'CHAOS_FAULT_NOT_FOUND'
  | 'CHAOS_BUSY'
  | 'CHAOS_ACTION_FAILED';

export type StatsErrorCode = 'KAFKA_SLOW' | 'TELEGRAF_UNREACHABLE';

/** Connect mode (the user's own cluster): each names the cause and the setting to fix. */
export type ConnectErrorCode =
  | 'CONNECT_INCOMPLETE'
  | 'CONNECT_FILE_UNREADABLE'
  | 'CONNECT_MODE_SWITCH_WHILE_RUNNING'
  | 'KAFKA_AUTH_FAILED'
  | 'KAFKA_TLS_UNTRUSTED'
  | 'KAFKA_TLS_HOSTNAME'
  | 'KAFKA_TLS_FAILED'
  | 'INFLUX_UNREACHABLE'
  | 'INFLUX_AUTH_FAILED'
  | 'INFLUX_NO_WRITE'
  | 'INFLUX_NO_READ'
  | 'INFLUX_NOT_FOUND'
  | 'SECRET_STORE_FAILED';

export type ApiErrorCode =
  | CallErrorCode
  | DockerErrorCode
  | StackErrorCode
  | ChaosErrorCode
  | StatsErrorCode
  | ConnectErrorCode
  | ProducerErrorCode;

export type { ProducerErrorCode };

export class WalkstreamError extends ProducerError<ApiErrorCode> {}

/** Turns anything thrown into the error envelope that crosses the boundary. */
export function toErrorData(err: unknown): ApiErrorData {
  // The producer's own errors carry a ProducerErrorCode, which ApiErrorCode includes.
  if (err instanceof ProducerError) return (err as WalkstreamError).toJSON();
  return {
    code: 'INTERNAL',
    message: `Unexpected error: ${err instanceof Error ? err.message : String(err)}`,
    retriable: false,
  };
}
