// What the HTTP routes may use: the Tasker surface, its event bus and a
// logger. Routes never reach stores, queues or configuration directly.
import type { Tasker } from '../../app/tasker.js';
import type { TaskerEventBus } from '../../app/events.js';
import type { Logger } from '../../ports/logger.js';

export interface HttpDeps {
  tasker: Tasker;
  events: TaskerEventBus;
  logger: Logger;
}
