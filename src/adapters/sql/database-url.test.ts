import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url.js';

const filename = (t: DatabaseTarget) => (t.dialect === 'sqlite' ? t.filename : `not sqlite: ${t.dialect}`);

describe('parseDatabaseUrl', () => {
  it('resolves a relative sqlite path against the working directory', () => {
    expect(parseDatabaseUrl('sqlite:./data/tasker.db', '/srv/app')).toEqual({ dialect: 'sqlite', filename: '/srv/app/data/tasker.db' });
  });

  it('keeps absolute paths, also written with three slashes', () => {
    expect(filename(parseDatabaseUrl('sqlite:/var/lib/tasker.db'))).toBe('/var/lib/tasker.db');
    expect(filename(parseDatabaseUrl('sqlite:///var/lib/tasker.db'))).toBe('/var/lib/tasker.db');
  });

  it('understands the in-memory database', () => {
    expect(filename(parseDatabaseUrl('sqlite::memory:'))).toBe(':memory:');
  });

  it('reads the synchronous option and refuses unknown ones', () => {
    expect(parseDatabaseUrl('sqlite:/x.db?synchronous=FULL')).toEqual({ dialect: 'sqlite', filename: '/x.db', synchronous: 'full' });
    expect(() => parseDatabaseUrl('sqlite:/x.db?synchronous=off')).toThrow(/normal or full/);
    expect(() => parseDatabaseUrl('sqlite:/x.db?journal=delete')).toThrow(/unknown option 'journal'/);
  });

  it('reads a MariaDB or MySQL URL into host, port, credentials, database and pool size', () => {
    expect(parseDatabaseUrl('mysql://tasker:p%40ss@db.local:3307/jobs?poolSize=4')).toEqual({
      dialect: 'mysql', host: 'db.local', port: 3307, user: 'tasker', password: 'p@ss', database: 'jobs', poolSize: 4,
      display: 'mysql://tasker:***@db.local:3307/jobs?poolSize=4',
    });
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1/test')).toMatchObject({ dialect: 'mysql', port: 3306, user: 'root', password: '', poolSize: 10 });
  });

  it('passes a PostgreSQL URL to the driver without the pool size', () => {
    expect(parseDatabaseUrl('postgresql://u:pw@h:5433/db?sslmode=disable&poolSize=3')).toEqual({
      dialect: 'postgres', connectionString: 'postgresql://u:pw@h:5433/db?sslmode=disable', poolSize: 3,
      display: 'postgresql://u:***@h:5433/db?sslmode=disable&poolSize=3',
    });
    expect(parseDatabaseUrl('postgres://postgres@127.0.0.1/test')).toMatchObject({ dialect: 'postgres', poolSize: 10 });
  });

  it('refuses a server URL without a database, with a bad pool size or an unknown option, without echoing the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['mysql://u:secret@db', /name the database in the path/],
      ['mysql://u:secret@db/t?poolSize=0', /poolSize must be a whole number/],
      ['mysql://u:secret@db/t?ssl=1', /unknown option 'ssl'/],
      ['postgres://u:secret@db/t?poolSize=many', /poolSize must be a whole number/],
    ];
    for (const [url, message] of cases) {
      expect(() => parseDatabaseUrl(url)).toThrow(message);
      expect(() => parseDatabaseUrl(url)).not.toThrow(/secret/);
    }
  });

  it('names the supported forms for an unknown scheme, a missing scheme or a missing path', () => {
    expect(() => parseDatabaseUrl('oracle://db')).toThrow(/unsupported scheme 'oracle:'.*sqlite:.*mysql:.*postgres:/);
    expect(() => parseDatabaseUrl('./tasker.db')).toThrow(/sqlite::memory:/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/no file path/);
  });
});
