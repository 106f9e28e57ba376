// Cross-process "this execution finished" notices over Redis pub/sub, so an
// API process answers a ?wait= (or ends an event stream) as soon as a worker
// process finishes the execution, instead of at its next poll of the store.
// A notice is only a hint carrying an id: the listener reads the store, which
// stays the truth, and the poll stays as the safety net for lost notices
// (pub/sub delivers at most once, and nothing while Redis is away).
// Must not: throw into the caller when Redis is down.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../ports/logger.js';
import { createRedisClient } from './redis-client.js';

export class RedisFinishNotices {
  private readonly channel: string;
  /** Tells this process's own notices apart: it already told its listeners. */
  private readonly origin = randomUUID();
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<(executionId: string) => void>();

  constructor(
    private readonly publisher: Redis,
    private readonly options: { url: string; prefix: string; logger: Logger },
  ) {
    this.channel = `${options.prefix}finished`;
  }

  /** Tells the other processes; never throws (a lost notice costs a poll interval). */
  publish(executionId: string): void {
    this.publisher.publish(this.channel, `${this.origin} ${executionId}`).catch((err: unknown) => {
      this.options.logger.debug({ err, executionId }, 'finish notice not published');
    });
  }

  /** Calls `listener` with the id of each execution another process finished. Subscribes on first use. */
  onFinishedElsewhere(listener: (executionId: string) => void): () => void {
    this.listeners.add(listener);
    if (this.subscriber === undefined) {
      // A connection in subscriber mode can run no other command: its own one.
      const subscriber = createRedisClient(this.options.url, 'tasker-notices');
      subscriber.on('message', (_channel: string, message: string) => {
        const space = message.indexOf(' ');
        if (space < 0 || message.slice(0, space) === this.origin) return;
        const executionId = message.slice(space + 1);
        for (const l of this.listeners) l(executionId);
      });
      subscriber.subscribe(this.channel).catch((err: unknown) => {
        this.options.logger.warn({ err }, 'could not subscribe to finish notices; ?wait= falls back to polling');
      });
      this.subscriber = subscriber;
    }
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }
}
