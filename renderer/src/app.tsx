import { useEffect, useState } from 'react';
import type { Links } from '../../core/contract/data';
import { api } from './api-client';
import { ChaosPanel } from './components/chaos-panel';
import { ConnectionPanel } from './components/connection-panel';
import { EnginePanel } from './components/engine-panel';
import { FlowStrip } from './components/flow-strip';
import { KafkaPanel } from './components/kafka-panel';
import { LiveChart } from './components/live-chart';
import { PipelineBar } from './components/pipeline-bar';
import { ServiceCards } from './components/service-cards';
import { WalkControls } from './components/walk-controls';
import { useTopic } from './use-api';

export function App() {
  const stack = useTopic('stack:status', () => api.call('stack:status'));
  const producer = useTopic('producer:status', () => api.call('producer:status'));
  const kafka = useTopic('kafka:stats', () => api.call('kafka:stats'));
  const telegraf = useTopic('telegraf:stats', () => api.call('telegraf:stats'));
  const flow = useTopic('flow:status', () => api.call('flow:status'));
  const [links, setLinks] = useState<Links | null>(null);
  useEffect(() => {
    api.call('links:get').then(setLinks, () => {});
  }, []);
  return (
    <>
      <PipelineBar stack={stack} producer={producer} />
      <FlowStrip flow={flow} />
      <main>
        <div className="col">
          <LiveChart />
          <KafkaPanel stats={kafka} producer={producer} />
        </div>
        <div className="col narrow">
          <WalkControls producer={producer} />
          <ChaosPanel stack={stack} />
          <ServiceCards stack={stack} links={links} telegraf={telegraf} />
          <EnginePanel stack={stack} />
          <ConnectionPanel />
        </div>
      </main>
    </>
  );
}
