import type { ApiHandlers } from '../api/api-router';
import type { ConnectionMode } from '../contract/connection';
import { WalkstreamError } from '../contract/errors';
import type { ProducerService } from '../producer/producer-service';
import type { StackService } from '../stack/stack-service';
import type { ConnectionService } from './connection-service';

/** The connection:* calls. A mode switch is refused while anything runs, which it would leave running unseen. */
export function connectionHandlers(deps: {
  connection: ConnectionService;
  producer: ProducerService;
  stack: StackService;
}): Pick<ApiHandlers, 'connection:get' | 'connection:update' | 'connection:test'> {
  const { connection, producer, stack } = deps;
  const refuseSwitchWhileRunning = async (to: ConnectionMode) => {
    const producing = ['running', 'starting'].includes(producer.status().state);
    const local = producing ? null : await stack.status();
    const stackRuns =
      local?.services.some((s) => ['running', 'paused', 'restarting'].includes(s.state)) ?? false;
    if (producing || stackRuns) {
      throw new WalkstreamError(
        'CONNECT_MODE_SWITCH_WHILE_RUNNING',
        `${producing ? 'The producer' : 'The local stack'} is running. Stop the pipeline first, then switch to ${to === 'connect' ? 'your own cluster' : 'the local stack'}.`,
      );
    }
  };
  return {
    'connection:get': async () => connection.view(),
    'connection:update': async (patch) => {
      if (patch.mode && patch.mode !== connection.mode()) await refuseSwitchWhileRunning(patch.mode);
      return connection.update(patch);
    },
    'connection:test': () => connection.check(),
  };
}
