// The executions this process is driving right now, each with an abort
// controller, so cancel and shutdown can stop their I/O. Per process by
// nature: another process's in-flight work is stopped through the store.
export class ShutdownAbort extends Error {
  constructor() {
    super('the worker is shutting down');
    this.name = 'ShutdownAbort';
  }
}

export class InFlight {
  private readonly controllers = new Map<string, AbortController>();

  begin(executionId: string): AbortController {
    const controller = new AbortController();
    this.controllers.set(executionId, controller);
    return controller;
  }

  end(executionId: string, controller: AbortController): void {
    if (this.controllers.get(executionId) === controller) this.controllers.delete(executionId);
  }

  abort(executionId: string, reason: unknown): boolean {
    const controller = this.controllers.get(executionId);
    if (!controller) return false;
    controller.abort(reason);
    return true;
  }

  abortAll(reason: unknown): void {
    for (const controller of this.controllers.values()) controller.abort(reason);
  }

  get size(): number {
    return this.controllers.size;
  }
}
