// Dispatch of executions to workers. A job names an execution; the store is
// the source of truth, so a lost job is recovered by re-enqueueing, and a
// duplicated job is harmless (the lease decides who runs it).
export interface JobQueue {
  /** Asks for the execution to be driven, not before `runAt` (epoch ms). */
  enqueue(executionId: string, runAt?: number): Promise<void>;
  /** Starts delivering jobs to the handler, at most `concurrency` at a time. */
  start(handler: (executionId: string) => Promise<void>, concurrency: number): void;
  /** Stops taking jobs and waits for those in progress. */
  stop(): Promise<void>;
}
