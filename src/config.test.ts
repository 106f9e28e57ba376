// Configuration parsing: defaults and the messages a bad value gets.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('TASKER_RETENTION', () => {
  it('keeps executions forever when unset, empty or forever', () => {
    expect(loadConfig({}).retentionMs).toBeNull();
    expect(loadConfig({ TASKER_RETENTION: '' }).retentionMs).toBeNull();
    expect(loadConfig({ TASKER_RETENTION: 'forever' }).retentionMs).toBeNull();
  });

  it('reads a duration like 30d or 12h', () => {
    expect(loadConfig({ TASKER_RETENTION: '30d' }).retentionMs).toBe(30 * 86_400_000);
    expect(loadConfig({ TASKER_RETENTION: '12h' }).retentionMs).toBe(12 * 3_600_000);
  });

  it('refuses a value that is not a duration, or under a minute, saying what to write', () => {
    for (const bad of ['soon', '30s', '0']) {
      expect(() => loadConfig({ TASKER_RETENTION: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ TASKER_RETENTION: bad })).toThrow(/TASKER_RETENTION: expected a duration of at least 1m like 30d or 12h, or 'forever'/);
    }
  });
});
