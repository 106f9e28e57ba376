// The logging the core needs; pino satisfies it. Child loggers carry context
// ({ executionId, stepId, scheduleId }).
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
