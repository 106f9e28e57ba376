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

describe('TASKER_REDIS_URL and TASKER_REDIS_PREFIX', () => {
  it('leave Redis off by default, with the prefix tasker:', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: undefined, redisPrefix: 'tasker:' });
    expect(loadConfig({ TASKER_REDIS_URL: 'redis://127.0.0.1:6379/2', TASKER_REDIS_PREFIX: 'prod:' })).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379/2', redisPrefix: 'prod:' });
  });

  it('refuse a URL that is not redis:// or rediss://, and a prefix with spaces, saying what to write', () => {
    expect(() => loadConfig({ TASKER_REDIS_URL: '127.0.0.1:6379' })).toThrow(/TASKER_REDIS_URL: expected a URL like redis:\/\/127.0.0.1:6379/);
    expect(() => loadConfig({ TASKER_REDIS_PREFIX: 'my app:' })).toThrow(/TASKER_REDIS_PREFIX: expected 1-64 characters without spaces/);
  });
});
