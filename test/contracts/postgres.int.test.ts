// Runs every store contract against the SQL adapter on the real PostgreSQL server
// of this machine: each test gets its own schema (tasker_t_<random>),
// removed afterwards. A server that does not answer fails every test.
import { afterAll } from 'vitest';
import { sharedServer } from '../support/test-database.js';
import { sqlStoreContracts } from './sql-store-contracts.js';

const server = sharedServer('postgres');
afterAll(() => server.close());

sqlStoreContracts('PostgreSQL', () => server.create());
