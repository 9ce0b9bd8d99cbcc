import { describe, expect, it } from 'vitest';
import { seedOrder } from './kafka-stats-service';

const brokers = ['localhost:9092', 'localhost:9094', 'localhost:9096'];

describe('seedOrder', () => {
  it('starts each new client one broker further on', () => {
    const none = () => false;
    expect(seedOrder(brokers, 0, none)).toEqual(brokers);
    expect(seedOrder(brokers, 1, none)).toEqual(['localhost:9094', 'localhost:9096', 'localhost:9092']);
    expect(seedOrder(brokers, 5, none)[0]).toBe('localhost:9096');
  });

  it('never seeds a client on a broker whose probe gets no answer while another one answers', () => {
    const silent = (b: string) => b === 'localhost:9094';
    for (let turn = 0; turn < 6; turn++) {
      const order = seedOrder(brokers, turn, silent);
      expect(order[0]).not.toBe('localhost:9094');
      expect(order.at(-1)).toBe('localhost:9094');
      expect([...order].sort()).toEqual(brokers);
    }
  });
});
