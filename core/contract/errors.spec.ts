import { InvalidParamsError, WalkstreamError as ProducerError } from '@walkstream/producer';
import { describe, expect, it } from 'vitest';
import { toErrorData, WalkstreamError } from './errors';

/**
 * What reaches the UI when something throws: the core's own errors and the producer library's
 * arrive with their code and message as they are; anything else says it was unexpected.
 */
describe('toErrorData', () => {
  it('passes a core error on with its code, message, retriable flag and details', () => {
    const err = new WalkstreamError('STACK_BUSY', 'The stack is starting.', {
      retriable: true,
      details: { verb: 'up' },
    });
    expect(toErrorData(err)).toEqual({
      code: 'STACK_BUSY',
      message: 'The stack is starting.',
      retriable: true,
      details: { verb: 'up' },
    });
  });

  it('passes the producer library’s errors on as they are, since the core’s extend them', () => {
    expect(new WalkstreamError('STACK_BUSY', 'x')).toBeInstanceOf(ProducerError);
    const unreachable = new ProducerError('KAFKA_UNREACHABLE', 'Cannot reach the Kafka brokers.', {
      retriable: true,
    });
    expect(toErrorData(unreachable)).toMatchObject({ code: 'KAFKA_UNREACHABLE', retriable: true });
    const invalid = new InvalidParamsError([{ field: 'walks', message: 'must be at least 1' }]);
    expect(toErrorData(invalid)).toMatchObject({
      code: invalid.code,
      details: { issues: [{ field: 'walks', message: 'must be at least 1' }] },
    });
  });

  it('reports anything else as INTERNAL, keeping its message, and never as retriable', () => {
    expect(toErrorData(new TypeError('x is undefined'))).toEqual({
      code: 'INTERNAL',
      message: 'Unexpected error: x is undefined',
      retriable: false,
    });
    expect(toErrorData('a string')).toMatchObject({
      code: 'INTERNAL',
      message: 'Unexpected error: a string',
    });
  });
});
