/**
 * The api module's stand-in for component tests, which swap it in with
 * `vi.mock('../api-client', () => import('../fake-api-client'))`: calls go to answers the test
 * gives, one per call name, and are recorded on `api.call` for the test to inspect.
 */
import { vi } from 'vitest';
import type { ApiInput, ApiName, ApiOutput } from '../../core/contract/api';
import { ApiError } from '../../core/contract/client';

type Answer = (input: unknown) => unknown;
const answers = new Map<string, Answer>();

export const api = {
  call: vi.fn(async (name: string, input?: unknown): Promise<unknown> => {
    const answer = answers.get(name);
    if (!answer) throw new Error(`the test gave no answer for ${name}`);
    return answer(input);
  }),
  subscribe: vi.fn(() => () => {}),
};

/** What the core answers to `name` from now on; a thrown error is the call's failure. */
export function answer<N extends ApiName>(
  name: N,
  fn: (input: ApiInput<N>) => ApiOutput<N> | Promise<ApiOutput<N>>,
): void {
  answers.set(name, fn as Answer);
}

/** A refusal as the client raises it: the core's code, message and retriable. */
export function refusal(code: string, message: string): ApiError {
  return new ApiError({ code, message, retriable: false } as ConstructorParameters<typeof ApiError>[0]);
}

export function resetFakeApi(): void {
  answers.clear();
  api.call.mockClear();
  api.subscribe.mockClear();
}
