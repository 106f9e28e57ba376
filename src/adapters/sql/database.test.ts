import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './database.js';

describe('parseDatabaseUrl', () => {
  it('resolves a relative sqlite path against the working directory', () => {
    expect(parseDatabaseUrl('sqlite:./data/tasker.db', '/srv/app')).toEqual({ dialect: 'sqlite', filename: '/srv/app/data/tasker.db' });
  });

  it('keeps absolute paths, also written with three slashes', () => {
    expect(parseDatabaseUrl('sqlite:/var/lib/tasker.db').filename).toBe('/var/lib/tasker.db');
    expect(parseDatabaseUrl('sqlite:///var/lib/tasker.db').filename).toBe('/var/lib/tasker.db');
  });

  it('understands the in-memory database', () => {
    expect(parseDatabaseUrl('sqlite::memory:').filename).toBe(':memory:');
  });

  it('reads the synchronous option and refuses unknown ones', () => {
    expect(parseDatabaseUrl('sqlite:/x.db?synchronous=FULL')).toEqual({ dialect: 'sqlite', filename: '/x.db', synchronous: 'full' });
    expect(() => parseDatabaseUrl('sqlite:/x.db?synchronous=off')).toThrow(/normal or full/);
    expect(() => parseDatabaseUrl('sqlite:/x.db?journal=delete')).toThrow(/unknown option 'journal'/);
  });

  it('says MariaDB and PostgreSQL are not supported yet, without echoing credentials', () => {
    for (const url of ['mysql://u:secret@db/t', 'mariadb://u:secret@db/t', 'postgres://u:secret@db/t', 'postgresql://u:secret@db/t']) {
      expect(() => parseDatabaseUrl(url)).toThrow(/not supported yet in this version/);
      expect(() => parseDatabaseUrl(url)).not.toThrow(/secret/);
    }
  });

  it('names the supported forms for an unknown scheme, a missing scheme or a missing path', () => {
    expect(() => parseDatabaseUrl('oracle://db')).toThrow(/unsupported scheme 'oracle:'.*sqlite:/);
    expect(() => parseDatabaseUrl('./tasker.db')).toThrow(/sqlite::memory:/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/no file path/);
  });
});
