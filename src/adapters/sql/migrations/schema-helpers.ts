// The dialect-dependent pieces migrations build tables with, taken from the
// capabilities table: CREATE TABLE with the dialect's table options, byte-
// compared key text, large JSON text. It must not define any table itself.
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DataTypeExpression, DialectCapabilities } from '../dialect-capabilities.js';

export interface SchemaHelpers {
  /** db.schema.createTable plus the dialect's table options (MariaDB: engine, charset, collation). */
  createTable(name: string): CreateTableBuilder<string, never>;
  /** A varchar of this length, compared byte for byte on every dialect. */
  v(length: number): DataTypeExpression;
  /** The column type for JSON text of any size. */
  json: DataTypeExpression;
}

export function schemaHelpers(db: Kysely<unknown>, caps: DialectCapabilities): SchemaHelpers {
  const options = caps.tableOptions;
  return {
    createTable: (name) => (options === null ? db.schema.createTable(name) : db.schema.createTable(name).modifyEnd(sql.raw(options))),
    v: (length) => caps.keyText(length),
    json: caps.largeText,
  };
}
