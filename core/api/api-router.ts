import type { z } from 'zod';
import { type ApiName, type ApiOutput, type ApiParsedInput, type ApiReply, apiInputs } from '../contract/api';
import type { ApiErrorData } from '../contract/data';
import { toErrorData } from '../contract/errors';

export type ApiHandlers = { [N in ApiName]: (input: ApiParsedInput<N>) => Promise<ApiOutput<N>> };

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
